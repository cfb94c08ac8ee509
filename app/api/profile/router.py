from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import ChannelDep
from app.api.profile.schemas import GetFollowersResponse, UserProfileResponse
from app.api.profile.service import ProfileService
from app.deps import SessionDep

router = APIRouter(tags=["messaging-api"])


async def get_profile_service(session: SessionDep) -> ProfileService:
    return ProfileService(session)


ProfilesDep = Annotated[ProfileService, Depends(get_profile_service)]


@router.get(
    "/v2/bot/profile/{userId}", response_model=UserProfileResponse, response_model_exclude_none=True
)
async def get_profile(
    userId: str, channel: ChannelDep, profiles: ProfilesDep
) -> UserProfileResponse:
    """A friend's profile; users who have not added the account (or blocked it) are 404."""
    user = await profiles.profile(channel, userId)
    return UserProfileResponse(
        display_name=user.display_name,
        user_id=user.user_id,
        language=user.language,
        picture_url=user.picture_url,
        status_message=user.status_message,
    )


@router.get(
    "/v2/bot/followers/ids", response_model=GetFollowersResponse, response_model_exclude_none=True
)
async def get_followers(
    channel: ChannelDep,
    profiles: ProfilesDep,
    start: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 300,
) -> GetFollowersResponse:
    """IDs of the users who have the account as a friend now (blocked users excluded)."""
    user_ids, next_cursor = await profiles.followers(channel, start, limit)
    return GetFollowersResponse(user_ids=user_ids, next=next_cursor)
