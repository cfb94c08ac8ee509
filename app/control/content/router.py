"""What happens to sent content: users unsend, the platform expires content and prepares
videos and audio (at once, unless a test says otherwise)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from app.control.content.service import SentMessageService
from app.control.deps import ChannelServiceDep
from app.control.webhook.router import USER, ActingDep
from app.deps import ClockDep, SessionDep
from app.models import Transcoding
from app.schemas.base import WireModel
from app.webhook.events import Chat

router = APIRouter(tags=["control: content"])
MESSAGE = "/channels/{channelId}/messages/{messageId}"


async def sent_messages(session: SessionDep) -> SentMessageService:
    return SentMessageService(session)


SentMessagesDep = Annotated[SentMessageService, Depends(sent_messages)]


class TranscodingStatus(WireModel):
    status: Transcoding


@router.post(f"{USER}/messages/{{messageId}}/unsend", status_code=201)
async def unsend(
    messageId: str, acting: ActingDep, messages: SentMessagesDep, clock: ClockDep
) -> dict[str, Any]:
    """The user unsends a message they sent (within 24 hours): the bot receives an `unsend`
    event from where it was sent, and its content answers 410 from then on. 404 for a message
    the user did not send to this channel, 409 if already unsent."""
    message = await messages.sent_by(acting.channel, acting.user, messageId)
    messages.unsend(message, clock.now())
    group, room = await messages.chat_of(message)
    return await acting.events.emit(
        acting.channel,
        Chat(acting.user, group, room),
        "unsend",
        {"unsend": {"messageId": message.message_id}},
        reply=False,
    )


@router.delete(f"{MESSAGE}/content", status_code=204)
async def expire_content(
    channelId: str,
    messageId: str,
    channels: ChannelServiceDep,
    messages: SentMessagesDep,
    clock: ClockDep,
) -> Response:
    """The platform's keeping time for the content is over: the content API answers 410."""
    message = await messages.of_channel(await channels.get(channelId), messageId)
    messages.expire(message, clock.now())
    return Response(status_code=204)


@router.put(f"{MESSAGE}/transcoding", response_model=TranscodingStatus)
async def set_transcoding(
    channelId: str,
    messageId: str,
    body: TranscodingStatus,
    channels: ChannelServiceDep,
    messages: SentMessagesDep,
) -> TranscodingStatus:
    """Move a video or audio through preparation (`processing` → `succeeded` or `failed`);
    uploads are `succeeded` unless their `transcoding` form field said otherwise."""
    message = await messages.of_channel(await channels.get(channelId), messageId)
    messages.set_transcoding(message, body.status)
    return TranscodingStatus(status=body.status)
