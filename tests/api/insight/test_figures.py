"""A seeded scenario: every insight figure equals what is derived independently, from the
rows Kizuna recorded (read here in Python) or from what the test itself did."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    BroadcastRequest,
    MessagingApi,
    MulticastRequest,
    PushMessageRequest,
    TextMessage,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.insight.service import AREA_NAMES
from app.delivery.repository import every_delivery
from app.models import (
    Channel,
    Friendship,
    FriendshipEvent,
    FriendshipStatus,
    MessageRequest,
    User,
)
from tests.api.insight.support import (
    JAPAN,
    engage,
    insight_api,
    japan_day,
    message_ids,
    see_rich_menu,
    tap_rich_menu,
    today,
    ymd,
)
from tests.api.richmenu.support import LineHttp, menu_body
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

SHOP = "https://example.com/shop"
HELP = "https://example.com/help"
UNIT = "promo_a"
GENDERS = ["male", "female", None]
AGES = [12, 16, 22, 27, 33, 38, 41, 47, 52, 57, 61, 66, 73, None]
AREAS = ["jp_13", "jp_27", "tw_01", "th_01", "id_04", None]
APPS = ["ios", "android", None]


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), JAPAN).astimezone(UTC)


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age < 15:
        return "from0to14"
    if age >= 70:
        return "from70"
    low = age - age % 5
    return f"from{low}to{low + 4}"


def period_band(since: datetime, now: datetime) -> str:
    days = (now - since) / timedelta(days=1)
    for name, bound in (
        ("over365days", 365),
        ("within365days", 180),
        ("within180days", 90),
        ("within90days", 30),
        ("within30days", 7),
    ):
        if days >= bound:
            return name
    return "within7days"


def percentages(counter: Counter[str], total: int, *always: str) -> dict[str, float]:
    shares = {key: round(n * 100 / total, 1) for key, n in counter.items()}
    return {key: 0.0 for key in always} | shares


def tiles(items: list[Any], key: str) -> dict[str, float]:
    return {getattr(item, key): item.percentage for item in items}


def privacy(count: int, users: int) -> tuple[int | None, int | None]:
    return (count, users) if count >= 20 and users >= 20 else (None, None)


def at_least_20(n: int) -> int | None:
    return n if n >= 20 else None


class Scenario:
    """Users with attributes, sends and engagement over two days, all through the SDK and the
    control plane; it remembers what it did so the expected figures need no server code."""

    def __init__(self, server: LiveServer, control: Control, channel: ChannelInfo) -> None:
        self.server, self.control, self.channel = server, control, channel
        self.opens: list[tuple[str, int]] = []  # (user, message index) of the broadcast
        self.clicks: list[tuple[str, int, str]] = []
        self.unit_opens: list[tuple[str, int]] = []
        self.unit_clicks: list[tuple[str, int, str]] = []
        self.menu_seen: dict[date, list[str]] = defaultdict(list)
        self.menu_taps: dict[date, list[tuple[str, int]]] = defaultdict(list)

    def send(self, request: Any, how: str) -> str:
        config = messaging_config(self.server.base_url, self.channel.access_token)
        with ApiClient(config) as client:
            sent = getattr(MessagingApi(client), f"{how}_with_http_info")(request)
        self.control.wait_for_jobs()
        return str(sent.headers["X-Line-Request-Id"])

    def open(self, user: str, request_id: str, text: str, log: list[tuple[str, int]]) -> None:
        body = engage(
            self.control,
            self.channel,
            user,
            message_ids(self.control, self.channel, user, request_id)[text],
        )
        log.append((user, int(body["messageIndex"])))

    def click(
        self, user: str, request_id: str, text: str, url: str, log: list[tuple[str, int, str]]
    ) -> None:
        ids = message_ids(self.control, self.channel, user, request_id)
        body = engage(self.control, self.channel, user, ids[text], url)
        log.append((user, int(body["messageIndex"]), url))

    def day(self) -> date:
        return today(self.server)

    def run(self) -> None:
        c, ch = self.control, self.channel
        self.population = c.bulk(ch, 40, seed=11)
        users = [
            c.user(
                f"U{i}",
                **{
                    k: v
                    for k, v in {
                        "gender": GENDERS[i % 3],
                        "age": AGES[i % len(AGES)],
                        "area": AREAS[i % len(AREAS)],
                        "appType": APPS[i % 3],
                    }.items()
                    if v is not None
                },
            )
            for i in range(30)
        ]
        for user in users:
            c.follow(ch, user)
        for user in users[27:]:
            c.unfollow(ch, user)
        self.users = users
        friends = users[:27]

        first, second = f"Sale {SHOP} and {HELP}", "Second bubble"
        self.broadcast = self.send(
            BroadcastRequest(messages=[TextMessage(text=first), TextMessage(text=second)]),
            "broadcast",
        )
        for user in friends[:25]:
            self.open(user, self.broadcast, first, self.opens)
        self.open(friends[0], self.broadcast, first, self.opens)  # a second look
        for user in friends[:21]:
            self.open(user, self.broadcast, second, self.opens)
        for user in friends[:22]:
            self.click(user, self.broadcast, first, SHOP, self.clicks)
        for user in friends[:3]:
            self.click(user, self.broadcast, first, SHOP, self.clicks)
        for user in friends[:4]:
            self.click(user, self.broadcast, first, HELP, self.clicks)

        unit_text = f"Unit offer {SHOP}"
        self.unit_request = self.send(
            MulticastRequest(
                to=friends[:26],
                messages=[TextMessage(text=unit_text)],
                custom_aggregation_units=[UNIT],
            ),
            "multicast",
        )
        pushed_text = "Pushed in the unit"
        self.unit_push = self.send(
            PushMessageRequest(
                to=friends[0],
                messages=[TextMessage(text="Lead"), TextMessage(text=pushed_text)],
                custom_aggregation_units=[UNIT],
            ),
            "push_message",
        )
        for user in friends[:21]:
            self.open(user, self.unit_request, unit_text, self.unit_opens)
        self.open(friends[0], self.unit_push, pushed_text, self.unit_opens)
        for user in friends[:20]:
            self.click(user, self.unit_request, unit_text, SHOP, self.unit_clicks)

        line = LineHttp(self.server, ch)
        try:
            self.menu_id = line.menu(menu_body("Insight"))
            assert line.post(f"/v2/bot/user/all/richmenu/{self.menu_id}").status_code == 200
        finally:
            line.close()
        self.day0 = self.day()
        for user in friends[:23]:
            see_rich_menu(c, ch, user)
            self.menu_seen[self.day()].append(user)
        for user in friends[:21]:
            tap_rich_menu(c, ch, user, 0)
            self.menu_taps[self.day()].append((user, 0))
        for user in friends[:2] * 2:
            tap_rich_menu(c, ch, user, 1)
            self.menu_taps[self.day()].append((user, 1))

        self.server.services.clock.advance(timedelta(days=1))
        self.day1 = self.day()
        newcomer = c.user("Late")
        c.follow(ch, newcomer)
        c.unfollow(ch, friends[5])
        c.follow(ch, users[28])  # unblocks
        self.send(BroadcastRequest(messages=[TextMessage(text="Day two")]), "broadcast")
        for user in friends[10:15]:
            see_rich_menu(c, ch, user)
            self.menu_seen[self.day()].append(user)
            tap_rich_menu(c, ch, user, 1)
            self.menu_taps[self.day()].append((user, 1))
        self.server.services.clock.advance(timedelta(days=1))


@pytest.fixture
def scenario(server: LiveServer, control: Control, channel: ChannelInfo) -> Scenario:
    played = Scenario(server, control, channel)
    played.run()
    return played


async def _channel_pk(session: AsyncSession, channel: ChannelInfo) -> int:
    pk = await session.scalar(select(Channel.id).where(Channel.channel_id == channel.channel_id))
    assert pk is not None
    return int(pk)


@pytest.mark.asyncio
async def test_followers_per_date_replay_the_recorded_history(
    server: LiveServer,
    channel: ChannelInfo,
    scenario: Scenario,
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_maker() as session:
        pk = await _channel_pk(session, channel)
        events = (
            await session.scalars(
                select(FriendshipEvent)
                .where(FriendshipEvent.channel_pk == pk)
                .order_by(FriendshipEvent.occurred_at, FriendshipEvent.id)
            )
        ).all()
        known = set(
            await session.scalars(
                select(User.id).where(
                    User.gender.is_not(None), User.age.is_not(None), User.area.is_not(None)
                )
            )
        )
    for day in (scenario.day0 - timedelta(days=400), scenario.day0, scenario.day1):
        last: dict[int, str] = {}
        followers = 0
        for event in events:
            if event.occurred_at < end_of(day):
                last[event.user_pk] = event.kind.value
                followers += event.kind.value == "follow"
        blocks = sum(kind == "block" for kind in last.values())
        reach = sum(kind != "block" and user in known for user, kind in last.items())
        with insight_api(server, channel) as api:
            figures = api.get_number_of_followers(var_date=ymd(day))
        assert (figures.status, figures.followers, figures.targeted_reaches, figures.blocks) == (
            "ready",
            followers,
            reach,
            blocks,
        )
    # Day one: a newcomer, one more block, one unblock (not a new follower).
    with insight_api(server, channel) as api:
        before = api.get_number_of_followers(var_date=ymd(scenario.day0))
        after = api.get_number_of_followers(var_date=ymd(scenario.day1))
        latest = api.get_number_of_followers()
    assert (after.followers or 0) - (before.followers or 0) == 1
    assert before.blocks == 3 and after.blocks == 3
    assert latest == after  # without a date: the last day counted


@pytest.mark.asyncio
async def test_deliveries_per_date_count_the_recipients_of_each_kind_of_send(
    server: LiveServer,
    channel: ChannelInfo,
    scenario: Scenario,
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_maker() as session:
        pk = await _channel_pk(session, channel)
        deliveries = every_delivery()
        rows = (
            await session.execute(
                select(MessageRequest.kind, MessageRequest.accepted_at)
                .join(deliveries, deliveries.c.request_pk == MessageRequest.id)
                .where(MessageRequest.channel_pk == pk)
            )
        ).all()
    for day in (scenario.day0, scenario.day1):
        sent = Counter(kind.value for kind, at in rows if japan_day(at) == day)
        with insight_api(server, channel) as api:
            counts = api.get_number_of_message_deliveries(var_date=ymd(day))
        assert counts.status == "ready"
        assert (counts.api_broadcast, counts.api_push, counts.api_multicast) == (
            sent["broadcast"],
            sent["push"],
            sent["multicast"],
        )
        assert (counts.broadcast, counts.targeting, counts.api_narrowcast, counts.api_reply) == (
            sent["broadcast"],
            sent["narrowcast"],
            sent["narrowcast"],
            sent["reply"],
        )
    # 40 seeded and 27 named friends got the first broadcast; the multicast 26, the push 1.
    with insight_api(server, channel) as api:
        first = api.get_number_of_message_deliveries(var_date=ymd(scenario.day0))
    assert (first.api_broadcast, first.api_multicast, first.api_push) == (67, 26, 1)


@pytest.mark.asyncio
async def test_demographics_are_the_shares_of_the_friends_attributes(
    server: LiveServer,
    channel: ChannelInfo,
    scenario: Scenario,
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_maker() as session:
        pk = await _channel_pk(session, channel)
        rows = (
            await session.execute(
                select(User, Friendship.since)
                .join(Friendship, Friendship.user_pk == User.id)
                .where(Friendship.channel_pk == pk, Friendship.status == FriendshipStatus.FOLLOWING)
            )
        ).all()
    now = server.services.clock.now()
    with insight_api(server, channel) as api:
        result = api.get_friends_demographics()
    total = len(rows)
    # Seeded and named friends, the day-one newcomer and unblock, less the day-one block.
    assert result.available is True and total == 40 + 27 + 1 + 1 - 1
    users = [user for user, _ in rows]
    genders = Counter(u.gender.value if u.gender else "unknown" for u in users)
    apps = Counter(u.app_type.value if u.app_type else "others" for u in users)
    areas = Counter(AREA_NAMES[u.area] if u.area else "unknown" for u in users)
    ages = Counter(age_band(u.age) for u in users)
    periods = Counter(period_band(since, now) for _, since in rows)
    assert tiles(result.genders, "gender") == percentages(
        genders, total, "male", "female", "unknown"
    )
    assert tiles(result.app_types, "app_type") == percentages(
        apps, total, "ios", "android", "others"
    )
    assert tiles(result.areas, "area") == percentages(areas, total)
    assert tiles(result.ages, "age") == percentages(ages, total)
    assert tiles(result.subscription_periods, "subscription_period") == percentages(
        periods,
        total,
        "within7days",
        "within30days",
        "within90days",
        "within180days",
        "within365days",
        "over365days",
    )
    # The named users' areas come out under the platform's names.
    assert {"東京", "大阪", "台北市", "Bangkok", "Jabodetabek"} <= set(areas)


def test_message_event_counts_the_broadcasts_engagement(
    server: LiveServer, channel: ChannelInfo, scenario: Scenario
) -> None:
    with insight_api(server, channel) as api:
        event = api.get_message_event(request_id=scenario.broadcast)
    overview = event.overview
    assert overview.request_id == scenario.broadcast
    assert overview.delivered == 67
    assert overview.unique_impression == at_least_20(len({u for u, _ in scenario.opens}))
    assert overview.unique_click == at_least_20(len({u for u, _, _ in scenario.clicks}))
    assert overview.unique_impression == 25 and overview.unique_click == 22
    assert overview.unique_media_played is None
    per_bubble = {m.seq: m.impression for m in event.messages}
    expected = {}
    for index in (0, 1):
        opened = [u for u, i in scenario.opens if i == index]
        expected[index + 1] = privacy(len(opened), len(set(opened)))[0]
    assert per_bubble == expected == {1: 26, 2: 21}
    clicks = {
        (c.seq, c.url): (c.click, c.unique_click, c.unique_click_of_request) for c in event.clicks
    }
    wanted = {}
    for url in (SHOP, HELP):
        by = [u for u, _, clicked in scenario.clicks if clicked == url]
        wanted[(1, url)] = (*privacy(len(by), len(set(by))), at_least_20(len(set(by))))
    assert clicks == wanted
    assert clicks[(1, SHOP)] == (25, 22, 22) and clicks[(1, HELP)] == (None, None, None)


def test_statistics_per_unit_merge_the_unit_requests(
    server: LiveServer, channel: ChannelInfo, scenario: Scenario
) -> None:
    with insight_api(server, channel) as api:
        stats = api.get_statistics_per_unit(
            custom_aggregation_unit=UNIT, var_from=ymd(scenario.day0), to=ymd(scenario.day1)
        )
        other = api.get_statistics_per_unit(
            custom_aggregation_unit="Promo_A", var_from=ymd(scenario.day0), to=ymd(scenario.day1)
        )
    assert stats.overview.unique_impression == at_least_20(len({u for u, _ in scenario.unit_opens}))
    assert stats.overview.unique_click == at_least_20(len({u for u, _, _ in scenario.unit_clicks}))
    assert (stats.overview.unique_impression, stats.overview.unique_click) == (21, 20)
    expected = {}
    for index in (0, 1):
        opened = [u for u, i in scenario.unit_opens if i == index]
        expected[index + 1] = privacy(len(opened), len(set(opened)))
    assert {m.seq: (m.impression, m.unique_impression) for m in stats.messages} == expected
    assert expected[1] == (21, 21) and expected[2] == (None, None)  # one push opened once
    assert [
        (c.seq, c.url, c.click, c.unique_click, c.unique_click_of_request) for c in stats.clicks
    ] == [(1, SHOP, 20, 20, 20)]
    # Unit names are case-sensitive.
    assert other.overview.unique_impression is None and other.messages == [] and other.clicks == []


def test_rich_menu_summary_and_daily_count_what_users_saw_and_tapped(
    server: LiveServer, channel: ChannelInfo, scenario: Scenario
) -> None:
    first, last = ymd(scenario.day0), ymd(scenario.day1)
    with insight_api(server, channel) as api:
        summary = api.get_rich_menu_insight_summary(scenario.menu_id, var_from=first, to=last)
        daily = api.get_rich_menu_insight_daily(scenario.menu_id, var_from=first, to=last)
    seen = [u for users in scenario.menu_seen.values() for u in users]
    taps = [t for day_taps in scenario.menu_taps.values() for t in day_taps]
    assert (summary.metrics_from, summary.metrics_to) == (first, last)
    assert summary.impression is not None and summary.clicks is not None
    assert (summary.impression.metrics.count, summary.impression.metrics.unique_users) == (
        len(seen),
        len(set(seen)),
    )
    areas = menu_body()["areas"]
    assert len(summary.clicks) == len(daily.clicks or []) == len(areas)
    for index, click in enumerate(summary.clicks):
        by = [u for u, i in taps if i == index]
        assert click.bounds.to_dict() == areas[index]["bounds"]
        assert (click.metrics.count, click.metrics.unique_users) == (len(by), len(set(by)))
    assert daily.impression is not None and daily.clicks is not None
    assert [(m.var_date, m.count, m.unique_users) for m in daily.impression.metrics] == [
        (ymd(day), len(users), len(set(users))) for day, users in sorted(scenario.menu_seen.items())
    ]
    for index, click in enumerate(daily.clicks):
        wanted = []
        for day, day_taps in sorted(scenario.menu_taps.items()):
            by = [u for u, i in day_taps if i == index]
            if by:
                wanted.append((ymd(day), len(by), len(set(by))))
        assert [(m.var_date, m.count, m.unique_users) for m in click.metrics] == wanted


def test_rich_menu_figures_under_the_threshold_show_only_the_id(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    friends = [control.user(f"F{i}") for i in range(19)]
    for user in friends:
        control.follow(channel, user)
    line = LineHttp(server, channel)
    try:
        menu_id = line.menu()
        assert line.post(f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 200
    finally:
        line.close()
    for user in friends:
        tap_rich_menu(control, channel, user, 0)
    server.services.clock.advance(timedelta(days=1))
    yesterday = ymd(today(server) - timedelta(days=1))
    with insight_api(server, channel) as api:
        summary = api.get_rich_menu_insight_summary(menu_id, var_from=yesterday, to=yesterday)
    assert summary.rich_menu_id == menu_id
    assert (summary.metrics_from, summary.impression, summary.clicks) == (None, None, None)
