"""A user taps their rich menu, and the app does what it would."""

from dataclasses import dataclass
from typing import Any

from app.api.richmenu.service import RichMenuService, ShownMenu
from app.control.taps.service import TapService
from app.control.webhook.router import Acting
from app.kit.errors import NotFound
from app.models import RichMenuEngagement, RichMenuEngagementKind
from app.webhook.events import Chat


@dataclass(frozen=True)
class Area:
    index: int
    bounds: dict[str, int]
    action: dict[str, Any]

    def contains(self, x: int, y: int) -> bool:
        b = self.bounds
        return b["x"] <= x < b["x"] + b["width"] and b["y"] <= y < b["y"] + b["height"]


def areas_of(shown: ShownMenu) -> list[Area]:
    return [Area(i, a["bounds"], a["action"]) for i, a in enumerate(shown.menu.areas)]


class RichMenuTaps:
    def __init__(self, acting: Acting, menus: RichMenuService, taps: TapService) -> None:
        self.acting = acting
        self.menus = menus
        self.taps = taps

    async def shown(self) -> ShownMenu:
        """The menu the user sees; looking at it is an impression in the menu's insight."""
        shown = await self._current()
        self._record(shown, RichMenuEngagementKind.IMPRESSION, None)
        return shown

    async def _current(self) -> ShownMenu:
        shown = await self.menus.shown_to(self.acting.user)
        if shown is None:
            raise NotFound(
                f"User {self.acting.user.user_id} sees no rich menu in the chat with channel "
                f"{self.acting.channel.channel_id} (none linked, no default, or not a friend)"
            )
        return shown

    async def tap(
        self,
        *,
        index: int | None,
        x: int | None,
        y: int | None,
        label: str | None,
        value: str | None,
    ) -> dict[str, Any]:
        """Tap an area of the menu the user sees, by index, by a point of the image or by the
        label of its action; answers the area and what it caused."""
        shown = await self._current()
        areas = areas_of(shown)
        if index is not None:
            chosen = [a for a in areas if a.index == index]
            what = f"index {index}"
        elif x is not None and y is not None:
            # Where areas overlap, the first in the menu's list takes the tap.
            chosen = [a for a in areas if a.contains(x, y)][:1]
            what = f"point ({x}, {y})"
        else:
            chosen = [a for a in areas if label and a.action.get("label") == label]
            what = f"label {label!r}"
        if len(chosen) != 1:
            seen = ", ".join(repr(a.action["label"]) for a in areas if a.action.get("label"))
            problem = "matches several areas" if chosen else "matches no area"
            raise NotFound(
                f"{what} {problem} of rich menu {shown.menu.rich_menu_id} "
                f"({len(areas)} areas; labels: {seen or 'none'})"
            )
        area = chosen[0]
        self._record(shown, RichMenuEngagementKind.CLICK, area.index)
        result: dict[str, Any] = {
            "richMenuId": shown.menu.rich_menu_id,
            "index": area.index,
            "bounds": area.bounds,
            "action": area.action,
        }
        if area.action.get("type") == "richmenuswitch":
            result.update(await self._switch(area.action))
        else:
            # The same action in a message does the same thing: one piece of code for both.
            result.update(await self.taps.perform(area.action, value, None))
        return result

    def _record(self, shown: ShownMenu, kind: RichMenuEngagementKind, area: int | None) -> None:
        self.menus.uow.session.add(
            RichMenuEngagement(
                channel_pk=self.acting.channel.id,
                rich_menu_pk=shown.menu.id,
                user_pk=self.acting.user.id,
                kind=kind,
                area_index=area,
                occurred_at=self.menus.clock.now(),
            )
        )

    async def _switch(self, action: dict[str, Any]) -> dict[str, Any]:
        """The app switches the menu itself, then the bot hears of it as a postback whose
        params say which alias was asked for and whether the switch worked."""
        switch = await self.menus.switch(self.acting.user, action["richMenuAliasId"])
        params = {"status": switch.status}
        if switch.menu is not None:
            params["newRichMenuAliasId"] = switch.alias_id
        event = await self.acting.events.postback(
            self.acting.channel, Chat(self.acting.user), action.get("data", ""), params
        )
        answer: dict[str, Any] = {"status": switch.status, "event": event}
        if switch.menu is not None:
            answer["newRichMenuId"] = switch.menu.rich_menu_id
        return answer
