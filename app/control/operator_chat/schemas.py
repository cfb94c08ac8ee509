from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from app.schemas.base import WireModel

TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ChatTagRequest(WireModel):
    name: TagName


class ChatTagView(WireModel):
    tag_id: int
    name: str
    created_at: datetime
    chats: int | None = Field(default=None, description="How many chats carry the tag.")


class ThreadMessageView(WireModel):
    sender: Literal["user", "account"] = Field(
        alias="from", description="`user`: the user wrote it; `account`: the account sent it."
    )
    message_id: str
    sent_at: datetime
    via: str | None = Field(
        default=None,
        description="How the account sent it: `chat` (an operator), `reply`, `push`, ...",
    )
    unsent: bool = False
    message: dict[str, Any]


class NoteRequest(WireModel):
    text: NoteText


class NoteView(WireModel):
    note_id: int
    text: str
    created_at: datetime


class ThreadView(WireModel):
    user_id: str
    display_name: str
    tags: list[ChatTagView]
    notes: list[NoteView]
    messages: list[ThreadMessageView]


class ChatSummaryView(WireModel):
    user_id: str
    display_name: str
    tags: list[ChatTagView]


class AnswerRequest(WireModel):
    messages: list[dict[str, Any]] = Field(description="1 to 5 message objects, as a push takes.")


class SentMessageView(WireModel):
    id: str
    quote_token: str | None = None


class AnswerView(WireModel):
    sent_messages: list[SentMessageView]


class TagAudienceRequest(WireModel):
    description: str = Field(
        min_length=1, max_length=120, description="The audience's name (up to 120 characters)."
    )


class TagAudienceView(WireModel):
    audience_group_id: int
    type: str
    description: str
    status: str
    audience_count: int
