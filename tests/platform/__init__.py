"""What every process stands on: the audit trail, logs and the codec, tracing, the launcher, the deployment
files, PostgreSQL, start-up, worker crashes and Temporal's workflow sandbox."""
