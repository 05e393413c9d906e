import asyncio

from runtime.process import exit_without_teardown
from workers.main import main

asyncio.run(main())
exit_without_teardown()  # drained and logged "worker stopped"
