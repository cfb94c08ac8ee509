"""The actions a user can tap in a message they received, in the order the app shows them."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tappable:
    index: int
    path: str  # where the action sits in the message, LINE-style
    action: dict[str, Any]
    label: str | None  # what the user sees on it, when anything
    quick_reply: bool


def tappables(message: dict[str, Any]) -> list[Tappable]:
    """Every action of the message: template buttons and columns, imagemap areas, Flex
    components with an action, then the quick reply buttons."""
    found = list(_actions(message))
    for index, item in enumerate(_list(_dict(message.get("quickReply")).get("items"))):
        action = _dict(_dict(item).get("action"))
        if action:
            found.append((f"quickReply.items[{index}].action", action, None))
    return [
        Tappable(
            index=index,
            path=path,
            action=action,
            label=action.get("label") or seen,
            quick_reply=path.startswith("quickReply."),
        )
        for index, (path, action, seen) in enumerate(found)
    ]


Found = Iterator[tuple[str, dict[str, Any], str | None]]


def _actions(message: dict[str, Any]) -> Found:
    kind = message.get("type")
    if kind == "template":
        yield from _template(_dict(message.get("template")))
    elif kind == "imagemap":
        for index, area in enumerate(_list(message.get("actions"))):
            area = _dict(area)
            if area.get("type") == "uri":
                # An imagemap area names its link `linkUri`; the app opens it like any uri.
                action = {"type": "uri", "uri": area.get("linkUri"), "label": area.get("label")}
                yield f"actions[{index}]", action, area.get("label") or area.get("linkUri")
            else:
                yield f"actions[{index}]", area, area.get("text")
        link = _dict(_dict(message.get("video")).get("externalLink"))
        if link:
            action = {"type": "uri", "uri": link.get("linkUri"), "label": link.get("label")}
            yield "video.externalLink", action, link.get("label")
    elif kind == "flex":
        yield from _flex(_dict(message.get("contents")), "contents")


def _template(template: dict[str, Any]) -> Found:
    kind = template.get("type")
    if kind in ("buttons", "confirm"):
        if template.get("defaultAction"):
            yield "template.defaultAction", _dict(template["defaultAction"]), template.get("title")
        for index, action in enumerate(_list(template.get("actions"))):
            yield f"template.actions[{index}]", _dict(action), None
    elif kind in ("carousel", "image_carousel"):
        for column_index, column in enumerate(_list(template.get("columns"))):
            column = _dict(column)
            prefix = f"template.columns[{column_index}]"
            if column.get("defaultAction"):
                yield f"{prefix}.defaultAction", _dict(column["defaultAction"]), column.get("title")
            if column.get("action"):
                yield f"{prefix}.action", _dict(column["action"]), None
            for index, action in enumerate(_list(column.get("actions"))):
                yield f"{prefix}.actions[{index}]", _dict(action), None


def _flex(node: dict[str, Any], path: str) -> Found:
    """Depth first, in reading order: a bubble's header, hero, body, footer; a box's contents."""
    if node.get("type") == "carousel":
        for index, bubble in enumerate(_list(node.get("contents"))):
            yield from _flex(_dict(bubble), f"{path}.contents[{index}]")
        return
    if node.get("type") == "bubble":
        for block in ("header", "hero", "body", "footer"):
            if isinstance(node.get(block), dict):
                yield from _flex(node[block], f"{path}.{block}")
        if isinstance(node.get("action"), dict):
            yield f"{path}.action", node["action"], None
        return
    if isinstance(node.get("action"), dict):
        yield f"{path}.action", node["action"], node.get("text")
    for index, child in enumerate(_list(node.get("contents"))):
        if isinstance(child, dict):
            yield from _flex(child, f"{path}.contents[{index}]")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
