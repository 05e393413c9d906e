"""Partner adapters: one interface per partner category, one implementation per protocol.

``adapters.protocol`` is the sandbox-v1 wire format our simulators speak; ``adapters.base`` holds the
HTTP client, retries and the outage-versus-refusal classification every implementation shares.
"""
