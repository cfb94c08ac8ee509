"""Rich menu work the platform answers 202 for and does afterwards."""

from typing import Any

from app.api.richmenu.repository import RichMenuRepository
from app.api.richmenu.service import apply_batch
from app.kit.db import transaction
from app.kit.queue import job
from app.kit.services import Services
from app.models import RichMenu, RichMenuBatchPhase


@job
async def link_rich_menu_to_users(
    ctx: dict[str, Any], channel_pk: int, rich_menu_pk: int, user_ids: list[str]
) -> int:
    """Link the menu to those of the users who follow the channel (relinking is harmless, so
    running twice is too). A menu deleted before the job ran links nobody."""
    services: Services = ctx["services"]
    async with transaction(services.session_maker) as session:
        menus = RichMenuRepository(session)
        if await session.get(RichMenu, rich_menu_pk) is None:
            return 0
        friends = await menus.friends(channel_pk, user_ids)
        await menus.link(channel_pk, friends, rich_menu_pk, services.clock.now())
        return len(friends)


@job
async def unlink_rich_menu_from_users(
    ctx: dict[str, Any], channel_pk: int, user_ids: list[str]
) -> None:
    services: Services = ctx["services"]
    async with transaction(services.session_maker) as session:
        menus = RichMenuRepository(session)
        await menus.unlink(channel_pk, await menus.user_pks(user_ids))


@job
async def apply_rich_menu_batch(ctx: dict[str, Any], batch_pk: int) -> None:
    """Apply a batch and record its outcome in one transaction; a second run finds it done."""
    services: Services = ctx["services"]
    async with transaction(services.session_maker) as session:
        menus = RichMenuRepository(session)
        batch = await menus.batch_for_update(batch_pk)
        if batch is None or batch.phase != RichMenuBatchPhase.ONGOING:
            return
        await apply_batch(menus, batch, services.clock.now())
