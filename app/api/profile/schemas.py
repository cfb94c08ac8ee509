from app.schemas.base import WireModel


class UserProfileResponse(WireModel):
    display_name: str
    user_id: str
    language: str | None = None
    picture_url: str | None = None
    status_message: str | None = None


class GetFollowersResponse(WireModel):
    user_ids: list[str]
    next: str | None = None
