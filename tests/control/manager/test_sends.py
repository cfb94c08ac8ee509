"""Sends from the manager: now or scheduled, capped, targeted, A/B tests, test sends."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.control.manager.repository import ManagerRepository
from app.control.manager.service import ManagerService
from app.kit.db import transaction
from app.kit.errors import Conflict
from app.kit.services import Services
from app.kit.uow import UnitOfWork
from app.models import Channel, SendStatus
from tests.control.manager.helpers import advance, call, manager_path, text, texts
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


def clock_now(control: Control) -> datetime:
    return datetime.fromisoformat(control.http.get("/_kizuna/clock").json()["now"])


def friends_by_gender(control: Control, channel: ChannelInfo) -> dict[str | None, set[str]]:
    """Every friend's id by the gender on their profile, read from the console's user list:
    what a gender filter must reach, found without the filter's SQL."""
    path = f"/_kizuna/console/channels/{channel.channel_id}/users"
    page = control.http.get(path, params={"limit": 1000}).json()
    assert page["total"] == len(page["users"]) < 1000
    by_gender: dict[str | None, set[str]] = {}
    for user in page["users"]:
        by_gender.setdefault(user.get("gender"), set()).add(user["userId"])
    return by_gender


def received(control: Control, channel: ChannelInfo, user_ids: set[str]) -> dict[str, set[str]]:
    """Text to the users whose inbox holds it, from every user's inbox."""
    by_text: dict[str, set[str]] = {}
    for user_id in user_ids:
        for _, value in texts(control, channel, user_id):
            by_text.setdefault(value, set()).add(user_id)
    return by_text


class TestSends:
    def test_now_to_every_friend(self, control: Control, channel: ChannelInfo) -> None:
        friends = [control.user(f"F{n}") for n in range(3)]
        for user_id in friends:
            control.follow(channel, user_id)
        send = call(control, "POST", channel, "sends", 201, json={"messages": [text("Sale!")]})
        assert send["status"] == "sent"
        control.wait_for_jobs()
        assert all(texts(control, channel, u) == [("broadcast", "Sale!")] for u in friends)
        view = call(control, "GET", channel, f"sends/{send['sendId']}")
        assert view["statistics"]["delivered"] == 3
        assert [r["phase"] for r in view["requests"]] == ["succeeded"]
        assert [s["sendId"] for s in call(control, "GET", channel, "sends")] == [send["sendId"]]

    def test_scheduled_on_kizunas_clock(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        at = clock_now(control) + timedelta(hours=1)
        later = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={"messages": [text("Later")], "scheduledAt": at.isoformat()},
        )
        never = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={"messages": [text("Never")], "scheduledAt": at.isoformat()},
        )
        assert (later["status"], later["requests"]) == ("scheduled", [])
        assert call(control, "DELETE", channel, f"sends/{never['sendId']}")["status"] == "cancelled"
        advance(control, seconds=3500)
        control.wait_for_jobs()
        assert control.inbox(channel, alice) == []
        advance(control, seconds=200)
        control.wait_for_jobs()
        assert texts(control, channel, alice) == [("broadcast", "Later")]
        assert call(control, "GET", channel, f"sends/{later['sendId']}")["status"] == "sent"
        again = control.http.delete(manager_path(channel, f"sends/{later['sendId']}"))
        assert again.status_code == 409
        past = control.http.post(
            manager_path(channel, "sends"),
            json={"messages": [text("x")], "scheduledAt": "2020-01-01T00:00:00Z"},
        )
        assert past.status_code == 400
        assert past.json()["details"][0]["property"] == "scheduledAt"

    def test_a_scheduled_send_the_platform_refuses_fails(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 20, seed=3)
        at = clock_now(control) + timedelta(minutes=10)
        send = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={
                "messages": [text("Women only")],
                "target": {"filter": {"demographic": {"type": "gender", "oneOf": ["female"]}}},
                "scheduledAt": at.isoformat(),
            },
        )
        advance(control, seconds=601)
        failed = call(control, "GET", channel, f"sends/{send['sendId']}")
        assert failed["status"] == "failed"
        assert "less than 100" in failed["error"]
        assert failed["requests"] == []

    def test_maximum_recipients_and_target(self, control: Control, channel: ChannelInfo) -> None:
        control.bulk(channel, 300, seed=11)
        capped = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={"messages": [text("First 60")], "maxRecipients": 60},
        )
        women = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={
                "messages": [text("Women")],
                "target": {"filter": {"demographic": {"type": "gender", "oneOf": ["female"]}}},
            },
        )
        control.wait_for_jobs()
        capped_view = call(control, "GET", channel, f"sends/{capped['sendId']}")
        assert capped_view["statistics"]["delivered"] == 60
        women_view = call(control, "GET", channel, f"sends/{women['sendId']}")
        by_gender = friends_by_gender(control, channel)
        expected = by_gender["female"]
        assert women_view["statistics"]["delivered"] == len(expected) >= 100
        assert women_view["requests"][0]["successCount"] == len(expected)
        inboxes = received(control, channel, set().union(*by_gender.values()))
        assert inboxes["Women"] == expected
        assert len(inboxes["First 60"]) == 60
        bad = control.http.post(
            manager_path(channel, "sends"),
            json={"messages": [text("x")], "target": {"recipient": {"type": "audience"}}},
        )
        assert bad.status_code == 400
        assert bad.json()["details"][0]["property"] == "target.recipient.audienceGroupId"

    def test_ab_test_splits_the_target(self, control: Control, channel: ChannelInfo) -> None:
        control.bulk(channel, 400, seed=5)
        send = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={
                "abTest": {
                    "variants": [
                        {"percentage": 50, "messages": [text("Pink")]},
                        {"percentage": 50, "messages": [text("Blue")]},
                    ]
                }
            },
        )
        women = {"filter": {"demographic": {"type": "gender", "oneOf": ["female"]}}}
        split_women = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={
                "target": women,
                "abTest": {
                    "variants": [
                        {"percentage": 30, "messages": [text("Coral")]},
                        {"percentage": 70, "messages": [text("Navy")]},
                    ]
                },
            },
        )
        whole = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={"messages": [text("All")], "target": women},
        )
        control.wait_for_jobs()
        by_gender = friends_by_gender(control, channel)
        friends = set().union(*by_gender.values())
        assert len(friends) == 400
        inboxes = received(control, channel, friends)
        view = call(control, "GET", channel, f"sends/{send['sendId']}")
        pink, blue = (v["statistics"]["delivered"] for v in view["variants"])
        # Every friend in exactly one half, and each half's figure counts its own recipients.
        assert inboxes["Pink"] | inboxes["Blue"] == friends
        assert not inboxes["Pink"] & inboxes["Blue"]
        assert (pink, blue) == (len(inboxes["Pink"]), len(inboxes["Blue"]))
        # Halves of a hash with a fresh random salt: roughly even, not an exact cut.
        assert 120 < pink < 280
        assert view["statistics"]["delivered"] == 400
        assert [v["request"]["phase"] for v in view["variants"]] == ["succeeded"] * 2
        expected = by_gender["female"]
        everyone = call(control, "GET", channel, f"sends/{whole['sendId']}")["statistics"]
        assert everyone["delivered"] == len(expected) >= 100
        assert inboxes["All"] == expected
        # The variants split exactly the women between them, each counting its own share.
        halves = call(control, "GET", channel, f"sends/{split_women['sendId']}")["variants"]
        assert inboxes["Coral"] | inboxes["Navy"] == expected
        assert not inboxes["Coral"] & inboxes["Navy"]
        coral, navy = (h["statistics"]["delivered"] for h in halves)
        assert (coral, navy) == (len(inboxes["Coral"]), len(inboxes["Navy"]))
        # The 30 % share reaches fewer than the 100 an attribute filter needs, yet it is sent:
        # the filter's reach (all the women) is what counts.
        assert coral < 100
        assert [h["request"]["phase"] for h in halves] == ["succeeded"] * 2
        too_many = control.http.post(
            manager_path(channel, "sends"),
            json={
                "abTest": {
                    "variants": [
                        {"percentage": 60, "messages": [text("a")]},
                        {"percentage": 60, "messages": [text("b")]},
                    ]
                }
            },
        )
        assert too_many.status_code == 400
        assert too_many.json()["details"][0]["property"] == "abTest.variants"


class TestTestSends:
    def test_to_operators_who_follow(self, control: Control, channel: ChannelInfo) -> None:
        path = manager_path(channel, "test-sends")
        assert control.http.post(path, json={"messages": [text("t")]}).status_code == 400
        admin, away, fan = control.user("Admin"), control.user("Away"), control.user("Fan")
        control.follow(channel, admin)
        control.follow(channel, fan)
        operators = call(control, "PUT", channel, "operators", json={"userIds": [admin, away]})
        assert {(o["userId"], o["following"]) for o in operators} == {(admin, True), (away, False)}
        sent = call(control, "POST", channel, "test-sends", 201, json={"messages": [text("Draft")]})
        by_user = {r["userId"]: r.get("requestId") for r in sent["recipients"]}
        assert by_user[admin] is not None and by_user[away] is None
        assert texts(control, channel, admin) == [("test", "Draft")]
        assert control.inbox(channel, fan) == []
        unknown = control.http.put(
            manager_path(channel, "operators"), json={"userIds": [admin, "U" + "0" * 32]}
        )
        assert unknown.status_code == 400
        assert unknown.json()["details"][0]["property"] == "userIds[1]"


class TestCancelRace:
    @pytest.mark.asyncio
    async def test_a_cancel_that_lost_to_the_schedule_is_refused(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        at = clock_now(control) + timedelta(hours=1)
        body = {"messages": [text("Later")], "scheduledAt": at.isoformat()}
        send_id = call(control, "POST", channel, "sends", 201, json=body)["sendId"]
        other = await Services.start(server.settings, use_arq=False)
        try:
            async with other.session_maker() as session:
                row = await session.scalar(
                    select(Channel).where(Channel.channel_id == channel.channel_id)
                )
                assert row is not None
                manager = ManagerService(UnitOfWork(other, session), row)
                stale = await manager.send(send_id)
                assert stale.status == SendStatus.SCHEDULED
                # Meanwhile the schedule takes the send, in its own transaction.
                async with transaction(other.session_maker) as beat:
                    assert await ManagerRepository(beat).claim_send(stale.id) is not None
                with pytest.raises(Conflict):
                    await manager.cancel(stale)
                await session.commit()
        finally:
            await other.close()
        assert call(control, "GET", channel, f"sends/{send_id}")["status"] == "sent"


class TestOutOfRangeInput:
    def test_ids_counts_and_times_beyond_the_columns_are_400_with_the_property(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        message = [text("x")]
        cases = [
            ("POST", "sends", {"messages": message, "campaignId": 2**63}, "campaignId"),
            ("POST", "sends", {"messages": message, "campaignId": 0}, "campaignId"),
            ("POST", "sends", {"messages": message, "maxRecipients": 2**31}, "maxRecipients"),
            (
                "POST",
                "sends",
                {"messages": message, "scheduledAt": "9999-12-31T23:59:59-12:00"},
                "scheduledAt",
            ),
            ("PUT", "greeting", {"messages": message, "campaignId": 2**70}, "campaignId"),
            (
                "POST",
                "responses",
                {"name": "r", "keywords": ["a"], "replies": [message], "campaignId": 2**64},
                "campaignId",
            ),
            (
                "POST",
                "steps",
                {"name": "s", "steps": [{"days": 1, "messages": message}], "campaignId": -5},
                "campaignId",
            ),
        ]
        for method, rest, body, prop in cases:
            refused = call(control, method, channel, rest, 400, json=body)
            assert [d["property"] for d in refused["details"]] == [prop], (rest, body)
        assert call(control, "GET", channel, "sends") == []
