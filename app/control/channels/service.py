from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.oauth.service import TokenService
from app.control.channels.repository import ChannelRepository
from app.kit.clock import Clock
from app.kit.errors import NotFound
from app.kit.ids import IdFactory
from app.models import Channel, ChatMode


@dataclass(frozen=True)
class NewChannel:
    channel: Channel
    access_token: str


class ChannelService:
    def __init__(self, session: AsyncSession, clock: Clock, ids: IdFactory) -> None:
        self.channels = ChannelRepository(session)
        self.tokens = TokenService(session, clock, ids)
        self.clock = clock
        self.ids = ids

    async def create(
        self,
        name: str,
        *,
        webhook_url: str | None = None,
        picture_url: str | None = None,
        chat_mode: ChatMode = ChatMode.BOT,
        is_demo: bool = False,
    ) -> NewChannel:
        channel = await self.channels.add(
            Channel(
                channel_id=self.ids.channel_id(),
                secret=self.ids.channel_secret(),
                bot_user_id=self.ids.user_id(),
                basic_id=self.ids.basic_id(),
                name=name,
                picture_url=picture_url,
                webhook_url=webhook_url,
                webhook_enabled=True,
                webhook_redelivery=False,
                chat_mode=chat_mode,
                is_demo=is_demo,
                created_at=self.clock.now(),
            )
        )
        return NewChannel(channel, await self.tokens.issue_long_lived(channel))

    async def get(self, channel_id: str) -> Channel:
        channel = await self.channels.get_by_channel_id(channel_id)
        if channel is None:
            raise NotFound(f"Channel {channel_id} not found")
        return channel

    async def ensure_demo(self) -> tuple[NewChannel, bool]:
        """The demo channel and its long-lived token, created on first start."""
        demo = await self.channels.get_demo()
        if demo is not None:
            token = await self.tokens.tokens.long_lived_token(demo.id)
            if token is not None:
                return NewChannel(demo, token.token), False
            return NewChannel(demo, await self.tokens.issue_long_lived(demo)), False
        return await self.create("Kizuna Demo", is_demo=True), True
