"""``python -m web``: serve the web app with uvicorn on settings.web_host:web_port.

With ``OM_WEB_WORKERS`` > 1, uvicorn runs that many processes (each builds its app from the settings).
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from config.settings import get_settings
from runtime.logging import configure_logging
from runtime.process import freeze_startup_objects
from store.db import Database
from store.sealing import Sealer
from web.app import create_app, prepare_database
from web.guard import uvicorn_options
from web.metrics import prepare_multiprocess


def app_factory() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, component="web")
    app = create_app(settings)
    # What is built by now — the modules, the routes, the compiled templates, the models' schemas: ~280,000
    # objects — held the event loop ~0.1-0.2 s in each full collection, every request waiting (the parties'
    # bench tail). Only here, in the served process: tests build many apps in one interpreter.
    freeze_startup_objects()
    return app


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, component="web")
    prepare_multiprocess(settings)  # several uvicorn processes share one metrics directory
    # Migrate and seed once, before uvicorn forks: its processes then find the database ready.
    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    try:
        prepare_database(db, settings)
    finally:
        db.dispose()
    # log_config=None keeps our JSON logging; the request middleware replaces uvicorn's access log.
    uvicorn.run(
        "web.__main__:app_factory",
        factory=True,
        host=settings.web_host,
        port=settings.web_port,
        workers=settings.web_workers,
        log_config=None,
        **uvicorn_options(settings),
    )


if __name__ == "__main__":
    main()
