"""SMS gateways (短信网关): one-time codes and notices to parties, one implementation per protocol."""

from adapters.sms.port import SmsGateway
from adapters.sms.sandbox import SandboxSmsGateway

__all__ = ["SandboxSmsGateway", "SmsGateway"]
