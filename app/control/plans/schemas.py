from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from app.models import QuotaType
from app.schemas.base import WireModel


class TierView(WireModel):
    first: int = Field(description="The first message of the month this price applies to.")
    last: int | None = Field(default=None, description="The last one; absent: no end.")
    unit_price: str = Field(description="Per message, a decimal string (exact).")


class PlanView(WireModel):
    code: str
    name: str
    currency: str
    monthly_fee: str = Field(description="A decimal string (exact).")
    free_messages: int
    additional_messages: bool = Field(
        description="False: sending stops at the free messages (the quota is limited to them)."
    )
    tiers: list[TierView]
    built_in: bool = Field(description="Part of the built-in Taiwan set.")


class TierRequest(WireModel):
    last: Annotated[int, Field(ge=1, le=10**12)] | None = Field(
        description="The tier's last message of the month; null for the open-ended last tier."
    )
    unit_price: Annotated[Decimal, Field(ge=0, le=10**6, decimal_places=4)]


class CreatePlanRequest(WireModel):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,23}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    monthly_fee: Annotated[Decimal, Field(ge=0, le=10**9, decimal_places=4)]
    free_messages: Annotated[int, Field(ge=0, le=10**9)]
    tiers: Annotated[list[TierRequest], Field(max_length=30)] = Field(
        default_factory=list,
        description="Additional messages after the free ones, in order; none: sending stops "
        "at the free messages.",
    )


class PlanSetView(WireModel):
    plan_set: str = Field(description="The built-in set's name (TW).")
    plans: list[PlanView] = Field(description="The built-in plans, then those defined.")


class ChangePlanRequest(WireModel):
    plan: str = Field(description="A plan code of the built-in set: free, middle or high.")


class QuotaView(WireModel):
    type: QuotaType
    value: int | None = None


class ChannelPlanView(WireModel):
    plan: PlanView | None = Field(description="None before a plan is chosen.")
    since: datetime | None = None
    next_plan: PlanView | None = Field(
        default=None, description="A downgrade asked for, in force from `nextFrom`."
    )
    next_from: datetime | None = None
    quota: QuotaView = Field(description="What GET /v2/bot/message/quota answers now.")
    messages_this_month: int = Field(
        description="Messages counted this month (one per recipient, Japan time)."
    )


class ChargeView(WireModel):
    first: int
    last: int | None = None
    unit_price: str
    messages: int
    amount: str


class PlanChangeView(WireModel):
    plan: str
    effective_from: datetime


class StatementView(WireModel):
    month: str = Field(description="YYYY-MM, Japan time.")
    final: bool = Field(description="False while the month is running.")
    plan: PlanView = Field(description="The plan the month is billed on (the last in force).")
    changes: list[PlanChangeView] = Field(description="Plan changes that started in the month.")
    currency: str
    monthly_fee: str
    messages: int
    free_messages: int
    free_messages_used: int
    additional_messages: int
    additional: list[ChargeView] = Field(description="The overage, tier by tier.")
    additional_total: str
    total: str
