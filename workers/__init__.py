"""Worker processes: ``main`` polls the task queue and runs every workflow and activity the registry
names, in Temporal's workflow sandbox (``workflow_sandbox``), with its probes (``health``) and metrics
(``metrics``); ``outbox`` is the agencies' webhook outbox, its own process (``python -m workers.outbox``)."""
