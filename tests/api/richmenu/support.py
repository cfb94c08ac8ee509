"""Rich menus for tests: request bodies, real images, and a channel with menus set up."""

from functools import cache
from typing import Any

import httpx

from tests.support.control import ChannelInfo
from tests.support.live import LiveServer
from tests.support.media import picture

WIDTH, HEIGHT = 2500, 843


def menu_body(name: str = "Tabs", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": name,
        "chatBarText": "Menu",
        "areas": [
            {
                "bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
                "action": {"type": "postback", "label": "Buy", "data": "action=buy"},
            },
            {
                "bounds": {"x": 1250, "y": 0, "width": 1250, "height": 843},
                "action": {"type": "message", "label": "Help", "text": "help"},
            },
        ],
    }
    body.update(overrides)
    return body


@cache  # encoding a 2500 px PNG for every test is most of their time
def image(width: int = WIDTH, height: int = HEIGHT, fmt: str = "PNG") -> bytes:
    return picture(width, height, fmt)


class LineHttp:
    """Raw HTTP to the LINE routes, for what the SDK cannot send (bad bodies, odd headers)."""

    def __init__(self, server: LiveServer, channel: ChannelInfo) -> None:
        self.http = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {channel.access_token}"},
            timeout=60,
        )

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def delete(self, path: str) -> httpx.Response:
        return self.http.delete(path)

    def menu(self, body: dict[str, Any] | None = None, picture: bytes | None = None) -> str:
        """Create a menu and give it its image; answers its ID."""
        created = self.post("/v2/bot/richmenu", json=body or menu_body())
        assert created.status_code == 200, created.text
        rich_menu_id = str(created.json()["richMenuId"])
        uploaded = self.post(
            f"/v2/bot/richmenu/{rich_menu_id}/content",
            content=picture or image(),
            headers={"Content-Type": "image/png"},
        )
        assert uploaded.status_code == 200, uploaded.text
        return rich_menu_id

    def close(self) -> None:
        self.http.close()
