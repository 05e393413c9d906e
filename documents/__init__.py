"""Rendering, sealing and verifying the court's documents (法律文书): Typst templates to PDF/A
(``render``), the court's PAdES seal with pyHanko (``seal``), its keys and certificates (``pki``)."""
