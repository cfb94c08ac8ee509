from typing import Annotated

from fastapi import Depends, Header

from app.api.oauth.service import TokenService
from app.deps import ClockDep, IdsDep, SessionDep
from app.models import Channel


def get_token_service(session: SessionDep, clock: ClockDep, ids: IdsDep) -> TokenService:
    return TokenService(session, clock, ids)


TokensDep = Annotated[TokenService, Depends(get_token_service)]


async def authenticated_channel(
    tokens: TokensDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Channel:
    """The channel whose access token signs this request; every LINE route depends on it."""
    return await tokens.authenticate(authorization)


ChannelDep = Annotated[Channel, Depends(authenticated_channel)]
