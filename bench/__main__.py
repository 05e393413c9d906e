"""``make bench``: every benchmark, each against its bare-Temporal baseline. Results: docs/performance.md."""

import asyncio

from bench import asset_inquiry


async def main() -> None:
    await asset_inquiry.run()


asyncio.run(main())
