"""Channel access token endpoints (channel-access-token.yml): form bodies, OAuth error shape."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response

from app.api.deps import TokensDep
from app.api.oauth.schemas import (
    JwtTokenResponse,
    KeyIdsResponse,
    ShortLivedTokenResponse,
    StatelessTokenResponse,
    VerifyResponse,
)
from app.schemas.base import OAuthErrorModel

router = APIRouter(tags=["channel-access-token"], responses={400: {"model": OAuthErrorModel}})

OptionalForm = Annotated[str | None, Form()]
V2_SCOPE = "P CM"
V21_SCOPE = "profile chat_message.write"


@router.post("/v2/oauth/accessToken", response_model=ShortLivedTokenResponse)
async def issue_channel_token(
    tokens: TokensDep,
    grant_type: OptionalForm = None,
    client_id: OptionalForm = None,
    client_secret: OptionalForm = None,
) -> ShortLivedTokenResponse:
    issued = await tokens.issue_short_lived(grant_type, client_id, client_secret)
    return ShortLivedTokenResponse(access_token=issued.access_token, expires_in=issued.expires_in)


@router.post("/v2/oauth/verify", response_model=VerifyResponse)
async def verify_channel_token(
    tokens: TokensDep, access_token: OptionalForm = None
) -> VerifyResponse:
    status = await tokens.verify(access_token)
    return VerifyResponse(client_id=status.channel_id, expires_in=status.expires_in, scope=V2_SCOPE)


@router.post("/v2/oauth/revoke", response_class=Response)
async def revoke_channel_token(tokens: TokensDep, access_token: OptionalForm = None) -> Response:
    await tokens.revoke(access_token)
    return Response(status_code=200)


@router.post("/oauth2/v2.1/token", response_model=JwtTokenResponse)
async def issue_channel_token_by_jwt(
    tokens: TokensDep,
    grant_type: OptionalForm = None,
    client_assertion_type: OptionalForm = None,
    client_assertion: OptionalForm = None,
) -> JwtTokenResponse:
    issued = await tokens.issue_by_assertion(grant_type, client_assertion_type, client_assertion)
    assert issued.key_id is not None
    return JwtTokenResponse(
        access_token=issued.access_token, expires_in=issued.expires_in, key_id=issued.key_id
    )


@router.get("/oauth2/v2.1/tokens/kid", response_model=KeyIdsResponse)
async def gets_all_valid_channel_access_token_key_ids(
    tokens: TokensDep,
    client_assertion_type: Annotated[str | None, Query()] = None,
    client_assertion: Annotated[str | None, Query()] = None,
) -> KeyIdsResponse:
    kids = await tokens.valid_key_ids(client_assertion_type, client_assertion)
    return KeyIdsResponse(kids=kids)


@router.get("/oauth2/v2.1/verify", response_model=VerifyResponse)
async def verify_channel_token_by_jwt(
    tokens: TokensDep,
    access_token: Annotated[str | None, Query()] = None,
) -> VerifyResponse:
    status = await tokens.verify(access_token)
    return VerifyResponse(
        client_id=status.channel_id, expires_in=status.expires_in, scope=V21_SCOPE
    )


@router.post("/oauth2/v2.1/revoke", response_class=Response)
async def revoke_channel_token_by_jwt(
    tokens: TokensDep,
    client_id: OptionalForm = None,
    client_secret: OptionalForm = None,
    access_token: OptionalForm = None,
) -> Response:
    await tokens.revoke_by_client(client_id, client_secret, access_token)
    return Response(status_code=200)


@router.post("/oauth2/v3/token", response_model=StatelessTokenResponse)
async def issue_stateless_channel_token(
    tokens: TokensDep,
    grant_type: OptionalForm = None,
    client_assertion_type: OptionalForm = None,
    client_assertion: OptionalForm = None,
    client_id: OptionalForm = None,
    client_secret: OptionalForm = None,
) -> StatelessTokenResponse:
    issued = await tokens.issue_stateless(
        grant_type, client_assertion_type, client_assertion, client_id, client_secret
    )
    return StatelessTokenResponse(access_token=issued.access_token, expires_in=issued.expires_in)
