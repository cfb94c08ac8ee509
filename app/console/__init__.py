"""The browser console: static files served by Kizuna itself (no build step)."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount_console(app: FastAPI) -> None:
    """`/console/` serves the page and its modules; `/console` leads there."""

    async def console_root() -> RedirectResponse:
        return RedirectResponse("/console/")

    app.add_api_route("/console", console_root, include_in_schema=False)
    app.mount("/console", StaticFiles(directory=STATIC, html=True), name="console")
