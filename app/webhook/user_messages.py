"""Messages as a simulated user's app sends them, checked with LINE-style property paths."""

from dataclasses import dataclass
from typing import Any

from app.kit.errors import BadRequest, ErrorDetail
from app.models import Transcoding

MEDIA_TYPES = ("image", "video", "audio", "file")


@dataclass(frozen=True)
class Media:
    """Uploaded content that travels with a user's image, video, audio or file message."""

    content_type: str
    data: bytes
    preview: bytes | None = None
    file_name: str | None = None
    duration_ms: int | None = None
    transcoding: Transcoding | None = None


def parse_user_message(message: Any) -> dict[str, Any]:
    """The message object of a user's text, sticker or location message (JSON)."""
    if not isinstance(message, dict):
        raise BadRequest("The request body has 1 error(s)", [ErrorDetail("Must be an object", "")])
    kind = message.get("type")
    if kind in MEDIA_TYPES:
        raise BadRequest(
            f"A {kind} message carries uploaded content: send it as multipart/form-data "
            "with the file in the `file` field"
        )
    errors: list[ErrorDetail] = []
    if kind == "text":
        text = message.get("text")
        if not isinstance(text, str) or not text:
            errors.append(ErrorDetail("May not be empty", "text"))
        elif len(text) > 5000:
            errors.append(ErrorDetail("Length must be between 1 and 5000", "text"))
        content = {"type": "text", "text": text}
        for optional in ("emojis", "mention"):
            if optional in message:
                content[optional] = message[optional]
    elif kind == "sticker":
        for key in ("packageId", "stickerId"):
            if not isinstance(message.get(key), str) or not message.get(key):
                errors.append(ErrorDetail("May not be empty", key))
        content = {
            "type": "sticker",
            "packageId": message.get("packageId"),
            "stickerId": message.get("stickerId"),
            "stickerResourceType": message.get("stickerResourceType", "STATIC"),
        }
    elif kind == "location":
        for key, bound in (("latitude", 90), ("longitude", 180)):
            value = message.get(key)
            if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > bound:
                errors.append(ErrorDetail(f"Must be a number between -{bound} and {bound}", key))
        content = {"type": "location", "latitude": message.get("latitude")}
        content["longitude"] = message.get("longitude")
        for key in ("title", "address"):
            if isinstance(message.get(key), str):
                content[key] = message[key]
    else:
        errors.append(
            ErrorDetail(
                "Must be one of the following values: [text, sticker, location, image, video, "
                "audio, file]",
                "type",
            )
        )
        content = {}
    if errors:
        raise BadRequest(f"The request body has {len(errors)} error(s)", errors)
    return content
