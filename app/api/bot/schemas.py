from typing import Literal

from app.schemas.base import WireModel


class BotInfoResponse(WireModel):
    user_id: str
    basic_id: str
    premium_id: str | None = None
    display_name: str
    picture_url: str | None = None
    chat_mode: Literal["chat", "bot"]
    mark_as_read_mode: Literal["auto", "manual"]
