"""Serving the platform app: plain HTTP on ``web_port`` and, with a certificate, HTTPS on
``https_port``, both from one runner (aiohttp's ``run_app`` serves one TLS setting only)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from aiohttp import web

from ehd.config import Config
from ehd.web.tls import server_context

SHUTDOWN_SECONDS = 5.0


def serve(app: web.Application, config: Config, started: Callable[[], None]) -> None:
    """Run ``app`` until SIGINT or SIGTERM; ``started`` once both listeners are up."""
    tls = server_context(config)

    async def main() -> None:
        runner = web.AppRunner(app, handle_signals=True, shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        try:
            await web.TCPSite(runner, config.bind_host, config.web_port).start()
            if tls is not None:
                site = web.TCPSite(runner, config.bind_host, config.https_port, ssl_context=tls)
                await site.start()
            started()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(web.GracefulExit, KeyboardInterrupt):
        asyncio.run(main())
