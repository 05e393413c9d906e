"""Cross-cutting infrastructure: settings (``settings``) and the sandbox's directory of partners and agencies
(``sandbox_directory`` + its JSON), JSON logging, the AES-GCM payload codec and converter, signed actors
(``identity``), Temporal wiring and search attributes (``temporal``), tracing, the blob store, webhook
signatures, loopback helpers."""
