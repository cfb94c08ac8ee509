from datetime import datetime

from pydantic import Field

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


class PlanSetView(WireModel):
    plan_set: str
    plans: list[PlanView]


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
