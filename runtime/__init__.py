"""How every process runs (运行): the Temporal client and our search attributes (``temporal``), JSON
logs with personal data scrubbed (``logging``) and OpenTelemetry tracing from the web to a partner's HTTP
call (``tracing``)."""
