"""Cross-cutting infrastructure: settings, logging, payload encryption, identity, Temporal wiring."""
