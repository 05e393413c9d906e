"""The national dishonest-debtor list (全国失信被执行人名单库): one implementation per protocol."""

from adapters.dishonest_list.sandbox import SandboxDishonestListAdapter

__all__ = ["SandboxDishonestListAdapter"]
