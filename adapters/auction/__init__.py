"""Online judicial auction platforms (网络司法拍卖平台): publish an announcement, register bidders with a deposit,
read the result, refund and forfeit deposits, serve the ruling; and online valuation (网络询价).

Interface: ``adapters.interfaces.AuctionPlatform``; wire models: ``adapters.auction.protocol``; sandbox-v1:
``adapters.auction.sandbox``. The package imports nothing itself: ``adapters.interfaces`` imports the wire
models from here, so importing the interface back would close a circle.
"""
