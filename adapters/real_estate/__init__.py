"""Real-estate registry (不动产登记中心): title search, register seizure (查封), renew, release.

Interface: ``adapters.interfaces.RealEstateRegistryAdapter``; sandbox-v1: ``adapters.sandbox.partner``.
"""

from adapters.interfaces import RealEstateRegistryAdapter

__all__ = ["RealEstateRegistryAdapter"]
