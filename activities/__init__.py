"""Activities: thin, idempotent steps over adapters. All I/O of a workflow happens here."""
