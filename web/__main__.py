"""``python -m web``: serve the web app with uvicorn on settings.web_host:web_port."""

from __future__ import annotations

import uvicorn

from core.logging import configure_logging
from core.settings import get_settings
from web.app import create_app


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, component="web")
    # log_config=None keeps our JSON logging; the request middleware replaces uvicorn's access log.
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_config=None)


if __name__ == "__main__":
    main()
