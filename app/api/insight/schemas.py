"""Insight bodies. Routes answer with `exclude_unset`: a figure withheld under the privacy
threshold is set to None and goes out as `null`, as the platform sends it; a field the
platform leaves out is never set."""

from app.schemas.base import WireModel


class FollowersResponse(WireModel):
    status: str
    followers: int | None = None
    targeted_reaches: int | None = None
    blocks: int | None = None


class MessageDeliveriesResponse(WireModel):
    status: str
    broadcast: int | None = None
    targeting: int | None = None
    auto_response: int | None = None
    welcome_response: int | None = None
    chat: int | None = None
    api_broadcast: int | None = None
    api_push: int | None = None
    api_multicast: int | None = None
    api_narrowcast: int | None = None
    api_reply: int | None = None


class GenderTile(WireModel):
    gender: str
    percentage: float


class AgeTile(WireModel):
    age: str
    percentage: float


class AreaTile(WireModel):
    area: str
    percentage: float


class AppTypeTile(WireModel):
    app_type: str
    percentage: float


class SubscriptionPeriodTile(WireModel):
    subscription_period: str
    percentage: float


class DemographicsResponse(WireModel):
    available: bool
    genders: list[GenderTile]
    ages: list[AgeTile]
    areas: list[AreaTile]
    app_types: list[AppTypeTile]
    subscription_periods: list[SubscriptionPeriodTile]


class EventOverview(WireModel):
    request_id: str | None = None
    timestamp: int | None = None
    delivered: int | None = None
    unique_impression: int | None = None
    unique_click: int | None = None
    unique_media_played: int | None = None
    unique_media_played100_percent: int | None = None


class EventMessage(WireModel):
    seq: int
    impression: int | None = None
    unique_impression: int | None = None
    media_played: int | None = None
    media_played25_percent: int | None = None
    media_played50_percent: int | None = None
    media_played75_percent: int | None = None
    media_played100_percent: int | None = None
    unique_media_played: int | None = None
    unique_media_played25_percent: int | None = None
    unique_media_played50_percent: int | None = None
    unique_media_played75_percent: int | None = None
    unique_media_played100_percent: int | None = None


class EventClick(WireModel):
    seq: int
    url: str
    click: int | None = None
    unique_click: int | None = None
    unique_click_of_request: int | None = None


class MessageEventResponse(WireModel):
    overview: EventOverview
    messages: list[EventMessage]
    clicks: list[EventClick]


class Bounds(WireModel):
    x: int
    y: int
    width: int
    height: int


class Metrics(WireModel):
    count: int
    unique_users: int


class DailyMetrics(WireModel):
    date: str
    count: int
    unique_users: int


class SummaryImpression(WireModel):
    metrics: Metrics


class SummaryClick(WireModel):
    bounds: Bounds
    metrics: Metrics


class RichMenuSummaryResponse(WireModel):
    rich_menu_id: str
    metrics_from: str | None = None
    metrics_to: str | None = None
    impression: SummaryImpression | None = None
    clicks: list[SummaryClick] | None = None


class DailyImpression(WireModel):
    metrics: list[DailyMetrics]


class DailyClick(WireModel):
    bounds: Bounds
    metrics: list[DailyMetrics]


class RichMenuDailyResponse(WireModel):
    rich_menu_id: str
    metrics_from: str | None = None
    metrics_to: str | None = None
    impression: DailyImpression | None = None
    clicks: list[DailyClick] | None = None
