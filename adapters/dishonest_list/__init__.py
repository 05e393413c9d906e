"""The national dishonest-debtor list (全国失信被执行人名单库): publish, correct and remove an entry.

Interface: ``adapters.interfaces.DishonestListPublisher``; sandbox-v1: ``adapters.sandbox.dishonest_list``.
"""
