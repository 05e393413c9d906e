"""Configuration (配置): the settings every process reads (``settings``: environment variables with the
``OM_`` prefix and an optional ``.env``) and the sandbox profile's directory of banks, partners and
task-only agencies (``sandbox_directory`` + its JSON). Workflows never read it: the web and the workers pass
what a workflow needs into its input, so the values are in history."""
