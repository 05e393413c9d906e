"""Online payment platforms (网络支付平台): inquire balances, freeze, deduct — the bank interface.

Interface: ``adapters.interfaces.PaymentPlatformAdapter``; sandbox-v1: ``adapters.sandbox.partner``.
"""

from adapters.interfaces import PaymentPlatformAdapter

__all__ = ["PaymentPlatformAdapter"]
