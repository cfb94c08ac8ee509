"""Small ASGI pieces for the routes that answer ahead of FastAPI (the hot paths)."""

from typing import Any

import orjson
from starlette.types import Message, Receive, Send


def replay_body(raw: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already read body to the next app once, then listens on."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replayed


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    payload = orjson.dumps(body)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
