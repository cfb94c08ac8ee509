"""Push on Postgres without FastAPI in the way: the hot path of a load test.

FastAPI's routing, dependency solving and response models cost more CPU per request than all
of push's own work (measured with py-spy: about half of a push's time). This ASGI layer
answers the common push — JSON body, no retry key, a user as recipient, a channel without a
quota plan — itself, with the same functions the route uses (authentication and rate limit,
body checks, the fast lane). Anything else, including every malformed request, goes on to the
FastAPI route with its body replayed, so errors keep one source.
"""

from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import authenticate
from app.api.message.schemas import parse_send_body
from app.delivery.fastpush import fits_fast_lane, push_on_fast_lane
from app.delivery.service import UNKNOWN_RECIPIENT, sent_messages
from app.kit.asgi import replay_body, send_json
from app.kit.errors import BadRequest, LineError
from app.kit.http import is_json
from app.kit.services import Services
from app.models import SendKind

PUSH_PATH = "/v2/bot/message/push"


class FastPushRoute:
    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # the FastAPI app's state, where the lifespan puts the services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PUSH_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        services: Services | None = getattr(self.state, "services", None)
        request = Request(scope, receive)
        headers = request.headers
        content_type = headers.get("content-type", "")
        if (
            services is None
            or services.fast_lane is None
            or "x-line-retry-key" in headers
            or not is_json(content_type)
        ):
            await self.app(scope, receive, send)
            return
        raw = await request.body()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict):
            await self.app(scope, replay_body(raw, receive), send)
            return
        try:
            channel = await authenticate(request, services)
            parsed = parse_send_body(body, to="one")
            if not fits_fast_lane(channel, None, parsed.to[0]):
                # Authenticated (and counted against the rate limit) once: the route takes it.
                scope["state"]["channel"] = channel
                await self.app(scope, replay_body(raw, receive), send)
                return
            request_pk = await push_on_fast_lane(
                services.fast_lane,
                channel,
                str(scope["state"]["request_id"]),
                parsed.to[0],
                parsed.messages,
                notification_disabled=parsed.notification_disabled,
                aggregation_units=parsed.aggregation_units,
                now=services.clock.now(),
            )
            if request_pk is None:
                raise BadRequest(UNKNOWN_RECIPIENT)
        except LineError as error:
            await send_json(send, error.status_code, error.to_wire(), error.headers)
            return
        sent = [
            {"id": m.id, "quoteToken": m.quote_token} if m.quote_token else {"id": m.id}
            for m in sent_messages(channel, SendKind.PUSH, request_pk, parsed.messages)
        ]
        await send_json(send, 200, {"sentMessages": sent})
