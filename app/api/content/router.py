"""Content users sent: on the platform these live on api-data.line.me; here one origin serves
both, as the SDKs send everything to the configured host."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from app.api.content.service import ContentService
from app.api.deps import ChannelDep
from app.deps import SessionDep
from app.models import Transcoding
from app.schemas.base import WireModel

router = APIRouter(tags=["messaging-api-blob"])
BLOB: dict[int | str, dict[str, Any]] = {
    200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
}


async def content_service(session: SessionDep, channel: ChannelDep) -> ContentService:
    return ContentService(session, channel)


ContentDep = Annotated[ContentService, Depends(content_service)]


class TranscodingResponse(WireModel):
    status: Transcoding


@router.get("/v2/bot/message/{messageId}/content", response_class=Response, responses=BLOB)
async def get_message_content(messageId: str, contents: ContentDep) -> Response:
    """The image, video, audio or file a user sent, with the Content-Type it was sent as."""
    content = await contents.content(messageId)
    return Response(content.data, media_type=content.content_type)


@router.get("/v2/bot/message/{messageId}/content/preview", response_class=Response, responses=BLOB)
async def get_message_content_preview(messageId: str, contents: ContentDep) -> Response:
    """A JPEG at most 240 px on a side of an image, or a still for a video; 404 for audio and
    files, which have none."""
    content = await contents.preview(messageId)
    return Response(content.data, media_type=content.content_type)


@router.get("/v2/bot/message/{messageId}/content/transcoding", response_model=TranscodingResponse)
async def get_message_content_transcoding(
    messageId: str, contents: ContentDep
) -> TranscodingResponse:
    """Whether a video or audio can be fetched yet (`processing`, `succeeded`, `failed`)."""
    return TranscodingResponse(status=await contents.transcoding(messageId))
