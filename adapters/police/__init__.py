"""Police vehicle registry (公安交管): vehicle search, register seizure (查封/扣押), renew, release.

Interface: ``adapters.interfaces.VehicleRegistryAdapter``; sandbox-v1: ``adapters.sandbox.partner``.
"""

from adapters.interfaces import VehicleRegistryAdapter

__all__ = ["VehicleRegistryAdapter"]
