"""Serving a bot's webhook: a bare ASGI app, or a router to include in a FastAPI app.

Both verify the signature over the raw body exactly as received (re-serialising JSON changes
bytes and breaks the HMAC), answer 200 at once and leave the handlers running as the bot's
tracked tasks: LINE gives up on a webhook that takes too long, and shutting down waits for them.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request, Response
from linebot.v3.exceptions import InvalidSignatureError
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from app.bot.bot import Bot

SIGNATURE_HEADER = "X-Line-Signature"


def _accept(bot: "Bot", body: bytes, signature: str) -> tuple[int, bytes]:
    try:
        bot.feed(body, signature)
    except InvalidSignatureError:
        return 400, b"Invalid signature"
    except ValueError:
        return 400, b"Malformed webhook body"
    return 200, b"OK"


class WebhookApp:
    """POST `path` takes webhooks; the lifespan's shutdown waits for handlers and closes the
    bot's API client."""

    def __init__(self, bot: "Bot", path: str = "/callback") -> None:
        self.bot = bot
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.bot.close()
                except Exception as exc:
                    await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):  # mounted under a prefix
            path = path[len(root) :]
        if path != self.path:
            await _respond(send, 404, b"Not Found")
            return
        if scope["method"] != "POST":
            await _respond(send, 405, b"Method Not Allowed", [(b"allow", b"POST")])
            return
        body = await _read(receive)
        signature = ""
        for name, value in scope["headers"]:
            if name.lower() == SIGNATURE_HEADER.lower().encode():
                signature = value.decode("latin-1")
        status, text = _accept(self.bot, body, signature)
        await _respond(send, status, text)


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def fastapi_router(bot: "Bot", path: str = "/callback") -> APIRouter:
    """Include it in an app (`app.include_router(...)`): its lifespan joins the app's."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await bot.close()

    router = APIRouter(lifespan=lifespan)

    @router.post(path, include_in_schema=False)
    async def webhook(request: Request) -> Response:
        status, text = _accept(bot, await request.body(), request.headers.get(SIGNATURE_HEADER, ""))
        if status != 200:
            raise HTTPException(status, text.decode())
        return Response(text, media_type="text/plain")

    return router
