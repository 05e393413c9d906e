"""Online payment platforms (网络支付平台): inquire balances, freeze, deduct — the bank interface.

Interface: ``adapters.interfaces.PaymentPlatformAdapter``; sandbox-v1 implementation: ``adapters.sandbox``.
"""

from adapters.interfaces import PaymentPlatformAdapter

__all__ = ["PaymentPlatformAdapter"]
