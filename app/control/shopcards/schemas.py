from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from app.models import PointReason
from app.schemas.base import WireModel


class RewardSetting(WireModel):
    threshold: Annotated[int, Field(ge=1, le=50)] = Field(
        description="Earned when the card reaches this many points."
    )
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    coupon_id: str | None = Field(
        default=None, description="A coupon of the account the user is handed a ticket of."
    )


class ShopCardRequest(WireModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    goal_points: Annotated[int, Field(ge=1, le=50)] = Field(
        description="Points that complete a card (LINE allows 1 to 50)."
    )
    points_per_visit: Annotated[int, Field(ge=0, le=50)] = 1
    points_per_purchase: Annotated[int, Field(ge=0, le=50)] = 1
    validity_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=365, description="Points expire this many days after the last grant."
    )
    rewards: Annotated[list[RewardSetting], Field(default_factory=list, max_length=50)]


class RewardView(WireModel):
    threshold: int
    description: str
    coupon_id: str | None = None


class ShopCardView(WireModel):
    card_id: str
    name: str
    goal_points: int
    points_per_visit: int
    points_per_purchase: int
    validity_days: int
    rewards: list[RewardView]
    created_at: datetime
    updated_at: datetime
    issued_cards: int = Field(description="Users holding the card.")
    granted_points: int
    expired_points: int
    earned_rewards: int


class GrantRequest(WireModel):
    reason: PointReason
    count: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None,
        description="Visits or purchases (1 if absent); points are the card's per-reason points.",
    )
    points: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, description="Exactly these points instead (the store chose them)."
    )

    @field_validator("points")
    @classmethod
    def count_or_points(cls, points: int | None, info: ValidationInfo) -> int | None:
        # On `points`, so the error names a property (a model's check would name none).
        if points is not None and info.data.get("count") is not None:
            raise ValueError("Give count or points, not both")
        return points


class EarnedView(WireModel):
    threshold: int
    description: str
    card_number: int = Field(description="Which of the user's cards (1 for the first).")
    earned_at: datetime
    coupon_id: str | None = None
    coupon_ticket: bool = Field(description="The user holds a ticket of the reward's coupon.")


class HolderView(WireModel):
    user_id: str
    card_id: str
    points: int = Field(description="On the current card.")
    goal_points: int
    completed_cards: int
    expired_points: int
    expires_at: datetime | None = Field(default=None, description="When the points expire.")
    next_reward: RewardView | None = None
    earned: list[EarnedView]
    issued_at: datetime
    last_granted_at: datetime | None = None


class GrantView(WireModel):
    card: HolderView
    earned_now: list[EarnedView]
