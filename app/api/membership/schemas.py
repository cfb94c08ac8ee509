from app.models import MembershipPlan
from app.schemas.base import WireModel


class SubscribedMembershipPlan(WireModel):
    membership_id: int
    title: str
    description: str
    benefits: list[str]
    price: float
    currency: str

    @classmethod
    def of(cls, plan: MembershipPlan) -> "SubscribedMembershipPlan":
        return cls(
            membership_id=plan.id,
            title=plan.title,
            description=plan.description,
            benefits=list(plan.benefits),
            price=float(plan.price),
            currency=plan.currency.value,
        )


class MembershipModel(SubscribedMembershipPlan):
    member_count: int
    # Required by the spec and null when the plan has no limit: never left out.
    member_limit: int | None
    is_in_app_purchase: bool
    is_published: bool

    @classmethod
    def with_count(cls, plan: MembershipPlan, member_count: int) -> "MembershipModel":
        return cls(
            **SubscribedMembershipPlan.of(plan).model_dump(),
            member_count=member_count,
            member_limit=plan.member_limit,
            is_in_app_purchase=plan.is_in_app_purchase,
            is_published=plan.is_published,
        )


class MembershipListResponse(WireModel):
    memberships: list[MembershipModel]


class SubscribedMembershipUser(WireModel):
    membership_no: int
    joined_time: int
    next_billing_date: str
    total_subscription_months: int


class Subscription(WireModel):
    membership: SubscribedMembershipPlan
    user: SubscribedMembershipUser


class GetMembershipSubscriptionResponse(WireModel):
    subscriptions: list[Subscription]


class GetJoinedMembershipUsersResponse(WireModel):
    user_ids: list[str]
    next: str | None = None
