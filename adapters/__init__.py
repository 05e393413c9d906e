"""Partner adapters: one interface per partner category (``interfaces``), one implementation per protocol.

``adapters.protocol`` (and ``adapters.auction.protocol``) are the sandbox-v1 wire formats our simulators speak;
``adapters.sandbox`` and each category's ``sandbox`` module implement them; ``adapters.base`` holds the HTTP
client, retries and the outage-versus-refusal classification every implementation shares; ``registry`` builds
the adapters of the configured partners. A category package imports no interface back (no circle).
"""
