"""Group chats and rooms the bot is in: summary, members, member profiles, leaving."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AnyHttpUrl

from app.api.deps import ChannelDep
from app.api.profile.service import decode_cursor, encode_cursor
from app.control.groups.repository import ChatKind, MultiChat
from app.control.groups.service import MultiChatService
from app.deps import UowDep
from app.kit.errors import NotFound
from app.models import Channel, Group
from app.schemas.base import WireModel

router = APIRouter(tags=["messaging-api"])
MEMBER_PAGE = 100


class GroupSummaryResponse(WireModel):
    group_id: str
    group_name: str
    picture_url: AnyHttpUrl | str | None = None


class MemberCountResponse(WireModel):
    count: int


class MembersIdsResponse(WireModel):
    member_ids: list[str]
    next: str | None = None


class MemberProfileResponse(WireModel):
    display_name: str
    user_id: str
    picture_url: str | None = None


async def get_chat_service(uow: UowDep) -> MultiChatService:
    return MultiChatService(uow)


ChatsDep = Annotated[MultiChatService, Depends(get_chat_service)]


async def _joined(
    chats: MultiChatService, channel: Channel, kind: ChatKind, chat_id: str
) -> MultiChat:
    """The chat, if this channel's bot is in it; the platform answers 404 otherwise."""
    chat = await chats.chats.get(kind, chat_id)
    if chat is None or chat.channel_pk != channel.id:
        raise NotFound()
    return chat


@router.get(
    "/v2/bot/group/{groupId}/summary",
    response_model=GroupSummaryResponse,
    response_model_exclude_none=True,
)
async def group_summary(groupId: str, channel: ChannelDep, chats: ChatsDep) -> GroupSummaryResponse:
    group = await _joined(chats, channel, "group", groupId)
    assert isinstance(group, Group)
    return GroupSummaryResponse(
        group_id=group.group_id, group_name=group.name, picture_url=group.picture_url
    )


def _member_routes(kind: ChatKind) -> None:
    """The same member routes for groups and rooms."""
    base = f"/v2/bot/{kind}/{{chatId}}"

    @router.get(f"{base}/members/count", response_model=MemberCountResponse)
    async def member_count(
        chatId: str, channel: ChannelDep, chats: ChatsDep
    ) -> MemberCountResponse:
        """Members of the chat, not counting the bot."""
        chat = await _joined(chats, channel, kind, chatId)
        return MemberCountResponse(count=await chats.chats.count(chat))

    @router.get(
        f"{base}/members/ids", response_model=MembersIdsResponse, response_model_exclude_none=True
    )
    async def member_ids(
        chatId: str,
        channel: ChannelDep,
        chats: ChatsDep,
        start: Annotated[str | None, Query()] = None,
    ) -> MembersIdsResponse:
        """Member user ids, 100 a page; `next` continues."""
        chat = await _joined(chats, channel, kind, chatId)
        after = decode_cursor(start) if start else 0
        members = await chats.chats.members(chat, after=after, limit=MEMBER_PAGE + 1)
        page = members[:MEMBER_PAGE]
        return MembersIdsResponse(
            member_ids=[user.user_id for user in page],
            next=encode_cursor(page[-1].id) if len(members) > MEMBER_PAGE else None,
        )

    @router.get(
        f"{base}/member/{{userId}}",
        response_model=MemberProfileResponse,
        response_model_exclude_none=True,
    )
    async def member_profile(
        chatId: str, userId: str, channel: ChannelDep, chats: ChatsDep
    ) -> MemberProfileResponse:
        """A member's profile, whether or not they are the account's friend."""
        chat = await _joined(chats, channel, kind, chatId)
        user = await chats.chats.member(chat, userId)
        if user is None:
            raise NotFound()
        return MemberProfileResponse(
            display_name=user.display_name, user_id=user.user_id, picture_url=user.picture_url
        )

    @router.post(f"{base}/leave")
    async def leave(chatId: str, channel: ChannelDep, chats: ChatsDep) -> dict[str, str]:
        """The bot leaves the chat (and receives a leave event, as when a member removes it)."""
        chat = await _joined(chats, channel, kind, chatId)
        await chats.remove_bot(chat)
        return {}


_member_routes("group")
_member_routes("room")
