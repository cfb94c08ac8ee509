from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, insert, select, update

from app.kit.repository import Repository
from app.models import (
    Friendship,
    FriendshipStatus,
    RichMenu,
    RichMenuAlias,
    RichMenuBatch,
    RichMenuDefault,
    RichMenuLink,
    User,
)


class RichMenuRepository(Repository):
    async def menu(self, channel_pk: int, rich_menu_id: str) -> RichMenu | None:
        return await self.session.scalar(
            select(RichMenu).where(
                RichMenu.channel_pk == channel_pk, RichMenu.rich_menu_id == rich_menu_id
            )
        )

    async def menus(self, channel_pk: int) -> Sequence[RichMenu]:
        rows = await self.session.scalars(
            select(RichMenu).where(RichMenu.channel_pk == channel_pk).order_by(RichMenu.id)
        )
        return rows.all()

    async def menus_by_id(self, channel_pk: int, rich_menu_ids: set[str]) -> dict[str, RichMenu]:
        rows = await self.session.scalars(
            select(RichMenu).where(
                RichMenu.channel_pk == channel_pk, RichMenu.rich_menu_id.in_(rich_menu_ids)
            )
        )
        return {menu.rich_menu_id: menu for menu in rows}

    async def count_menus(self, channel_pk: int) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(RichMenu).where(RichMenu.channel_pk == channel_pk)
        )
        return int(count or 0)

    async def delete_menu(self, menu: RichMenu) -> None:
        # Links and the default go with it (ON DELETE CASCADE); aliases stay, pointing nowhere.
        await self.session.execute(delete(RichMenu).where(RichMenu.id == menu.id))

    async def default_menu(self, channel_pk: int) -> RichMenu | None:
        return await self.session.scalar(
            select(RichMenu)
            .join(RichMenuDefault, RichMenuDefault.rich_menu_pk == RichMenu.id)
            .where(RichMenuDefault.channel_pk == channel_pk)
        )

    async def set_default(self, channel_pk: int, menu_pk: int, now: datetime) -> None:
        await self.cancel_default(channel_pk)
        self.session.add(RichMenuDefault(channel_pk=channel_pk, rich_menu_pk=menu_pk, set_at=now))
        await self.session.flush()

    async def cancel_default(self, channel_pk: int) -> None:
        await self.session.execute(
            delete(RichMenuDefault).where(RichMenuDefault.channel_pk == channel_pk)
        )

    async def linked_menu(self, channel_pk: int, user_pk: int) -> RichMenu | None:
        return await self.session.scalar(
            select(RichMenu)
            .join(RichMenuLink, RichMenuLink.rich_menu_pk == RichMenu.id)
            .where(RichMenuLink.channel_pk == channel_pk, RichMenuLink.user_pk == user_pk)
        )

    async def friends(self, channel_pk: int, user_ids: Sequence[str]) -> list[int]:
        """Keys of the users among `user_ids` who follow the channel now (only they get links)."""
        rows = await self.session.scalars(
            select(User.id)
            .join(Friendship, Friendship.user_pk == User.id)
            .where(
                Friendship.channel_pk == channel_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
                User.user_id.in_(list(user_ids)),
            )
        )
        return list(rows)

    async def user_pks(self, user_ids: Sequence[str]) -> list[int]:
        rows = await self.session.scalars(select(User.id).where(User.user_id.in_(list(user_ids))))
        return list(rows)

    async def link(
        self, channel_pk: int, user_pks: Sequence[int], menu_pk: int, now: datetime
    ) -> None:
        """Link (or relink) each user; a delete then insert is the same SQL on both engines."""
        if not user_pks:
            return
        await self.unlink(channel_pk, user_pks)
        await self.session.execute(
            insert(RichMenuLink),
            [
                {"channel_pk": channel_pk, "user_pk": pk, "rich_menu_pk": menu_pk, "linked_at": now}
                for pk in user_pks
            ],
        )

    async def unlink(self, channel_pk: int, user_pks: Sequence[int]) -> None:
        if user_pks:
            await self.session.execute(
                delete(RichMenuLink).where(
                    RichMenuLink.channel_pk == channel_pk, RichMenuLink.user_pk.in_(list(user_pks))
                )
            )

    async def unlink_menus(self, channel_pk: int, menu_pks: Sequence[int] | None) -> None:
        """Unlink every user linked to one of the menus (to any menu when None)."""
        statement = delete(RichMenuLink).where(RichMenuLink.channel_pk == channel_pk)
        if menu_pks is not None:
            statement = statement.where(RichMenuLink.rich_menu_pk.in_(list(menu_pks)))
        await self.session.execute(statement)

    async def relink_menus(self, channel_pk: int, moves: Mapping[int, int], now: datetime) -> None:
        """Move the users of each `from` menu to its `to` in one statement, so each move sees
        the links as they were before the batch (A→B and B→C do not chain A to C)."""
        if not moves:
            return
        await self.session.execute(
            update(RichMenuLink)
            .where(
                RichMenuLink.channel_pk == channel_pk, RichMenuLink.rich_menu_pk.in_(list(moves))
            )
            .values(
                rich_menu_pk=case(moves, value=RichMenuLink.rich_menu_pk),
                linked_at=now,
            )
        )

    async def alias(self, channel_pk: int, alias_id: str) -> RichMenuAlias | None:
        return await self.session.scalar(
            select(RichMenuAlias).where(
                RichMenuAlias.channel_pk == channel_pk, RichMenuAlias.alias_id == alias_id
            )
        )

    async def aliases(self, channel_pk: int) -> Sequence[RichMenuAlias]:
        rows = await self.session.scalars(
            select(RichMenuAlias)
            .where(RichMenuAlias.channel_pk == channel_pk)
            .order_by(RichMenuAlias.id)
        )
        return rows.all()

    async def count_aliases(self, channel_pk: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(RichMenuAlias)
            .where(RichMenuAlias.channel_pk == channel_pk)
        )
        return int(count or 0)

    async def delete_alias(self, alias: RichMenuAlias) -> None:
        await self.session.execute(delete(RichMenuAlias).where(RichMenuAlias.id == alias.id))

    async def batch(self, channel_pk: int, request_id: str) -> RichMenuBatch | None:
        return await self.session.scalar(
            select(RichMenuBatch).where(
                RichMenuBatch.channel_pk == channel_pk, RichMenuBatch.request_id == request_id
            )
        )

    async def batch_for_update(self, batch_pk: int) -> RichMenuBatch | None:
        # FOR UPDATE on Postgres: two runs of the same job apply it once; SQLite ignores it
        # (it serialises writers anyway).
        return await self.session.scalar(
            select(RichMenuBatch).where(RichMenuBatch.id == batch_pk).with_for_update()
        )

    async def resumed_batch(
        self, channel_pk: int, key: str, since: datetime, before_pk: int
    ) -> RichMenuBatch | None:
        """The latest earlier batch sent with this resume key, while the key is alive."""
        return await self.session.scalar(
            select(RichMenuBatch)
            .where(
                RichMenuBatch.channel_pk == channel_pk,
                RichMenuBatch.resume_request_key == key,
                RichMenuBatch.accepted_at >= since,
                RichMenuBatch.id < before_pk,
            )
            .order_by(RichMenuBatch.id.desc())
            .limit(1)
        )
