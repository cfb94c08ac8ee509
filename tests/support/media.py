"""Uploads a simulated user sends: real images made with Pillow, container headers for streams."""

import io
from typing import Any

import httpx
from PIL import Image

from tests.support.control import ChannelInfo, Control

# An MP4 and an M4A are told apart by the brand of their `ftyp` box; the rest is filler.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42" + bytes(range(256)) * 2
PDF = b"%PDF-1.4\n% not really a document\n" + bytes(range(256))


def picture(width: int = 800, height: int = 600, fmt: str = "PNG") -> bytes:
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", (width, height), (200, 40, 90))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(
    control: Control,
    channel: ChannelInfo,
    user_id: str,
    kind: str,
    file: tuple[str, bytes, str] | None,
    **fields: Any,
) -> httpx.Response:
    """POST the multipart form a user's app sends for an image, video, audio or file."""
    path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/messages"
    data = {"type": kind, **{key: str(value) for key, value in fields.items()}}
    files = {"file": file} if file is not None else {"unused": ("", b"", "text/plain")}
    return control.http.post(path, data=data, files=files)


def send(
    control: Control,
    channel: ChannelInfo,
    user_id: str,
    kind: str,
    file: tuple[str, bytes, str],
    **fields: Any,
) -> dict[str, Any]:
    """Send a media message; answers the webhook event the bot will receive."""
    response = upload(control, channel, user_id, kind, file, **fields)
    assert response.status_code == 201, response.text
    return dict(response.json())
