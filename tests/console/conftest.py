"""Browser tests of the console: Playwright driving Debian's chromium against a live Kizuna.

Only the system browser is used (`/usr/bin/chromium`, installed by `make test` when missing);
Playwright never downloads one. Locally a missing chromium skips these tests; under CI=true it
fails them. Every request the page makes off loopback (pictures on example.com, LINE's sticker
CDN) is answered inside the browser, so the tests never leave the machine.
"""

import hashlib
import io
import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from app.kit.migrate import run_migrations
from tests.support import services as svc
from tests.support.live import LiveServer

CHROMIUM = os.environ.get("KIZUNA_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The browser tests run on SQLite only: what they check is drawn in the browser, and the
    console's SQL is checked on both backends in tests/control/test_console.py."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('console') / 'kizuna.db'}"
    run_migrations(url)
    live = LiveServer(url).start()
    yield live
    live.stop()


def picture(url: str) -> bytes:
    """A stand-in picture for an off-machine URL: its own colour, a few shapes, its name."""
    if "star" in url:
        return star(grey="grey" in url)
    digest = hashlib.sha256(url.encode()).digest()
    base = (digest[0] // 2 + 90, digest[1] // 2 + 90, digest[2] // 2 + 90)
    image = Image.new("RGB", (640, 420), base)
    draw = ImageDraw.Draw(image)
    draw.ellipse((380, 60, 600, 280), fill=(255, 255, 255))
    draw.rectangle((40, 250, 330, 380), fill=(base[2], base[0], base[1]))
    draw.text((50, 40), url.rsplit("/", 1)[-1][:30], fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def star(*, grey: bool) -> bytes:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    points = [
        (
            32 + (30 if i % 2 == 0 else 12) * math.sin(math.pi * i / 5),
            34 - (30 if i % 2 == 0 else 12) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    ImageDraw.Draw(image).polygon(points, fill=(200, 204, 210) if grey else (255, 185, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def browser(server: LiveServer) -> Iterator[Any]:
    # Playwright's sync API keeps an event loop running in this thread while it is open: the
    # server (and its migrations, which run their own loop) starts before it, and it closes
    # with the module, before any later test runs a loop of its own.
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
        if svc.in_ci():
            pytest.fail(f"{message}; CI=true: browser tests fail instead of skipping")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")

    def off_machine(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost")):
            route.continue_()
        elif "line-scdn.net" in url:
            route.abort()  # the console draws a stand-in sticker or emoji
        else:
            route.fulfill(status=200, content_type="image/png", body=picture(url))

    context.route("**/*", off_machine)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the console threw: {errors}"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class LineApi:
    """The bot's side: the LINE API with the channel's token, from any thread."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        response = httpx.post(
            f"{self.base_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert response.is_success, (path, response.status_code, response.text)
        return response

    def push(self, to: str, *messages: dict[str, Any]) -> None:
        self.post("/v2/bot/message/push", {"to": to, "messages": list(messages)})

    def reply_later(self, token: str, *messages: dict[str, Any]) -> None:
        # After the webhook is answered, as a bot that acknowledges first would.
        body = {"replyToken": token, "messages": list(messages)}
        threading.Thread(target=self.post, args=("/v2/bot/message/reply", body)).start()


Replier = Callable[[Any], None]
