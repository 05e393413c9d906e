"""ISO 20022 files: a bank's bulk-payment channel (代发), a second protocol beside sandbox-v1.

A bank whose ``payout_protocol`` is ``iso20022`` takes the payouts' batches as ``pain.001`` credit-transfer
initiations, answers each with a ``pain.002`` status report, tells the case account's debits in ``camt.054``
notifications and its balance in a ``camt.052`` report (``messages``, with pyiso20022's xsdata bindings).
``bank`` implements the ``adapters.interfaces.PayoutBank`` port over them, translating at this edge; the
simulated bank in ``simulators/iso20022_bank.py`` speaks the same files. docs/partner-protocol.md.
"""
