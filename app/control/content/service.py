"""What happens to content after it is sent: the user unsends it, the platform expires it,
or finishes (or fails) preparing a video or audio."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.content.repository import UserMessageRepository
from app.kit.errors import Conflict, NotFound
from app.models import Channel, Group, Room, Transcoding, User, UserMessage

# The LINE app lets a user unsend a message within 24 hours of sending it.
UNSEND_WINDOW = timedelta(hours=24)
STREAM_TYPES = frozenset({"video", "audio"})


class SentMessageService:
    """The messages users sent, as the control plane changes them."""

    def __init__(self, session: AsyncSession) -> None:
        self.messages = UserMessageRepository(session)

    async def sent_by(self, channel: Channel, user: User, message_id: str) -> UserMessage:
        message = await self.messages.of_channel(channel.id, message_id)
        if message is None or message.user_pk != user.id:
            raise NotFound(f"User {user.user_id} sent no message {message_id} to this channel")
        return message

    async def chat_of(self, message: UserMessage) -> tuple[Group | None, Room | None]:
        return await self.messages.chat_of(message)

    async def of_channel(self, channel: Channel, message_id: str) -> UserMessage:
        message = await self.messages.of_channel(channel.id, message_id)
        if message is None:
            raise NotFound(f"Channel {channel.channel_id} received no message {message_id}")
        return message

    def unsend(self, message: UserMessage, now: datetime) -> None:
        if message.unsent_at is not None:
            raise Conflict(f"Message {message.message_id} is already unsent")
        if now - message.sent_at > UNSEND_WINDOW:
            raise Conflict(
                f"Message {message.message_id} was sent more than 24 hours ago and can no "
                "longer be unsent"
            )
        message.unsent_at = now

    def expire(self, message: UserMessage, now: datetime) -> None:
        if message.content_type is None:
            raise Conflict(f"Message {message.message_id} has no content")
        if message.content_removed_at is None:
            message.content_removed_at = now
        # The bytes are of no use any more; the row stays for unsend and mark-as-read.
        message.content = None
        message.preview = None

    def set_transcoding(self, message: UserMessage, status: Transcoding) -> None:
        if message.type not in STREAM_TYPES:
            raise Conflict(
                f"Message {message.message_id} is a {message.type}: only video and "
                "audio are prepared"
            )
        message.transcoding = status
