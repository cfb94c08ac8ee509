"""The rules of rich menus: what may be created, linked, switched and shown to whom."""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError
from starlette.concurrency import run_in_threadpool

from app.api.richmenu.repository import RichMenuRepository
from app.api.richmenu.schemas import (
    MAX_WIDTH,
    MIN_HEIGHT,
    MIN_RATIO,
    MIN_WIDTH,
    BatchBody,
    RichMenuBody,
    check_user_id,
)
from app.kit.errors import BadRequest, ErrorDetail, NotFound, UnsupportedMediaType, body_errors
from app.kit.uow import UnitOfWork
from app.models import (
    Channel,
    RichMenu,
    RichMenuAlias,
    RichMenuBatch,
    RichMenuBatchPhase,
    User,
)

MAX_MENUS = 1000
MAX_ALIASES = 1000
MAX_IMAGE_BYTES = 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
# Progress and resume keys live this long after the batch is accepted.
BATCH_RETENTION = timedelta(days=14)

IMAGE_SIZE_NOT_ALLOWED = "The image size is not allowed for richmenu"
IMAGE_ALREADY_UPLOADED = "An image has already been uploaded to the richmenu"
NO_IMAGE = "must upload richmenu image before applying it to user"
USER_HAS_NO_MENU = "the user has no richmenu"
NO_DEFAULT = "no default richmenu"
ALIAS_CONFLICT = "conflict richmenu alias id"
MENU_NOT_FOUND = "richmenu not found"


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    width: int
    height: int


def _inspect_image(data: bytes) -> tuple[str, int, int]:
    """Decode the whole image (a truncated file fails here), not only its header."""
    with Image.open(io.BytesIO(data)) as image:
        kind, (width, height) = image.format or "", image.size
        image.verify()
    return kind, width, height


async def check_image(data: bytes, content_type: str | None) -> CheckedImage:
    """A rich menu image: JPEG or PNG, 800 to 2500 px wide, 250 px or taller, width / height
    at least 1.45, at most 1 MB. A missing Content-Type is allowed (the SDK may send none):
    the bytes say what the image is."""
    if content_type is not None:
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in IMAGE_TYPES.values():
            raise UnsupportedMediaType(f"The content type, {content_type}, is not supported")
    if len(data) > MAX_IMAGE_BYTES:
        raise BadRequest("The image file size is not allowed for richmenu (at most 1 MB)")
    try:
        kind, width, height = await run_in_threadpool(_inspect_image, data)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind, width, height = "", 0, 0
    if kind not in IMAGE_TYPES:
        raise BadRequest("The image format is not allowed for richmenu (JPEG or PNG)")
    if not MIN_WIDTH <= width <= MAX_WIDTH or height < MIN_HEIGHT or width / height < MIN_RATIO:
        raise BadRequest(IMAGE_SIZE_NOT_ALLOWED)
    return CheckedImage(IMAGE_TYPES[kind], width, height)


@dataclass(frozen=True)
class ShownMenu:
    menu: RichMenu
    source: str  # "user" (linked to the user) or "default" (the channel's default)


@dataclass(frozen=True)
class Switch:
    status: str
    alias_id: str
    menu: RichMenu | None = None


class RichMenuService:
    """Every rich menu operation of one channel, inside one unit of work."""

    def __init__(self, uow: UnitOfWork, channel: Channel) -> None:
        self.uow = uow
        self.channel = channel
        self.menus = RichMenuRepository(uow.session)
        self.clock = uow.services.clock

    # Menus

    async def create(self, body: RichMenuBody) -> RichMenu:
        if await self.menus.count_menus(self.channel.id) >= MAX_MENUS:
            raise BadRequest(f"The maximum number of rich menus ({MAX_MENUS}) has been reached")
        return await self.menus.add(
            RichMenu(
                rich_menu_id=self.uow.services.ids.rich_menu_id(),
                channel_pk=self.channel.id,
                width=body.width,
                height=body.height,
                selected=body.selected,
                name=body.name,
                chat_bar_text=body.chat_bar_text,
                areas=body.areas,
                created_at=self.clock.now(),
            )
        )

    async def get(self, rich_menu_id: str) -> RichMenu:
        menu = await self.menus.menu(self.channel.id, rich_menu_id)
        if menu is None:
            raise NotFound()
        return menu

    async def all(self) -> list[RichMenu]:
        return list(await self.menus.menus(self.channel.id))

    async def delete(self, rich_menu_id: str) -> None:
        await self.menus.delete_menu(await self.get(rich_menu_id))

    async def set_image(self, rich_menu_id: str, data: bytes, content_type: str | None) -> None:
        menu = await self.get(rich_menu_id)
        if menu.image is not None:
            raise BadRequest(IMAGE_ALREADY_UPLOADED)
        image = await check_image(data, content_type)
        # Areas are laid out in the menu's own pixels: an image of another size would move them.
        if (image.width, image.height) != (menu.width, menu.height):
            raise BadRequest(IMAGE_SIZE_NOT_ALLOWED)
        menu.image, menu.image_type = data, image.content_type
        await self.uow.session.flush()

    async def image(self, rich_menu_id: str) -> tuple[bytes, str]:
        menu = await self.get(rich_menu_id)
        if menu.image is None or menu.image_type is None:
            raise NotFound()
        return menu.image, menu.image_type

    async def _applicable(self, rich_menu_id: str) -> RichMenu:
        menu = await self.get(rich_menu_id)
        if menu.image is None:
            raise BadRequest(NO_IMAGE)
        return menu

    # Default menu

    async def set_default(self, rich_menu_id: str) -> None:
        menu = await self._applicable(rich_menu_id)
        await self.menus.set_default(self.channel.id, menu.id, self.clock.now())

    async def default_id(self) -> str:
        menu = await self.menus.default_menu(self.channel.id)
        if menu is None:
            raise NotFound(NO_DEFAULT)
        return menu.rich_menu_id

    async def cancel_default(self) -> None:
        await self.menus.cancel_default(self.channel.id)

    # Per-user menus

    async def link(self, user_id: str, rich_menu_id: str) -> None:
        """Only friends get the menu; anyone else is accepted and ignored, as on the platform."""
        check_user_id(user_id)
        menu = await self._applicable(rich_menu_id)
        friends = await self.menus.friends(self.channel.id, [user_id])
        await self.menus.link(self.channel.id, friends, menu.id, self.clock.now())

    async def unlink(self, user_id: str) -> None:
        check_user_id(user_id)
        await self.menus.unlink(self.channel.id, await self.menus.user_pks([user_id]))

    async def linked_id(self, user_id: str) -> str:
        check_user_id(user_id)
        pks = await self.menus.user_pks([user_id])
        menu = await self.menus.linked_menu(self.channel.id, pks[0]) if pks else None
        if menu is None:
            raise NotFound(USER_HAS_NO_MENU)
        return menu.rich_menu_id

    async def accept_bulk_link(self, rich_menu_id: str, user_ids: list[str]) -> None:
        menu = await self._applicable(rich_menu_id)
        self.uow.enqueue_after_commit(
            "link_rich_menu_to_users",
            channel_pk=self.channel.id,
            rich_menu_pk=menu.id,
            user_ids=user_ids,
        )

    def accept_bulk_unlink(self, user_ids: list[str]) -> None:
        self.uow.enqueue_after_commit(
            "unlink_rich_menu_from_users", channel_pk=self.channel.id, user_ids=user_ids
        )

    async def shown_to(self, user: User) -> ShownMenu | None:
        """The menu a user sees in the chat: their own, else the default set by API; a user
        who does not follow the account sees none."""
        if not await self.menus.friends(self.channel.id, [user.user_id]):
            return None
        linked = await self.menus.linked_menu(self.channel.id, user.id)
        if linked is not None:
            return ShownMenu(linked, "user")
        default = await self.menus.default_menu(self.channel.id)
        return ShownMenu(default, "default") if default is not None else None

    async def switch(self, user: User, alias_id: str) -> Switch:
        """What a richmenuswitch action does: link the alias's menu to the user."""
        alias = await self.menus.alias(self.channel.id, alias_id)
        if alias is None:
            return Switch("RICHMENU_ALIAS_ID_NOTFOUND", alias_id)
        menu = await self.menus.menu(self.channel.id, alias.rich_menu_id)
        if menu is None or menu.image is None:
            return Switch("RICHMENU_NOTFOUND", alias_id)
        await self.menus.link(self.channel.id, [user.id], menu.id, self.clock.now())
        return Switch("SUCCESS", alias_id, menu)

    # Aliases

    async def _alias_target(self, rich_menu_id: str) -> RichMenu:
        menu = await self.menus.menu(self.channel.id, rich_menu_id)
        if menu is None or menu.image is None:
            raise BadRequest(MENU_NOT_FOUND)
        return menu

    async def create_alias(self, alias_id: str, rich_menu_id: str) -> None:
        await self._alias_target(rich_menu_id)
        if await self.menus.alias(self.channel.id, alias_id) is not None:
            raise BadRequest(ALIAS_CONFLICT)
        if await self.menus.count_aliases(self.channel.id) >= MAX_ALIASES:
            raise BadRequest(f"The maximum number of rich menu aliases ({MAX_ALIASES}) is reached")
        await self.menus.add(
            RichMenuAlias(
                channel_pk=self.channel.id,
                alias_id=alias_id,
                rich_menu_id=rich_menu_id,
                created_at=self.clock.now(),
            )
        )

    async def get_alias(self, alias_id: str) -> RichMenuAlias:
        alias = await self.menus.alias(self.channel.id, alias_id)
        if alias is None:
            raise NotFound()
        return alias

    async def update_alias(self, alias_id: str, rich_menu_id: str) -> None:
        alias = await self.get_alias(alias_id)
        await self._alias_target(rich_menu_id)
        alias.rich_menu_id = rich_menu_id
        await self.uow.session.flush()

    async def delete_alias(self, alias_id: str) -> None:
        await self.menus.delete_alias(await self.get_alias(alias_id))

    async def aliases(self) -> list[RichMenuAlias]:
        return list(await self.menus.aliases(self.channel.id))

    # Batch control

    async def check_batch(self, batch: BatchBody) -> None:
        """What validate/batch adds to the body's own checks: every menu exists (404), and a
        menu users move to has its image (400)."""
        wanted = {i for op in batch.operations for i in (op.from_id, op.to_id) if i}
        found = await self.menus.menus_by_id(self.channel.id, wanted)
        if wanted - set(found):
            raise NotFound()
        errors = [
            ErrorDetail(NO_IMAGE, f"operations[{index}].to")
            for index, op in enumerate(batch.operations)
            if op.to_id and found[op.to_id].image is None
        ]
        if errors:
            raise body_errors(errors)

    async def accept_batch(self, batch: BatchBody, request_id: str) -> None:
        await self.check_batch(batch)
        row = await self.menus.add(
            RichMenuBatch(
                channel_pk=self.channel.id,
                request_id=request_id,
                operations=[op.to_wire() for op in batch.operations],
                resume_request_key=batch.resume_request_key,
                phase=RichMenuBatchPhase.ONGOING,
                accepted_at=self.clock.now(),
            )
        )
        self.uow.enqueue_after_commit("apply_rich_menu_batch", batch_pk=row.id)

    async def progress(self, request_id: str) -> RichMenuBatch:
        if not request_id or len(request_id) > 36:
            raise BadRequest("The value for the 'requestId' parameter is invalid")
        batch = await self.menus.batch(self.channel.id, request_id)
        if batch is None or batch.accepted_at < self.clock.now() - BATCH_RETENTION:
            raise NotFound()
        return batch


async def apply_batch(menus: RichMenuRepository, batch: RichMenuBatch, now: datetime) -> None:
    """Carry out an accepted batch once: unlinks first, then every move in one statement, so
    each operation sees the links as they were when the request was accepted.

    With a resume key, operations an earlier batch with the same key already completed are not
    done again. An operation whose menus were deleted meanwhile fails; the others still apply.
    """
    operations: list[dict[str, Any]] = [dict(op) for op in batch.operations]
    done_before: set[tuple[str, str | None, str | None]] = set()
    if batch.resume_request_key is not None:
        earlier = await menus.resumed_batch(
            batch.channel_pk, batch.resume_request_key, now - BATCH_RETENTION, batch.id
        )
        if earlier is not None:
            done_before = {
                (op["type"], op.get("from"), op.get("to"))
                for op in earlier.operations
                if op.get("done")
            }
    wanted = {op[k] for op in operations for k in ("from", "to") if k in op}
    found = await menus.menus_by_id(batch.channel_pk, wanted)
    unlinks: list[int] = []
    moves: dict[int, int] = {}
    unlink_all = False
    failed = False
    for op in operations:
        if (op["type"], op.get("from"), op.get("to")) in done_before:
            op["done"] = True
            continue
        source, target = found.get(op.get("from", "")), found.get(op.get("to", ""))
        if op["type"] == "unlinkAll":
            unlink_all = True
        elif op["type"] == "unlink" and source is not None:
            unlinks.append(source.id)
        elif op["type"] == "link" and source is not None and target is not None:
            moves[source.id] = target.id
        else:
            failed = True
            continue
        op["done"] = True
    if unlink_all:
        await menus.unlink_menus(batch.channel_pk, None)
    elif unlinks:
        await menus.unlink_menus(batch.channel_pk, unlinks)
    await menus.relink_menus(batch.channel_pk, moves, now)
    batch.operations = operations
    batch.phase = RichMenuBatchPhase.FAILED if failed else RichMenuBatchPhase.SUCCEEDED
    batch.completed_at = now
