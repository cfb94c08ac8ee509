"""Wire models of the Official Account Manager features (camelCase on the wire).

Message objects are taken as JSON and checked by the Messaging API's own rules, so a bad one is
reported with its property path (`replies[0][1].text`), as the API would.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StrictBool, StringConstraints

from app.models import Phase, SendStatus
from app.schemas.base import RowId, WireModel

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Keyword = Annotated[str, StringConstraints(min_length=1, max_length=100)]
MessageList = list[dict[str, Any]]


def _before_year_9999(value: datetime) -> datetime:
    # Later times overflow once moved to UTC (or a day on), which Python cannot represent.
    if value.year > 9998:
        raise ValueError("Must be before the year 9999")
    return value


ScheduledAt = Annotated[AwareDatetime, AfterValidator(_before_year_9999)]
Target = Annotated[
    dict[str, Any],
    Field(
        description="A narrowcast's `recipient` (audiences, redelivery, operators) and "
        "`filter` (demographic), as the Messaging API takes them"
    ),
]


class ResponseSettingsView(WireModel):
    mode: Literal["bot", "chat", "both", "off"] = Field(
        description="Who answers: the bot's webhook, operators in manual chat, or both "
        "(`off`: neither, after the webhook was switched off by hand)"
    )
    chat: bool
    webhook: bool
    greeting: bool
    auto_response: bool


class ResponseSettingsUpdate(WireModel):
    mode: Literal["bot", "chat", "both"] | None = None
    # Strict: "yes" or 1 is not a switch position.
    greeting: StrictBool | None = None
    auto_response: StrictBool | None = None


class GreetingBody(WireModel):
    messages: list[Any] = Field(
        description="0-5 message objects; `{displayName}` and `{accountName}` in a text "
        "are replaced for each friend. None: no greeting."
    )
    campaign_id: RowId | None = None


class GreetingView(WireModel):
    enabled: bool
    messages: MessageList
    campaign_id: int | None = None


class Statistics(WireModel):
    requests: int
    delivered: int
    open_count: int
    unique_opens: int
    open_rate: float = Field(description="Open count / delivered, 0-1 (or more, as opens repeat)")
    click_count: int
    unique_clicks: int
    click_rate: float = Field(description="Unique clicks / delivered, 0-1")
    last_sent_at: datetime | None = None


class RuleBody(WireModel):
    name: Label
    keywords: list[Keyword] = Field(default_factory=list, max_length=200)
    default: bool = Field(
        default=False, description="The reply to a message no keyword matches (one a channel)"
    )
    replies: list[Any] = Field(
        min_length=1, max_length=10, description="Lists of 1-5 messages; one is sent at random"
    )
    enabled: bool = True
    campaign_id: RowId | None = None


class RuleView(WireModel):
    rule_id: int
    name: str
    keywords: list[str]
    default: bool
    replies: list[MessageList]
    enabled: bool
    campaign_id: int | None = None
    created_at: datetime
    statistics: Statistics | None = None


class StepBody(WireModel):
    days: Annotated[int, Field(ge=1, le=365, description="Days after following")]
    messages: list[Any]


class ScenarioBody(WireModel):
    name: Label
    friend_path: Label | None = Field(
        default=None, description="Only friends who added the account by this path enter"
    )
    target: Target | None = None
    steps: list[StepBody] = Field(min_length=1, max_length=50)
    enabled: bool = True
    campaign_id: RowId | None = None


class StepView(WireModel):
    step_id: int
    days: int
    messages: MessageList
    sent: int = Field(description="Friends who received the step")
    passed_over: int = Field(description="Friends it was due to who no longer matched")


class ScenarioView(WireModel):
    scenario_id: int
    name: str
    friend_path: str | None = None
    target: dict[str, Any] | None = None
    enabled: bool
    campaign_id: int | None = None
    created_at: datetime
    entries: int
    steps: list[StepView]


class VariantBody(WireModel):
    percentage: Annotated[int, Field(ge=1, le=99)]
    messages: list[Any]


class AbTestBody(WireModel):
    variants: list[VariantBody]


class SendBody(WireModel):
    messages: list[Any] | None = None
    target: Target | None = None
    max_recipients: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    scheduled_at: ScheduledAt | None = None
    campaign_id: RowId | None = None
    ab_test: AbTestBody | None = None


class SentRequestView(WireModel):
    request_id: str
    phase: Phase
    target_count: int | None = None
    success_count: int
    error_code: int | None = None


class VariantView(WireModel):
    variant: int
    percentage: int
    request: SentRequestView | None = None
    statistics: Statistics


class SendView(WireModel):
    send_id: str
    status: SendStatus
    messages: MessageList | None = None
    target: dict[str, Any] | None = None
    max_recipients: int | None = None
    campaign_id: int | None = None
    scheduled_at: datetime | None = None
    created_at: datetime
    sent_at: datetime | None = None
    error: str | None = None
    requests: list[SentRequestView]
    statistics: Statistics
    variants: list[VariantView] | None = None


class TestSendBody(WireModel):
    messages: list[Any]


class TestRecipient(WireModel):
    user_id: str
    request_id: str | None = Field(default=None, description="None: not a friend, not sent")


class TestSendView(WireModel):
    recipients: list[TestRecipient]


class OperatorsBody(WireModel):
    user_ids: list[str] = Field(max_length=100)


class OperatorView(WireModel):
    user_id: str
    display_name: str
    following: bool


class CampaignBody(WireModel):
    label: Label


class CampaignView(WireModel):
    campaign_id: int
    label: str
    created_at: datetime
    statistics: Statistics
