"""Insight answers from the recorded figures, with the platform's calendar (Japan days, ready
the day after), its start dates and its privacy threshold."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.insight import schemas as s
from app.api.insight.repository import PERIOD_BANDS, InsightRepository, Tally
from app.api.message.service import MessageQueries, day_bounds, day_status
from app.delivery.service import PLATFORM_TZ
from app.kit.errors import BadRequest, ErrorDetail, NotFound
from app.models import Channel, EngagementKind, Phase, RichMenu, SendKind

# The first days the platform has figures for.
FOLLOWERS_SINCE = date(2016, 11, 1)
DELIVERIES_SINCE = date(2017, 3, 1)
# Figures about fewer users than this are withheld (null), so no one can be singled out.
PRIVACY_THRESHOLD = 20
# Statistics of a broadcast or narrowcast are kept for this long after it was sent.
EVENT_RETENTION = timedelta(days=14)
UNIT_MAX_SPAN = 30
SUMMARY_MAX_SPAN = 396
DAILY_MAX_SPAN = 99
RICH_MENU_LOOKBACK_YEARS = 3

# Narrowcast area codes (as users carry them) to the names insight reports.
_JP = [
    "北海道",
    "青森",
    "岩手",
    "宮城",
    "秋田",
    "山形",
    "福島",
    "茨城",
    "栃木",
    "群馬",
    "埼玉",
    "千葉",
    "東京",
    "神奈川",
    "新潟",
    "富山",
    "石川",
    "福井",
    "山梨",
    "長野",
    "岐阜",
    "静岡",
    "愛知",
    "三重",
    "滋賀",
    "京都",
    "大阪",
    "兵庫",
    "奈良",
    "和歌山",
    "鳥取",
    "島根",
    "岡山",
    "広島",
    "山口",
    "徳島",
    "香川",
    "愛媛",
    "高知",
    "福岡",
    "佐賀",
    "長崎",
    "熊本",
    "大分",
    "宮崎",
    "鹿児島",
    "沖縄",
]
_TW = [
    "台北市",
    "新北市",
    "桃園市",
    "台中市",
    "台南市",
    "高雄市",
    "基隆市",
    "新竹市",
    "嘉義市",
    "新竹縣",
    "苗栗縣",
    "彰化縣",
    "南投縣",
    "雲林縣",
    "嘉義縣",
    "屏東縣",
    "宜蘭縣",
    "花蓮縣",
    "台東縣",
    "澎湖縣",
    "金門縣",
    "連江縣",
]
_TH = [
    "Bangkok",
    "Pattaya",
    "Northern",
    "Central",
    "Southern",
    "Eastern",
    "NorthEastern",
    "Western",
]
_ID = [
    "Bali",
    "Bandung",
    "Banjarmasin",
    "Jabodetabek",
    "Lainnya",
    "Makassar",
    "Medan",
    "Palembang",
    "Samarinda",
    "Semarang",
    "Surabaya",
    "Yogyakarta",
]
AREA_NAMES = {
    f"{country}_{n:02d}": name
    for country, names in (("jp", _JP), ("tw", _TW), ("th", _TH), ("id", _ID))
    for n, name in enumerate(names, start=1)
}


def parse_day(value: str, name: str) -> date:
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise BadRequest(
            f"The value for the '{name}' parameter is invalid",
            [ErrorDetail("Must be a date in yyyyMMdd format", name)],
        ) from None


def _period(start: date, end: date, max_span: int) -> None:
    if end < start:
        raise BadRequest(
            "The value for the 'to' parameter is invalid",
            [ErrorDetail("Must not be earlier than from", "to")],
        )
    if (end - start).days > max_span:
        raise BadRequest(
            "The value for the 'to' parameter is invalid",
            [ErrorDetail(f"Must be at most {max_span} days after from", "to")],
        )


def shown(value: int) -> int | None:
    return value if value >= PRIVACY_THRESHOLD else None


def shown_pair(tally: Tally | None) -> tuple[int | None, int | None]:
    """A count and its users, withheld together when either is under the threshold."""
    if tally is None or tally.users < PRIVACY_THRESHOLD or tally.count < PRIVACY_THRESHOLD:
        return None, None
    return tally.count, tally.users


def _percentages(counts: dict[str | None, int], total: int) -> list[tuple[str, float]]:
    tiles = [(str(k), round(n * 100 / total, 1)) for k, n in counts.items()]
    return sorted(tiles, key=lambda tile: (-tile[1], tile[0]))


def _yyyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29th without its leap year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class InsightService:
    def __init__(self, session: AsyncSession, channel: Channel, now: datetime) -> None:
        self.repo = InsightRepository(session, channel.id)
        self.messages = MessageQueries(session, channel)
        self.now = now

    @property
    def today(self) -> date:
        return self.now.astimezone(PLATFORM_TZ).date()

    async def followers(self, day: date | None) -> s.FollowersResponse:
        # Without a date the platform answers for the last day it has counted.
        day = day if day is not None else self.today - timedelta(days=1)
        status = day_status(day, self.now, FOLLOWERS_SINCE)
        if status is not None:
            return s.FollowersResponse(status=status)
        figures = await self.repo.followers_at(day_bounds(day)[1])
        return s.FollowersResponse(
            status="ready",
            followers=figures.followers,
            targeted_reaches=figures.targeted_reaches,
            blocks=figures.blocks,
        )

    async def deliveries(self, day: date) -> s.MessageDeliveriesResponse:
        status = day_status(day, self.now, DELIVERIES_SINCE)
        if status is not None:
            return s.MessageDeliveriesResponse(status=status)
        sent = await self.messages.sent_on(day)
        # `broadcast` and `targeting` count every broadcast and narrowcast, the manager's sends
        # (app/control/manager) among them; the `api*` fields only what the API sent.
        return s.MessageDeliveriesResponse(
            status="ready",
            broadcast=sent.all(SendKind.BROADCAST),
            targeting=sent.all(SendKind.NARROWCAST),
            auto_response=sent.all(SendKind.AUTO_REPLY),
            welcome_response=sent.all(SendKind.GREETING),
            chat=sent.all(SendKind.CHAT),
            api_broadcast=sent.api(SendKind.BROADCAST),
            api_push=sent.api(SendKind.PUSH),
            api_multicast=sent.api(SendKind.MULTICAST),
            api_narrowcast=sent.api(SendKind.NARROWCAST),
            api_reply=sent.api(SendKind.REPLY),
        )

    async def demographics(self) -> s.DemographicsResponse:
        total = await self.repo.friends()
        if total < PRIVACY_THRESHOLD:
            return s.DemographicsResponse(
                available=False,
                genders=[],
                ages=[],
                areas=[],
                app_types=[],
                subscription_periods=[],
            )
        genders = {"male": 0, "female": 0, "unknown": 0} | await self.repo.genders()
        app_types = {"ios": 0, "android": 0, "others": 0} | await self.repo.app_types()
        periods: dict[str | None, int] = {name: 0 for name, _ in PERIOD_BANDS}
        periods |= await self.repo.subscription_periods(self.now)
        areas: dict[str | None, int] = {}
        for code, n in (await self.repo.areas()).items():
            name = AREA_NAMES.get(code or "", "unknown")
            areas[name] = areas.get(name, 0) + n
        ages = await self.repo.ages()
        return s.DemographicsResponse(
            available=True,
            genders=[s.GenderTile(gender=k, percentage=p) for k, p in _percentages(genders, total)],
            ages=[s.AgeTile(age=k, percentage=p) for k, p in _percentages(ages, total)],
            areas=[s.AreaTile(area=k, percentage=p) for k, p in _percentages(areas, total)],
            app_types=[
                s.AppTypeTile(app_type=k, percentage=p) for k, p in _percentages(app_types, total)
            ],
            subscription_periods=[
                s.SubscriptionPeriodTile(subscription_period=k, percentage=p)
                for k, p in _percentages(periods, total)
            ],
        )

    async def message_event(self, request_id: str) -> s.MessageEventResponse:
        request = await self.repo.request(request_id, (SendKind.BROADCAST, SendKind.NARROWCAST))
        if request is None or self.now - request.accepted_at > EVENT_RETENTION:
            # The platform answers a request it has no statistics for with an empty overview.
            return s.MessageEventResponse(
                overview=s.EventOverview(
                    request_id=request_id,
                    timestamp=0,
                    delivered=0,
                    unique_impression=None,
                    unique_click=None,
                    unique_media_played=None,
                    unique_media_played100_percent=None,
                ),
                messages=[],
                clicks=[],
            )
        scope = self.repo.request_scope(request.id)
        overview = s.EventOverview(
            request_id=request.request_id,
            timestamp=int(request.accepted_at.timestamp()),
            **await self._unique_overview(scope),
        )
        if request.phase == Phase.SUCCEEDED:
            overview.delivered = request.success_count
        messages, clicks = await self._bubbles(scope, len(request.messages), per_user=False)
        return s.MessageEventResponse(overview=overview, messages=messages, clicks=clicks)

    async def unit_statistics(self, unit: str, start: date, end: date) -> s.MessageEventResponse:
        _period(start, end, UNIT_MAX_SPAN)
        scope = self.repo.unit_scope(unit, day_bounds(start)[0], day_bounds(end)[1])
        overview = s.EventOverview(**await self._unique_overview(scope))
        bubbles = await self.repo.most_messages(scope)
        messages, clicks = await self._bubbles(scope, bubbles, per_user=True)
        return s.MessageEventResponse(overview=overview, messages=messages, clicks=clicks)

    async def _unique_overview(self, scope: Any) -> dict[str, int | None]:
        return {
            "unique_impression": shown(await self.repo.engaged_users(scope, EngagementKind.OPEN)),
            "unique_click": shown(await self.repo.engaged_users(scope, EngagementKind.CLICK)),
            # Kizuna's users do not play media: nothing to count, so under the threshold.
            "unique_media_played": None,
            "unique_media_played100_percent": None,
        }

    async def _bubbles(
        self, scope: Any, bubbles: int, *, per_user: bool
    ) -> tuple[list[s.EventMessage], list[s.EventClick]]:
        impressions = await self.repo.impressions(scope)
        messages = []
        for index in range(bubbles):
            count, users = shown_pair(impressions.get(index))
            message = s.EventMessage(
                seq=index + 1,
                impression=count,
                media_played=None,
                media_played25_percent=None,
                media_played50_percent=None,
                media_played75_percent=None,
                media_played100_percent=None,
                unique_media_played=None,
                unique_media_played25_percent=None,
                unique_media_played50_percent=None,
                unique_media_played75_percent=None,
                unique_media_played100_percent=None,
            )
            if per_user:
                message.unique_impression = users
            messages.append(message)
        url_users = await self.repo.url_users(scope)
        clicks = [
            s.EventClick(
                seq=index + 1,
                url=url,
                click=shown_pair(tally)[0],
                unique_click=shown_pair(tally)[1],
                unique_click_of_request=shown(url_users.get(url, 0)),
            )
            for (index, url), tally in sorted((await self.repo.clicks(scope)).items())
        ]
        return messages, clicks

    # Rich menus

    async def _menu_period(
        self, rich_menu_id: str, start: date, end: date, max_span: int
    ) -> tuple[RichMenu, date, date] | None:
        """The menu and the days its figures cover (None: nothing may be shown)."""
        _period(start, end, max_span)
        if start < years_before(self.today, RICH_MENU_LOOKBACK_YEARS):
            raise BadRequest(
                "The value for the 'from' parameter is invalid",
                [ErrorDetail(f"Must be within the last {RICH_MENU_LOOKBACK_YEARS} years", "from")],
            )
        menu = await self.repo.rich_menu(rich_menu_id)
        if menu is None:
            raise NotFound()
        # Figures of a day are ready the day after: the period covered stops at yesterday.
        covered_to = min(end, self.today - timedelta(days=1))
        if covered_to < start:
            return None
        window = day_bounds(start)[0], day_bounds(covered_to)[1]
        if await self.repo.menu_clickers(menu.id, *window) < PRIVACY_THRESHOLD:
            return None
        return menu, start, covered_to

    async def rich_menu_summary(
        self, rich_menu_id: str, start: date, end: date
    ) -> s.RichMenuSummaryResponse:
        period = await self._menu_period(rich_menu_id, start, end, SUMMARY_MAX_SPAN)
        if period is None:
            return s.RichMenuSummaryResponse(rich_menu_id=rich_menu_id)
        menu, first, last = period
        tallies = await self.repo.menu_tallies(
            menu.id, day_bounds(first)[0], day_bounds(last)[1], daily=False
        )

        def metrics(key: tuple[str, int | None, str]) -> s.Metrics:
            tally = tallies.get(key, Tally(0, 0))
            return s.Metrics(count=tally.count, unique_users=tally.users)

        return s.RichMenuSummaryResponse(
            rich_menu_id=rich_menu_id,
            metrics_from=_yyyymmdd(first),
            metrics_to=_yyyymmdd(last),
            impression=s.SummaryImpression(metrics=metrics(("impression", None, ""))),
            clicks=[
                s.SummaryClick(bounds=s.Bounds(**area["bounds"]), metrics=metrics(("click", i, "")))
                for i, area in enumerate(menu.areas)
            ],
        )

    async def rich_menu_daily(
        self, rich_menu_id: str, start: date, end: date
    ) -> s.RichMenuDailyResponse:
        period = await self._menu_period(rich_menu_id, start, end, DAILY_MAX_SPAN)
        if period is None:
            return s.RichMenuDailyResponse(rich_menu_id=rich_menu_id)
        menu, first, last = period
        tallies = await self.repo.menu_tallies(
            menu.id, day_bounds(first)[0], day_bounds(last)[1], daily=True
        )

        def days(kind: str, area: int | None) -> list[s.DailyMetrics]:
            # Days without an event are left out, as the platform leaves them out.
            return [
                s.DailyMetrics(date=on, count=tally.count, unique_users=tally.users)
                for (k, a, on), tally in sorted(tallies.items(), key=lambda item: item[0][2])
                if k == kind and a == area
            ]

        return s.RichMenuDailyResponse(
            rich_menu_id=rich_menu_id,
            metrics_from=_yyyymmdd(first),
            metrics_to=_yyyymmdd(last),
            impression=s.DailyImpression(metrics=days("impression", None)),
            clicks=[
                s.DailyClick(bounds=s.Bounds(**area["bounds"]), metrics=days("click", i))
                for i, area in enumerate(menu.areas)
            ],
        )
