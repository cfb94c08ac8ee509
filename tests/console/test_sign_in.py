"""The console of an exposed Kizuna: its page loads without the admin token and asks for it,
refuses a wrong one, then shows the channels, the dashboard and the images the control plane
serves, on the session cookie alone; signing out asks again. A screenshot of the form goes to
test-artifacts/console/. (On loopback no form shows: tests/console/test_console.py.)"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.kit.admin import SESSION_COOKIE
from app.kit.migrate import run_migrations
from tests.console.test_console import give_everyone_the_rich_menu
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

ADMIN = "admin-token-for-console-0123456789"
WAIT_MS = 10_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Exposed as behind a reverse proxy (as in tests/security): it still listens on loopback.
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('signin') / 'kizuna.db'}"
    run_migrations(url)
    live = LiveServer(url, KIZUNA_CONTROL_EXPOSED=True, KIZUNA_ADMIN_TOKEN=ADMIN).start()
    yield live
    live.stop()


@pytest.fixture
def control(server: LiveServer) -> Iterator[Control]:
    """The control plane as a script reaches it: with the Bearer header."""
    client = Control(server.base_url)
    client.http.headers["Authorization"] = f"Bearer {ADMIN}"
    client.reset()
    yield client
    client.close()


def test_sign_in_then_see_channels_dashboard_and_images(
    page: Any, server: LiveServer, control: Control, channel: ChannelInfo, artifacts: Path
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    token = {"Authorization": f"Bearer {channel.access_token}"}
    with httpx.Client(base_url=server.base_url, headers=token) as api:
        give_everyone_the_rich_menu(api)

    page.goto(f"{server.base_url}/console/")
    form = page.locator("form.sign-in")
    form.wait_for(timeout=WAIT_MS)
    assert page.locator("text=Test channel").count() == 0

    form.locator("input[name=adminToken]").fill("not-the-token")
    form.locator("button", has_text="Sign in").click()
    error = form.locator(".sign-in-error")
    error.wait_for(timeout=WAIT_MS)
    assert error.inner_text() == "The admin token is wrong"
    page.screenshot(path=str(artifacts / "sign-in.png"))
    assert page.context.cookies() == []

    form.locator("input[name=adminToken]").fill(ADMIN)
    form.locator("button", has_text="Sign in").click()
    link = page.locator("main a", has_text="Test channel")
    link.wait_for(timeout=WAIT_MS)
    assert form.count() == 0
    (cookie,) = page.context.cookies()
    assert cookie["name"] == SESSION_COOKIE and ADMIN not in cookie["value"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
    # The page cannot read the cookie, nor the token it was made from.
    assert page.evaluate("document.cookie") == ""

    link.click()
    friends = page.locator(".figure", has_text="Friends").locator(".figure-value")
    friends.wait_for(timeout=WAIT_MS)
    assert friends.inner_text() == "1"
    assert page.locator("form.sign-in").count() == 0

    # An image under /_kizuna, loaded by <img src> (no header): the cookie carries it.
    page.goto(f"{server.base_url}/console/#/c/{channel.channel_id}/chat/{alice}")
    image = page.locator(".rich-menu-img")
    image.wait_for(timeout=WAIT_MS)
    image.evaluate("img => img.decode()")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [2500, 843]

    source = image.get_attribute("src")
    assert source is not None and source.startswith("/_kizuna/")
    assert page.request.get(server.base_url + source).status == 200

    page.locator("#sign-out").click()
    page.locator("form.sign-in").wait_for(timeout=WAIT_MS)
    assert page.context.cookies() == []
    assert page.request.get(server.base_url + source).status == 401
