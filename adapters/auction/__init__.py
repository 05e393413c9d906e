"""Online judicial auction platforms (网络司法拍卖平台): publish an announcement, register bidders with a deposit,
read the result, refund and forfeit deposits, serve the ruling; and online valuation (网络询价).

Interface: ``adapters.interfaces.AuctionPlatform``; sandbox-v1: ``adapters.auction.sandbox``.
"""

from adapters.interfaces import AuctionPlatform

__all__ = ["AuctionPlatform"]
