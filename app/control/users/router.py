from typing import Annotated

from fastapi import APIRouter, Query

from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.manager.service import ManagerService
from app.control.schemas import (
    BulkUsersRequest,
    BulkUsersResult,
    CreateUserRequest,
    FriendshipView,
    UserView,
    user_view,
)
from app.deps import UowDep
from app.models import Channel, Friendship, User
from app.webhook.events import EventService

router = APIRouter(tags=["control: users"])


def _friendship_view(
    channel: Channel,
    user: User,
    friendship: Friendship,
    *,
    changed: bool,
    is_unblocked: bool | None = None,
) -> FriendshipView:
    return FriendshipView(
        channel_id=channel.channel_id,
        user_id=user.user_id,
        status=friendship.status,
        followed_at=friendship.followed_at,
        since=friendship.since,
        blocked_at=friendship.blocked_at,
        is_unblocked=is_unblocked,
        changed=changed,
    )


@router.post("/users", status_code=201, response_model=UserView, response_model_exclude_none=True)
async def create_user(body: CreateUserRequest, users: UserServiceDep) -> UserView:
    """Create a simulated LINE user with the attributes narrowcast filters on."""
    user = await users.create(
        body.display_name,
        picture_url=str(body.picture_url) if body.picture_url else None,
        status_message=body.status_message,
        language=body.language,
        gender=body.gender,
        age=body.age,
        area=body.area,
        app_type=body.app_type,
        phone_number=body.phone_number,
    )
    return user_view(user)


@router.get("/users/{userId}", response_model=UserView, response_model_exclude_none=True)
async def get_user(userId: str, users: UserServiceDep) -> UserView:
    return user_view(await users.get(userId))


@router.post(
    "/channels/{channelId}/users/{userId}/follow",
    response_model=FriendshipView,
    response_model_exclude_none=True,
)
async def follow(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    uow: UowDep,
    friend_path: Annotated[
        str | None,
        Query(
            alias="friendPath",
            min_length=1,
            max_length=100,
            description="How the user found the account (a QR code, an ad, a URL's name): "
            "step scenarios can be open to one path only",
        ),
    ] = None,
) -> FriendshipView:
    """The user adds the channel's account as a friend (or unblocks it): a follow event, and
    the account's greeting (when set and on)."""
    channel, user = await channels.get(channelId), await users.get(userId)
    result = await users.follow(channel, user)
    if result.changed:
        await EventService(uow).follow(channel, user, is_unblocked=result.is_unblocked)
        await ManagerService(uow, channel).followed(
            user, is_unblocked=result.is_unblocked, friend_path=friend_path
        )
    return _friendship_view(
        channel, user, result.friendship, changed=result.changed, is_unblocked=result.is_unblocked
    )


@router.post(
    "/channels/{channelId}/users/{userId}/unfollow",
    response_model=FriendshipView,
    response_model_exclude_none=True,
)
async def unfollow(
    channelId: str, userId: str, channels: ChannelServiceDep, users: UserServiceDep, uow: UowDep
) -> FriendshipView:
    """The user blocks the channel's account (LINE has no other way to unfollow): an unfollow
    event."""
    channel, user = await channels.get(channelId), await users.get(userId)
    friendship, changed = await users.block(channel, user)
    if changed:
        await EventService(uow).unfollow(channel, user)
    return _friendship_view(channel, user, friendship, changed=changed)


@router.post("/channels/{channelId}/users/bulk", status_code=201, response_model=BulkUsersResult)
async def bulk_create_friends(
    channelId: str, body: BulkUsersRequest, channels: ChannelServiceDep, users: UserServiceDep
) -> BulkUsersResult:
    """Create `count` users drawn from a seeded distribution, all friends of the channel."""
    channel = await channels.get(channelId)
    seed = await users.seed_friends(channel, body.count, body.seed)
    return BulkUsersResult(channel_id=channel.channel_id, created=body.count, seed=seed)
