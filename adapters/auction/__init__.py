"""Online judicial auction platforms (网络司法拍卖平台): publish an announcement, register bidders with a deposit,
read the result, refund and forfeit deposits, serve the ruling; and online valuation (网络询价).

Interface: ``adapters.interfaces.AuctionPlatform``, in the domain's terms (``domain.auction_orders``);
sandbox-v1: ``adapters.sandbox.auction``.
"""
