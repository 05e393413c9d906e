"""Banks (银行): inquire deposits, freeze (冻结), renew (续冻), unfreeze (解冻), deduct (扣划), and pay out of the
case account (批量代发).

Interface: ``adapters.interfaces.BankAdapter`` (its payouts: ``PayoutBank``); sandbox-v1:
``adapters.sandbox.partner``; a bank whose ``payout_protocol`` is ``iso20022`` pays out through
``adapters.iso20022.bank`` (pain.001 / pain.002 / camt.054 files).
"""

from adapters.interfaces import BankAdapter

__all__ = ["BankAdapter"]
