from typing import Annotated

from fastapi import Depends, Header, Request

from app.api.oauth.bearer import BearerAuth, FastLaneLookup, SessionLookup
from app.api.oauth.service import TokenService
from app.deps import ClockDep, IdsDep, ServicesDep, SessionDep
from app.kit.errors import BadRequest
from app.models import Channel


async def get_token_service(session: SessionDep, clock: ClockDep, ids: IdsDep) -> TokenService:
    return TokenService(session, clock, ids)


TokensDep = Annotated[TokenService, Depends(get_token_service)]


async def authenticated_channel(
    services: ServicesDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Channel:
    """The channel whose access token signs this request; every LINE route depends on it.

    It is looked up outside the request's session, so a route that needs no session (push on
    the fast lane) opens none; the channel is detached and read-only to LINE routes.
    """
    if services.fast_lane is not None:
        lookup = FastLaneLookup(services.fast_lane)
        return await BearerAuth(lookup, services.clock).authenticate(authorization)
    async with services.session_maker() as session:
        return await BearerAuth(SessionLookup(session), services.clock).authenticate(authorization)


ChannelDep = Annotated[Channel, Depends(authenticated_channel)]


RETRY_KEY_ROUTES = frozenset(
    f"/v2/bot/message/{kind}" for kind in ("push", "multicast", "narrowcast", "broadcast")
)


async def refuse_retry_key(request: Request) -> None:
    """`X-Line-Retry-Key` is accepted only where the platform accepts it."""
    if "x-line-retry-key" in request.headers:
        route = request.scope.get("route")
        if getattr(route, "path", None) not in RETRY_KEY_ROUTES:
            raise BadRequest("X-Line-Retry-Key is not supported for this API")
