"""Rich menu wire models, and the request bodies checked with LINE's property paths."""

import re
from dataclasses import dataclass
from typing import Any

from app.api.message.schemas import USER_ID
from app.kit.errors import BadRequest, ErrorDetail, body_errors
from app.schemas.base import WireModel
from app.schemas.message.actions import RICH_MENU, action
from app.schemas.message.checks import (
    MUST_BE_SPECIFIED,
    Arr,
    Check,
    Details,
    Int,
    Str,
    boolean,
    detail,
    one_of,
    required,
    shape,
)

RICH_MENU_ID = re.compile(r"^richmenu-[0-9a-f]{32}$")
ALIAS_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
RESUME_REQUEST_KEY = re.compile(r"^[0-9a-zA-Z_-]{1,100}$")

MIN_WIDTH, MAX_WIDTH, MIN_HEIGHT = 800, 2500, 250
MIN_RATIO = 1.45
MAX_AREAS = 20
MAX_BULK_USERS = 500
MAX_BATCH_OPERATIONS = 1000
INVALID_RICH_MENU_ID = "invalid richMenuId"
INVALID_USER_ID = "The value for the 'userId' parameter is invalid"


class RichMenuSizeModel(WireModel):
    width: int
    height: int


class RichMenuResponse(WireModel):
    rich_menu_id: str
    size: RichMenuSizeModel
    selected: bool
    name: str
    chat_bar_text: str
    areas: list[dict[str, Any]]


class RichMenuListResponse(WireModel):
    richmenus: list[RichMenuResponse]


class RichMenuIdResponse(WireModel):
    rich_menu_id: str


class RichMenuAliasResponse(WireModel):
    rich_menu_alias_id: str
    rich_menu_id: str


class RichMenuAliasListResponse(WireModel):
    aliases: list[RichMenuAliasResponse]


class RichMenuBatchProgressResponse(WireModel):
    phase: str
    accepted_time: str
    completed_time: str | None = None


def _ratio(size: dict[str, Any], path: str) -> Details:
    width, height = size.get("width"), size.get("height")
    if not (isinstance(width, int) and isinstance(height, int) and height > 0):
        return
    if width / height < MIN_RATIO:
        yield detail(path, f"The aspect ratio (width / height) must be at least {MIN_RATIO}")


SIZE = shape(
    required("width", Int(MIN_WIDTH, MAX_WIDTH)),
    required("height", Int(MIN_HEIGHT)),
    rules=(_ratio,),
)
BOUNDS = shape(
    required("x", Int(0)),
    required("y", Int(0)),
    required("width", Int(1)),
    required("height", Int(1)),
)
AREA = shape(required("bounds", BOUNDS), required("action", action(RICH_MENU)))
TOP_LEVEL: tuple[tuple[str, Check], ...] = (
    ("size", SIZE),
    ("selected", boolean),
    ("name", Str(max_len=300)),
    ("chatBarText", Str(max_len=14)),
    ("areas", Arr(AREA, max_items=MAX_AREAS)),
)


@dataclass(frozen=True)
class RichMenuBody:
    width: int
    height: int
    selected: bool
    name: str
    chat_bar_text: str
    areas: list[dict[str, Any]]


def _outside(area: object, width: int, height: int, path: str) -> Details:
    """An area must lie on the image: taps are found by where they fall in it."""
    bounds = area.get("bounds") if isinstance(area, dict) else None
    if not isinstance(bounds, dict):
        return
    x, y, w, h = (bounds.get(k) for k in ("x", "y", "width", "height"))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y, w, h)):
        assert isinstance(x, int) and isinstance(y, int)
        assert isinstance(w, int) and isinstance(h, int)
        if x + w > width or y + h > height:
            yield detail(f"{path}.bounds", f"Must be inside the rich menu ({width}x{height})")


def parse_rich_menu(body: dict[str, Any]) -> RichMenuBody:
    """The rich menu object of create and validate, or 400 naming every bad property."""
    errors: list[ErrorDetail] = []
    for name, check in TOP_LEVEL:
        value = body.get(name)
        if value is None:
            errors.append(ErrorDetail(MUST_BE_SPECIFIED, name))
        else:
            errors.extend(check(value, name))
    if errors:
        raise body_errors(errors)
    width, height = body["size"]["width"], body["size"]["height"]
    for index, area in enumerate(body["areas"]):
        errors.extend(_outside(area, width, height, f"areas[{index}]"))
    if errors:
        raise body_errors(errors)
    return RichMenuBody(
        width, height, body["selected"], body["name"], body["chatBarText"], body["areas"]
    )


def _rich_menu_id(
    body: dict[str, Any], prop: str, errors: list[ErrorDetail], path: str = ""
) -> str:
    value = body.get(prop)
    where = f"{path}.{prop}" if path else prop
    if value is None or value == "":
        errors.append(ErrorDetail(MUST_BE_SPECIFIED, where))
    elif not isinstance(value, str) or not RICH_MENU_ID.match(value):
        errors.append(ErrorDetail(INVALID_RICH_MENU_ID, where))
    else:
        return value
    return ""


def _user_ids(body: dict[str, Any], errors: list[ErrorDetail]) -> list[str]:
    value = body.get("userIds")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BULK_USERS:
        errors.append(ErrorDetail(f"size must be between 1 and {MAX_BULK_USERS}", "userIds"))
        return []
    for index, user_id in enumerate(value):
        if not isinstance(user_id, str) or not USER_ID.match(user_id):
            errors.append(ErrorDetail("invalid userId", f"userIds[{index}]"))
    return [u for u in value if isinstance(u, str)]


def parse_bulk_link(body: dict[str, Any]) -> tuple[str, list[str]]:
    errors: list[ErrorDetail] = []
    rich_menu_id = _rich_menu_id(body, "richMenuId", errors)
    user_ids = _user_ids(body, errors)
    if errors:
        raise body_errors(errors)
    return rich_menu_id, user_ids


def parse_bulk_unlink(body: dict[str, Any]) -> list[str]:
    errors: list[ErrorDetail] = []
    user_ids = _user_ids(body, errors)
    if errors:
        raise body_errors(errors)
    return user_ids


def parse_alias_id(alias_id: object) -> str:
    """Lowercase letters, digits, `_` and `-`, 1 to 32 of them."""
    if alias_id is None or alias_id == "":
        raise body_errors([ErrorDetail(MUST_BE_SPECIFIED, "richMenuAliasId")])
    if not isinstance(alias_id, str) or not ALIAS_ID.match(alias_id):
        raise body_errors([ErrorDetail("invalid richMenuAliasId", "richMenuAliasId")])
    return alias_id


def parse_alias_target(body: dict[str, Any]) -> str:
    errors: list[ErrorDetail] = []
    rich_menu_id = _rich_menu_id(body, "richMenuId", errors)
    if errors:
        raise body_errors(errors)
    return rich_menu_id


@dataclass(frozen=True)
class BatchOperation:
    type: str
    from_id: str | None = None
    to_id: str | None = None

    def to_wire(self) -> dict[str, str]:
        wire = {"type": self.type}
        if self.from_id is not None:
            wire["from"] = self.from_id
        if self.to_id is not None:
            wire["to"] = self.to_id
        return wire


@dataclass(frozen=True)
class BatchBody:
    operations: list[BatchOperation]
    resume_request_key: str | None


BATCH_TYPES = ("link", "unlink", "unlinkAll")


def parse_batch(body: dict[str, Any]) -> BatchBody:
    """The body of batch control and of its validation: everything that does not need the
    database (the menus' existence is the service's)."""
    errors: list[ErrorDetail] = []
    raw = body.get("operations")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_BATCH_OPERATIONS:
        size = f"size must be between 1 and {MAX_BATCH_OPERATIONS}"
        raise body_errors([ErrorDetail(size, "operations")])
    operations: list[BatchOperation] = []
    for index, item in enumerate(raw):
        path = f"operations[{index}]"
        if not isinstance(item, dict):
            errors.append(ErrorDetail("Must be an object", path))
            continue
        kind = item.get("type")
        if kind not in BATCH_TYPES:
            errors.append(ErrorDetail(one_of(BATCH_TYPES), f"{path}.type"))
            continue
        from_id = _rich_menu_id(item, "from", errors, path) if kind != "unlinkAll" else None
        to_id = _rich_menu_id(item, "to", errors, path) if kind == "link" else None
        operations.append(BatchOperation(str(kind), from_id, to_id))
    kinds = {op.type for op in operations}
    if "unlinkAll" in kinds and len(raw) > 1:
        errors.append(
            ErrorDetail("'unlinkAll' type can't be combined with other type", "operations[].type")
        )
    seen: set[str] = set()
    for op in operations:
        if op.from_id:
            if op.from_id in seen:
                message = f"from richmenu ({op.from_id}) is duplicated"
                errors.append(ErrorDetail(message, "operations[].from"))
            seen.add(op.from_id)
    key = body.get("resumeRequestKey")
    if key is not None and (not isinstance(key, str) or not RESUME_REQUEST_KEY.match(key)):
        errors.append(ErrorDetail("Invalid format", "resumeRequestKey"))
    if errors:
        raise body_errors(errors)
    return BatchBody(operations, key)


def check_user_id(user_id: str) -> str:
    if not USER_ID.match(user_id):
        raise BadRequest(INVALID_USER_ID)
    return user_id
