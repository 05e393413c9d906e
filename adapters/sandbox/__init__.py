"""sandbox-v1: the partner protocol our simulators speak (docs/partner-protocol.md), one implementation of
the ports in ``adapters.interfaces``.

``wire`` holds its wire models, shared with the simulators; ``partner`` is the bank, payment-platform and
registry adapter, ``auction``, ``title_search`` and ``dishonest_list`` the other categories', and
``callbacks`` reads a partner's late answer. Each translates between the domain and the wire here, at the
protocol's edge: nothing above ``adapters`` imports this package's wire models.
"""
