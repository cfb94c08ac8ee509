"""One-to-one chat: operators answer users from the console; chat tags, notes and audiences
made of a tag."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.audience.repository import audience_group_id
from app.api.message.schemas import parse_send_body
from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.operator_chat.schemas import (
    AnswerRequest,
    AnswerView,
    ChatSummaryView,
    ChatTagRequest,
    ChatTagView,
    NoteRequest,
    NoteView,
    SentMessageView,
    TagAudienceRequest,
    TagAudienceView,
    ThreadMessageView,
    ThreadView,
)
from app.control.operator_chat.service import OperatorChatService
from app.deps import UowDep
from app.models import ChatNote, ChatTag
from app.schemas.base import RowId, RowKey

router = APIRouter(tags=["control: one-to-one chat"])
TAGS = "/channels/{channelId}/chat-tags"
CHAT = "/channels/{channelId}/chats/{userId}"


async def get_operator_chat(uow: UowDep) -> OperatorChatService:
    return OperatorChatService(uow)


OperatorChatDep = Annotated[OperatorChatService, Depends(get_operator_chat)]


def _tag(tag: ChatTag, chats: int | None = None) -> ChatTagView:
    return ChatTagView(tag_id=tag.id, name=tag.name, created_at=tag.created_at, chats=chats)


def _note(note: ChatNote) -> NoteView:
    return NoteView(note_id=note.id, text=note.text, created_at=note.created_at)


@router.get(
    "/channels/{channelId}/chats",
    response_model=list[ChatSummaryView],
    response_model_exclude_none=True,
    summary="Chats, or those carrying tags",
)
async def list_chats(
    channelId: str,
    channels: ChannelServiceDep,
    chats: OperatorChatDep,
    tag: Annotated[
        list[RowId] | None,
        Query(description="Tag ids to filter by", max_length=100),
    ] = None,
    match: Annotated[str, Query(pattern="^(any|all)$")] = "any",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ChatSummaryView]:
    """Without `tag`: the users who wrote to the account, the latest first. With tags: the
    chats carrying any (`match=any`) or all (`match=all`) of them (the premium plan's custom
    chat filter)."""
    channel = await channels.get(channelId)
    found = await chats.list_chats(channel, tag or [], match_all=match == "all", limit=limit)
    return [
        ChatSummaryView(
            user_id=user.user_id, display_name=user.display_name, tags=[_tag(t) for t in tags]
        )
        for user, tags in found
    ]


@router.get(CHAT, response_model=ThreadView, response_model_exclude_none=True, summary="A chat")
async def get_thread(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ThreadView:
    """The chat with one user as operators see it: the latest messages both ways, oldest
    first, with the chat's tags and notes."""
    channel, user = await channels.get(channelId), await users.get(userId)
    messages = await chats.thread(channel, user, limit)
    return ThreadView(
        user_id=user.user_id,
        display_name=user.display_name,
        tags=[_tag(t) for t in await chats.tags_of(channel, user)],
        notes=[_note(n) for n in await chats.notes(channel, user)],
        messages=[
            ThreadMessageView.model_validate(
                {
                    "from": item.sender,
                    "message_id": item.message_id,
                    "sent_at": item.sent_at,
                    "via": item.via,
                    "unsent": item.unsent,
                    "message": item.message,
                }
            )
            for item in messages
        ],
    )


@router.post(
    CHAT + "/messages",
    status_code=201,
    response_model=AnswerView,
    response_model_exclude_none=True,
    summary="An operator answers",
)
async def answer(
    channelId: str,
    userId: str,
    body: AnswerRequest,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
) -> AnswerView:
    """An operator's messages reach the user (their inbox shows `via: chat`), outside the
    monthly quota; messages are checked as a push's are. 409 unless the user is a friend."""
    parsed = parse_send_body({"messages": body.messages})
    channel, user = await channels.get(channelId), await users.get(userId)
    sent = await chats.answer(channel, user, parsed.messages)
    return AnswerView(
        sent_messages=[
            SentMessageView(id=message_id, quote_token=token) for message_id, token in sent
        ]
    )


@router.post(TAGS, status_code=201, response_model=ChatTagView, summary="Create a chat tag")
async def create_tag(
    channelId: str, body: ChatTagRequest, channels: ChannelServiceDep, chats: OperatorChatDep
) -> ChatTagView:
    """Names are unique per account (409), up to 20 characters; 300 tags per account."""
    return _tag(await chats.create_tag(await channels.get(channelId), body.name), 0)


@router.get(TAGS, response_model=list[ChatTagView], summary="Chat tags")
async def list_tags(
    channelId: str, channels: ChannelServiceDep, chats: OperatorChatDep
) -> list[ChatTagView]:
    return [_tag(tag, count) for tag, count in await chats.tags(await channels.get(channelId))]


@router.delete(TAGS + "/{tagId}", status_code=204, summary="Delete a chat tag")
async def delete_tag(
    channelId: str, tagId: RowKey, channels: ChannelServiceDep, chats: OperatorChatDep
) -> None:
    """The tag leaves every chat; audiences made of it keep their members."""
    await chats.delete_tag(await channels.get(channelId), tagId)


@router.put(
    CHAT + "/tags/{tagId}",
    response_model=list[ChatTagView],
    response_model_exclude_none=True,
    summary="Tag a chat",
)
async def tag_chat(
    channelId: str,
    userId: str,
    tagId: RowKey,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
) -> list[ChatTagView]:
    """Answers the chat's tags (at most 30); tagging twice changes nothing."""
    channel, user = await channels.get(channelId), await users.get(userId)
    return [_tag(t) for t in await chats.tag_chat(channel, user, tagId)]


@router.delete(
    CHAT + "/tags/{tagId}",
    response_model=list[ChatTagView],
    response_model_exclude_none=True,
    summary="Untag a chat",
)
async def untag_chat(
    channelId: str,
    userId: str,
    tagId: RowKey,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
) -> list[ChatTagView]:
    channel, user = await channels.get(channelId), await users.get(userId)
    return [_tag(t) for t in await chats.untag_chat(channel, user, tagId)]


@router.post(
    TAGS + "/{tagId}/audience",
    status_code=201,
    response_model=TagAudienceView,
    summary="An audience of a chat tag",
)
async def create_tag_audience(
    channelId: str,
    tagId: RowKey,
    body: TagAudienceRequest,
    channels: ChannelServiceDep,
    chats: OperatorChatDep,
) -> TagAudienceView:
    """A `CHAT_TAG` audience of the friends whose chat carries the tag now: the LINE audience
    API lists it and a narrowcast can target it (`FAILED` if nobody carries the tag)."""
    audience = await chats.audience_from_tag(await channels.get(channelId), tagId, body.description)
    return TagAudienceView(
        audience_group_id=audience_group_id(audience.id),
        type=audience.type.value,
        description=audience.description,
        status=audience.status.value,
        audience_count=audience.audience_count,
    )


@router.post(CHAT + "/notes", status_code=201, response_model=NoteView, summary="Add a note")
async def add_note(
    channelId: str,
    userId: str,
    body: NoteRequest,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
) -> NoteView:
    """Up to 300 characters; 1,000 notes per chat."""
    channel, user = await channels.get(channelId), await users.get(userId)
    return _note(await chats.add_note(channel, user, body.text))


@router.get(CHAT + "/notes", response_model=list[NoteView], summary="A chat's notes")
async def list_notes(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
) -> list[NoteView]:
    channel, user = await channels.get(channelId), await users.get(userId)
    return [_note(n) for n in await chats.notes(channel, user)]


@router.delete(CHAT + "/notes/{noteId}", status_code=204, summary="Delete a note")
async def delete_note(
    channelId: str,
    userId: str,
    noteId: RowKey,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: OperatorChatDep,
) -> None:
    channel, user = await channels.get(channelId), await users.get(userId)
    await chats.delete_note(channel, user, noteId)
