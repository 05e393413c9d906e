"""Banks (银行): inquire deposits, freeze (冻结), renew (续冻), unfreeze (解冻), deduct (扣划).

Interface: ``adapters.interfaces.BankAdapter``; sandbox-v1: ``adapters.sandbox.partner``.
"""

from adapters.interfaces import BankAdapter

__all__ = ["BankAdapter"]
