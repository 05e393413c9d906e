"""Partner adapters: the ports (``interfaces``, typed in the domain's models) and one folder per protocol
that implements them, translating at its own edge: ``sandbox`` (sandbox-v1, JSON over HTTP, every category;
its wire models are shared with the simulators) and ``iso20022`` (a bank's payouts as ISO 20022 files).
``base`` holds the HTTP client, retries and the outage-versus-refusal classification every implementation
shares; ``registry`` builds the adapters of the configured partners by their ``protocol`` (and a bank's
``payout_protocol``). The category packages only name their port. docs/partner-protocol.md.
"""
