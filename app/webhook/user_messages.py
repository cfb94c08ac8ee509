"""Messages as a simulated user's app sends them, checked with LINE-style property paths.

Text, sticker and location messages come as JSON; image, video, audio and file messages as
multipart/form-data with the upload in `file`. `read_user_message` tells them apart, so every
route where a user speaks (one-to-one, group, room) accepts both the same way.
"""

import functools
import io
import json
import mimetypes
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from app.kit.errors import BadRequest, ErrorDetail, UnsupportedMediaType, body_errors
from app.models import Transcoding

MEDIA_TYPES = ("image", "video", "audio", "file")

# What the LINE app lets a user send. The request body cap (KIZUNA_MAX_BODY_BYTES) applies
# first, so raise that too to rehearse bigger uploads.
MAX_UPLOAD_BYTES = {
    "image": 10 * 1024 * 1024,
    "video": 200 * 1024 * 1024,
    "audio": 200 * 1024 * 1024,
    "file": 1024 * 1024 * 1024,
}
# A small file can still decode to a huge bitmap; refuse before decoding it.
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"})
PREVIEW_MAX_PX = 240
# A video or voice message of the LINE app lasts at most this long (ms).
MAX_DURATION_MS = 60 * 60 * 1000
MAX_FILE_NAME = 255
MAX_CONTENT_TYPE = 100  # what the messages table keeps


# The request body of a route that reads `read_user_message`, for its OpenAPI description
# (`openapi_extra=USER_MESSAGE_BODY`): FastAPI cannot infer a body read from the request.
USER_MESSAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"enum": ["text", "sticker", "location"]}},
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["type", "file"],
                    "properties": {
                        "type": {"enum": list(MEDIA_TYPES)},
                        "file": {"type": "string", "format": "binary"},
                        "duration": {"type": "integer", "description": "ms; video and audio"},
                        "fileName": {"type": "string", "description": "file; the upload's name"},
                        "transcoding": {"enum": [status.value for status in Transcoding]},
                    },
                }
            },
        },
    }
}


@dataclass(frozen=True)
class Media:
    """Uploaded content that travels with a user's image, video, audio or file message."""

    content_type: str
    data: bytes
    preview: bytes | None = None
    file_name: str | None = None
    duration_ms: int | None = None
    transcoding: Transcoding | None = None


async def read_user_message(request: Request) -> tuple[dict[str, Any], Media | None]:
    """The message a user sends, by the request's Content-Type: JSON for text, sticker and
    location; multipart/form-data for image, video, audio and file (with the upload)."""
    content_type = request.headers.get("content-type") or ""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=16) as form:
            return await parse_media_message(form)
    if media_type == "application/json" or media_type.endswith("+json"):
        return parse_user_message(_json_body(await request.body())), None
    raise UnsupportedMediaType(f"The content type, {content_type or '(none)'}, is not supported")


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BadRequest(
            "The request body could not be parsed as JSON (line: 1, column: 1)"
        ) from None
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"The request body could not be parsed as JSON (line: {exc.lineno}, "
            f"column: {exc.colno})"
        ) from None


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


async def parse_media_message(form: FormData) -> tuple[dict[str, Any], Media]:
    """An image, video, audio or file message from its form fields: `type`, `file`, and
    `duration` (ms; video and audio), `fileName` (file) and `transcoding` (video and audio:
    how far the platform got preparing the content, `succeeded` unless said)."""
    kind = _text_field(form, "type")
    if kind not in MEDIA_TYPES:
        raise body_errors(
            [
                ErrorDetail(
                    "Must be one of the following values: [image, video, audio, file]", "type"
                )
            ]
        )
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise body_errors([ErrorDetail("May not be empty", "file")])
    limit = MAX_UPLOAD_BYTES[kind]
    # The part is spooled already; its size says whether reading it is worth it.
    data = b"" if upload.size is not None and upload.size > limit else await upload.read()
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if len(declared) > MAX_CONTENT_TYPE:  # no real media type is this long: as if undeclared
        declared = ""
    errors: list[ErrorDetail] = []
    if len(data) > limit or (upload.size or 0) > limit:
        errors.append(ErrorDetail(f"Size must be at most {limit} bytes", "file"))
    elif not data:
        errors.append(ErrorDetail("May not be empty", "file"))
    duration: int | None = None
    transcoding: Transcoding | None = None
    if kind in ("video", "audio"):
        duration = _duration(form, errors)
        transcoding = _transcoding(form, errors)
    file_name: str | None = None
    if kind == "file":
        file_name = _text_field(form, "fileName") or upload.filename
        if not file_name:
            errors.append(ErrorDetail("May not be empty", "fileName"))
        elif len(file_name) > MAX_FILE_NAME:
            errors.append(ErrorDetail(f"Length must be at most {MAX_FILE_NAME}", "fileName"))
    if errors:
        raise body_errors(errors)

    line = {"type": "line"}
    if kind == "image":
        return await run_in_threadpool(image_message, data)
    if kind == "file":
        assert file_name is not None
        guessed = mimetypes.guess_type(file_name)[0]
        stored_type = declared if _specific(declared) else guessed or "application/octet-stream"
        content = {"type": "file", "fileName": file_name, "fileSize": len(data)}
        return content, Media(stored_type, data, file_name=file_name)
    stored_type = _checked_stream(kind, data, declared)
    content = {"type": kind, "duration": duration, "contentProvider": line}
    # The platform shows a video as its first frame; without a decoder Kizuna draws one.
    frame = _video_placeholder() if kind == "video" else None
    return content, Media(stored_type, data, frame, duration_ms=duration, transcoding=transcoding)


def image_message(data: bytes) -> tuple[dict[str, Any], Media]:
    """An image message of these bytes (checked, with its preview)."""
    stored_type, preview = _checked_image(data)
    content = {"type": "image", "contentProvider": {"type": "line"}}
    return content, Media(stored_type, data, preview)


def snapshot(caption: str) -> bytes:
    """A photo for a simulated camera or camera roll: a JPEG that names what it shows."""
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    ImageDraw.Draw(image).text((24, 24), caption[:60], fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _text_field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else None


def _duration(form: FormData, errors: list[ErrorDetail]) -> int | None:
    raw = _text_field(form, "duration")
    if not raw:
        errors.append(ErrorDetail("May not be empty", "duration"))
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_DURATION_MS:
        message = f"Must be a number of milliseconds between 1 and {MAX_DURATION_MS}"
        errors.append(ErrorDetail(message, "duration"))
        return None
    return value


def _transcoding(form: FormData, errors: list[ErrorDetail]) -> Transcoding | None:
    raw = _text_field(form, "transcoding") or Transcoding.SUCCEEDED.value
    try:
        return Transcoding(raw)
    except ValueError:
        values = ", ".join(status.value for status in Transcoding)
        errors.append(
            ErrorDetail(f"Must be one of the following values: [{values}]", "transcoding")
        )
        return None


def _specific(content_type: str) -> bool:
    return bool(content_type) and content_type != "application/octet-stream"


def _checked_image(data: bytes) -> tuple[str, bytes]:
    """The image's real MIME type and a JPEG preview at most PREVIEW_MAX_PX on a side."""
    unreadable = body_errors(
        [ErrorDetail("Must be an image (JPEG, PNG, GIF, WebP, BMP or TIFF)", "file")]
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise unreadable
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise body_errors(
                    [ErrorDetail(f"Must have at most {MAX_IMAGE_PIXELS} pixels", "file")]
                )
            mime = image.get_format_mimetype() or "application/octet-stream"
            image.load()
            return mime, _jpeg_preview(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        # Truncated or corrupt data fails only once Pillow decodes the pixels.
        raise unreadable from None


def _jpeg_preview(image: Image.Image) -> bytes:
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))
    # JPEG has no alpha: transparent areas show white, as in the LINE app's chat.
    rgba = upright.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=80)
    return out.getvalue()


@functools.cache
def _video_placeholder() -> bytes:
    frame = Image.new("RGB", (PREVIEW_MAX_PX, PREVIEW_MAX_PX * 9 // 16), (32, 32, 32))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=80)
    return out.getvalue()


def _sniff(data: bytes) -> tuple[str, str] | None:
    """(kind, MIME type) of a video or audio container recognised by its leading bytes."""
    head = data[:64]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"M4P "):
            return "audio", "audio/mp4"
        if brand == b"qt  ":
            return "video", "video/quicktime"
        if brand.startswith(b"3g"):
            return "video", "video/3gpp"
        return "video", "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "video/webm"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video", "video/x-msvideo"
    if head.startswith(b"\x00\x00\x01\xba") or (len(data) > 188 and data[0] == data[188] == 0x47):
        return "video", "video/mp2t" if data[0] == 0x47 else "video/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"OggS"):
        return "audio", "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    if head.startswith(b"#!AMR"):
        return "audio", "audio/amr"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        # MPEG audio frames and AAC's ADTS frames share the 11-bit sync word.
        return "audio", "audio/aac" if head[1] & 0x06 == 0 and head[0] == 0xFF else "audio/mpeg"
    return None


# Containers that carry either sound or pictures: the sender's kind decides.
SHARED_CONTAINERS = {"video/mp4": "audio/mp4", "video/webm": "audio/webm", "audio/ogg": "video/ogg"}


def _checked_stream(kind: str, data: bytes, declared: str) -> str:
    """The MIME type a video or audio upload is served with; 400 unless its bytes look like
    a video (audio) container. The declared type wins when it names the right kind."""
    sniffed = _sniff(data)
    if sniffed is not None and sniffed[0] != kind:
        shared = SHARED_CONTAINERS.get(sniffed[1])
        sniffed = (kind, shared) if shared else None
    if sniffed is None:
        names = "MP4, MOV, WebM, AVI or MPEG" if kind == "video" else "M4A, MP3, AAC, WAV or OGG"
        raise body_errors([ErrorDetail(f"Must be a {kind} file ({names})", "file")])
    return declared if declared.startswith(f"{kind}/") else sniffed[1]
