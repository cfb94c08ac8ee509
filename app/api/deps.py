from typing import Annotated

from fastapi import Depends, Request

from app.api.oauth.bearer import BearerAuth, FastLaneLookup, SessionLookup
from app.api.oauth.service import TokenService
from app.api.ratelimit import enforce_rate_limit
from app.deps import ClockDep, IdsDep, SessionDep
from app.kit.errors import BadRequest, Forbidden
from app.kit.services import Services
from app.models import Channel, ChannelStatus

NOT_AVAILABLE = "Access to this API is not available for your account"


async def get_token_service(session: SessionDep, clock: ClockDep, ids: IdsDep) -> TokenService:
    return TokenService(session, clock, ids)


TokensDep = Annotated[TokenService, Depends(get_token_service)]


async def authenticated_channel(request: Request) -> Channel:
    """The channel whose access token signs this request; every LINE route depends on it.

    It also makes the other checks every LINE route shares (rate limit, where a retry key may
    be sent): one dependency rather than three, as FastAPI's solving costs per dependency on
    every request. The channel is looked up outside the request's session, so a route that
    needs no session (push on the fast lane) opens none; it is detached and read-only here.
    """
    # An ASGI fast route ahead of FastAPI may have authenticated the request already.
    channel: Channel | None = request.scope.get("state", {}).get("channel")
    if channel is None:
        channel = await authenticate(request, request.app.state.services)
    refuse_retry_key(request)
    return channel


async def authenticate(request: Request, services: Services) -> Channel:
    """The token's channel, if it may call the API now (not suspended, within rate limits)."""
    authorization = request.headers.get("authorization")
    if services.fast_lane is not None:
        bearer = BearerAuth(FastLaneLookup(services.fast_lane), services.clock)
        channel = await bearer.authenticate(authorization)
    else:
        async with services.session_maker() as session:
            channel = await BearerAuth(SessionLookup(session), services.clock).authenticate(
                authorization
            )
    # A suspended account's bot still gets webhooks (botSuspended, botResumed) but may call
    # nothing; the channel is already loaded, so this costs no query on the hot path.
    if channel.status == ChannelStatus.SUSPENDED:
        raise Forbidden(NOT_AVAILABLE)
    await enforce_rate_limit(request, channel, services)
    return channel


ChannelDep = Annotated[Channel, Depends(authenticated_channel)]


RETRY_KEY_ROUTES = frozenset(
    f"/v2/bot/message/{kind}" for kind in ("push", "multicast", "narrowcast", "broadcast")
)


def refuse_retry_key(request: Request) -> None:
    """`X-Line-Retry-Key` is accepted only where the platform accepts it."""
    if "x-line-retry-key" in request.headers:
        route = request.scope.get("route")
        if getattr(route, "path", None) not in RETRY_KEY_ROUTES:
            raise BadRequest("X-Line-Retry-Key is not supported for this API")
