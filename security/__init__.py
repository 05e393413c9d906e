"""Trust (安全): signed actors carried on every Temporal call (``identity``), the AES-GCM payload codec
(``codec``) and the one data converter built on it (``converter``), and the signature on agency webhooks
(``webhook_signature``). At-rest sealing of the web's columns is ``store.sealing``; the court's seal on
documents is ``documents.seal``."""
