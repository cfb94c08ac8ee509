from typing import Any

from fastapi import APIRouter

from app.api.deps import TokensDep
from app.control.deps import ChannelServiceDep
from app.control.schemas import ChannelCredentials, ChannelView, CreateChannelRequest
from app.models import Channel

router = APIRouter(prefix="/channels", tags=["control: channels"])


def _view(channel: Channel) -> ChannelView:
    return ChannelView(
        channel_id=channel.channel_id,
        channel_secret=channel.secret,
        bot_user_id=channel.bot_user_id,
        basic_id=channel.basic_id,
        name=channel.name,
        picture_url=channel.picture_url,
        webhook_url=channel.webhook_url,
        webhook_enabled=channel.webhook_enabled,
        webhook_redelivery=channel.webhook_redelivery,
        chat_mode=channel.chat_mode,
        quota_type=channel.quota_type,
        quota_limit=channel.quota_limit,
        created_at=channel.created_at,
    )


@router.post("", status_code=201, response_model=ChannelCredentials)
async def create_channel(
    body: CreateChannelRequest, channels: ChannelServiceDep
) -> ChannelCredentials:
    """Create a Messaging API channel with a long-lived channel access token."""
    created = await channels.create(
        body.name,
        webhook_url=str(body.webhook_url) if body.webhook_url else None,
        picture_url=str(body.picture_url) if body.picture_url else None,
        chat_mode=body.chat_mode,
    )
    channel = created.channel
    return ChannelCredentials(
        channel_id=channel.channel_id,
        channel_secret=channel.secret,
        bot_user_id=channel.bot_user_id,
        basic_id=channel.basic_id,
        access_token=created.access_token,
    )


@router.get("", response_model=list[ChannelView])
async def list_channels(channels: ChannelServiceDep) -> list[ChannelView]:
    return [_view(channel) for channel in await channels.channels.list()]


@router.get("/{channelId}", response_model=ChannelView)
async def get_channel(channelId: str, channels: ChannelServiceDep) -> ChannelView:
    return _view(await channels.get(channelId))


@router.post("/{channelId}/access-tokens", status_code=201)
async def issue_long_lived_token(
    channelId: str, channels: ChannelServiceDep, tokens: TokensDep
) -> dict[str, str]:
    """Issue another long-lived channel access token (the console's "Issue" button)."""
    channel = await channels.get(channelId)
    return {"accessToken": await tokens.issue_long_lived(channel)}


@router.post("/{channelId}/assertion-keys", status_code=201)
async def register_assertion_key(
    channelId: str, jwk: dict[str, Any], channels: ChannelServiceDep, tokens: TokensDep
) -> dict[str, str]:
    """Register the public key (a JWK) of an assertion signing key; answers its `kid`.

    Token v2.1 and stateless tokens can then be issued with JWTs signed by the private key.
    """
    channel = await channels.get(channelId)
    key = await tokens.register_assertion_key(channel, jwk)
    return {"kid": key.kid}
