"""The content users sent, as the bot fetches it."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.content.repository import UserMessageRepository
from app.kit.errors import Gone, NotFound
from app.models import Channel, Transcoding, UserMessage

PREVIEW_TYPES = frozenset({"image", "video"})


def not_found() -> NotFound:
    return NotFound("not found")


def gone() -> Gone:
    return Gone("The content is gone")


@dataclass(frozen=True)
class Content:
    data: bytes
    content_type: str


class ContentService:
    """What the content API answers for one channel's bot."""

    def __init__(self, session: AsyncSession, channel: Channel) -> None:
        self.messages = UserMessageRepository(session)
        self.channel = channel

    async def _media(self, message_id: str, *, with_bytes: bool = False) -> UserMessage:
        message = await self.messages.of_channel(self.channel.id, message_id, with_bytes=with_bytes)
        if message is None or message.content_type is None:
            raise not_found()
        # Unsent content is taken off the platform at once, like content past its keeping time.
        if message.unsent_at is not None or message.content_removed_at is not None:
            raise gone()
        return message

    async def content(self, message_id: str) -> Content:
        message = await self._media(message_id, with_bytes=True)
        assert message.content is not None and message.content_type is not None
        if message.transcoding == Transcoding.FAILED:
            raise gone()
        if message.transcoding == Transcoding.PROCESSING:
            # As observed on the platform: fetched before it is ready, the content comes back
            # empty. Bots are to poll the transcoding status first.
            return Content(b"", message.content_type)
        return Content(message.content, message.content_type)

    async def preview(self, message_id: str) -> Content:
        message = await self._media(message_id, with_bytes=True)
        if message.type not in PREVIEW_TYPES or message.preview is None:
            raise not_found()
        return Content(message.preview, "image/jpeg")

    async def transcoding(self, message_id: str) -> Transcoding:
        message = await self._media(message_id)
        # Images and files need no preparation: they can be fetched as soon as they are sent.
        return message.transcoding or Transcoding.SUCCEEDED
