"""Payment platforms' cashier pages (网上缴费, 收银台): a debtor pays a case's account online."""

from adapters.cashier.port import Cashier, PayOrder
from adapters.cashier.sandbox import SandboxCashier

__all__ = ["Cashier", "PayOrder", "SandboxCashier"]
