"""Step messages: sent N days after following, on Kizuna's clock, once per friend and step."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from linebot.v3.messaging import ApiClient, MessagingApi
from sqlalchemy import select

from app.control.manager.tasks import manager_heartbeat, run_due_work
from app.kit.db import transaction
from app.kit.queue import InProcessQueue
from app.kit.services import Services
from app.models import ScenarioEntry, User
from tests.control.manager.helpers import advance, call, manager_path, text, texts
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def scenario(**extra: object) -> dict[str, object]:
    return {
        "name": "Welcome",
        "steps": [
            {"days": 3, "messages": [text("Day 3: how is it going?")]},
            {"days": 7, "messages": [text("Day 7: a coupon")]},
        ],
        **extra,
    }


class TestSteps:
    @pytest.mark.asyncio
    async def test_days_after_following_once_each(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        early = control.user("Early")
        control.follow(channel, early)  # before the scenario: never enters
        created = call(control, "POST", channel, "steps", 201, json=scenario())
        assert [step["days"] for step in created["steps"]] == [3, 7]
        alice = control.user("Alice")
        control.follow(channel, alice)
        advance(control, days=2, seconds=86000)
        assert control.inbox(channel, alice) == []
        advance(control, seconds=500)
        assert texts(control, channel, alice) == [("step", "Day 3: how is it going?")]
        # Runs again, from another process as a second worker would, send nothing twice.
        other = await Services.start(server.settings, use_arq=False)
        try:
            now = server.services.clock.now()
            assert await run_due_work(other, now) == 0
            assert await run_due_work(other, now) == 0
        finally:
            await other.close()
        advance(control, days=1)
        assert len(control.inbox(channel, alice)) == 1
        advance(control, days=4)
        assert texts(control, channel, alice)[1:] == [("step", "Day 7: a coupon")]
        assert control.inbox(channel, early) == []
        view = call(control, "GET", channel, f"steps/{created['scenarioId']}")
        assert view["entries"] == 1
        assert [(s["sent"], s["passedOver"]) for s in view["steps"]] == [(1, 0), (1, 0)]
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            # Step messages count against the quota, as on the platform.
            assert MessagingApi(client).get_message_quota_consumption().total_usage == 2

    @pytest.mark.asyncio
    async def test_concurrent_runs_send_once(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        call(control, "POST", channel, "steps", 201, json=scenario())
        friends = [control.user(f"F{n}") for n in range(5)]
        for user_id in friends:
            control.follow(channel, user_id)
        # The runs below work three days ahead of Kizuna's clock, so the server's own beat
        # (on the clock) finds nothing due: the four concurrent runs alone send, each step once.
        other = await Services.start(server.settings, use_arq=False)
        try:
            ahead = server.services.clock.now() + timedelta(days=3)
            sent = await asyncio.gather(*(run_due_work(other, ahead) for _ in range(4)))
        finally:
            await other.close()
        assert sum(sent) == 5
        assert [len(control.inbox(channel, user_id)) for user_id in friends] == [1] * 5

    @pytest.mark.asyncio
    async def test_a_beat_reads_only_entries_due_since_the_last(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        early = control.user("Early")
        control.follow(channel, early)  # a friend, but never entered
        created = call(control, "POST", channel, "steps", 201, json=scenario())
        alice = control.user("Alice")
        control.follow(channel, alice)
        advance(control, days=3)
        assert texts(control, channel, alice) == [("step", "Day 3: how is it going?")]
        # An entry from before the last beat's cut-off is history the beats no longer read
        # (none can appear but by hand: entries are made at following, on Kizuna's clock).
        other = await Services.start(server.settings, use_arq=False)
        try:
            async with transaction(other.session_maker) as session:
                user_pk = await session.scalar(select(User.id).where(User.user_id == early))
                session.add(
                    ScenarioEntry(
                        scenario_pk=created["scenarioId"],
                        user_pk=user_pk,
                        entered_at=server.services.clock.now() - timedelta(days=30),
                    )
                )
        finally:
            await other.close()
        advance(control, days=1)
        assert control.inbox(channel, early) == []
        view = call(control, "GET", channel, f"steps/{created['scenarioId']}")
        assert [(s["sent"], s["passedOver"]) for s in view["steps"]] == [(1, 0), (0, 0)]
        advance(control, days=3)
        assert texts(control, channel, alice)[1:] == [("step", "Day 7: a coupon")]
        assert control.inbox(channel, early) == []

    def test_friend_path_and_target(self, control: Control, channel: ChannelInfo) -> None:
        call(control, "POST", channel, "steps", 201, json=scenario(friendPath="qr-store"))
        call(
            control,
            "POST",
            channel,
            "steps",
            201,
            json={
                "name": "Women only",
                "target": {"filter": {"demographic": {"type": "gender", "oneOf": ["female"]}}},
                "steps": [{"days": 1, "messages": [text("For you")]}],
            },
        )
        by_qr, by_search = (
            control.user("QR", gender="male"),
            control.user("Search", gender="female"),
        )
        response = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/users/{by_qr}/follow",
            params={"friendPath": "qr-store"},
        )
        assert response.status_code == 200
        control.follow(channel, by_search)
        advance(control, days=3)
        assert texts(control, channel, by_qr) == [("step", "Day 3: how is it going?")]
        assert texts(control, channel, by_search) == [("step", "For you")]
        views = call(control, "GET", channel, "steps")
        assert [v["entries"] for v in views] == [1, 2]
        # The man entered the second scenario but did not match its target when it was due.
        assert [(s["sent"], s["passedOver"]) for s in views[1]["steps"]] == [(1, 1)]

    def test_blocked_friends_and_spent_quota(self, control: Control, channel: ChannelInfo) -> None:
        call(control, "POST", channel, "steps", 201, json=scenario())
        users = [control.user(f"U{n}") for n in range(3)]
        for user_id in users:
            control.follow(channel, user_id)
        control.unfollow(channel, users[0])
        control.quota(channel, "limited", 1)
        advance(control, days=3)
        received = [len(control.inbox(channel, user_id)) for user_id in users]
        assert received[0] == 0 and sorted(received[1:]) == [0, 1]
        view = call(control, "GET", channel, "steps")[0]
        assert (view["steps"][0]["sent"], view["steps"][0]["passedOver"]) == (1, 2)

    def test_targets_naming_what_the_channel_lacks_are_refused_at_creation(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        other = control.channel("Other")
        theirs = call(control, "POST", other, "sends", 201, json={"messages": [text("x")]})
        ours = call(control, "POST", channel, "sends", 201, json={"messages": [text("y")]})
        (their_request,) = [r["requestId"] for r in theirs["requests"]]
        (our_request,) = [r["requestId"] for r in ours["requests"]]
        path = manager_path(channel, "steps")
        for recipient, prop in (
            ({"type": "audience", "audienceGroupId": 123}, "target.recipient.audienceGroupId"),
            ({"type": "audience", "audienceGroupId": 2**70}, "target.recipient.audienceGroupId"),
            ({"type": "redelivery", "requestId": their_request}, "target.recipient.requestId"),
        ):
            refused = control.http.post(
                path, json={**scenario(), "target": {"recipient": recipient}}
            )
            assert refused.status_code == 400, refused.text
            assert [d["property"] for d in refused.json()["details"]] == [prop]
        assert call(control, "GET", channel, "steps") == []
        redelivery = {"recipient": {"type": "redelivery", "requestId": our_request}}
        call(control, "POST", channel, "steps", 201, json={**scenario(), "target": redelivery})

    def test_bad_scenarios_and_deleting(self, control: Control, channel: ChannelInfo) -> None:
        path = manager_path(channel, "steps")
        no_steps = control.http.post(path, json={"name": "x", "steps": []})
        assert no_steps.status_code == 400
        bad_day = control.http.post(
            path, json={"name": "x", "steps": [{"days": 0, "messages": [text("a")]}]}
        )
        assert bad_day.json()["details"][0]["property"] == "steps[0].days"
        bad_message = control.http.post(
            path, json={"name": "x", "steps": [{"days": 1, "messages": [{"type": "text"}]}]}
        )
        assert bad_message.json()["details"][0]["property"] == "steps[0].messages[0].text"
        bad_target = control.http.post(
            path,
            json={
                **scenario(),
                "target": {"filter": {"demographic": {"type": "age", "gte": "age_3"}}},
            },
        )
        assert bad_target.status_code == 400
        assert bad_target.json()["details"][0]["property"].startswith("target.filter.demographic")
        created = call(control, "POST", channel, "steps", 201, json=scenario())
        alice = control.user("Alice")
        control.follow(channel, alice)
        call(control, "DELETE", channel, f"steps/{created['scenarioId']}", 204)
        advance(control, days=10)
        assert control.inbox(channel, alice) == []
        assert (
            control.http.get(manager_path(channel, f"steps/{created['scenarioId']}")).status_code
            == 404
        )


class TestHeartbeat:
    @pytest.mark.asyncio
    async def test_the_embedded_beat_runs_due_work_and_schedules_the_next(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        now = server.services.clock.now()
        call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={
                "messages": [text("Soon")],
                "scheduledAt": (now + timedelta(hours=1)).isoformat(),
            },
        )
        # Another process whose clock is past the send (the server's is not, so it waits).
        other = await Services.start(server.settings, use_arq=False)
        try:
            other.clock.set(now + timedelta(hours=2))
            assert isinstance(other.queue, InProcessQueue)
            assert await manager_heartbeat(other.job_context()) == 1
            assert len(other.queue._timers) == 1  # the next beat
            await other.queue.drain()
        finally:
            await other.close()
        control.wait_for_jobs()
        assert texts(control, channel, alice) == [("broadcast", "Soon")]


def test_an_expired_audience_is_refused_as_a_target_it_would_never_reach(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    friend = control.user("Friend")
    control.follow(channel, friend)
    uploaded = httpx.post(
        f"{server.base_url}/v2/bot/audienceGroup/upload",
        headers={"Authorization": f"Bearer {channel.access_token}"},
        json={"description": "Regulars", "audiences": [{"id": friend}]},
    )
    assert uploaded.status_code == 202, uploaded.text
    target = {
        "recipient": {"type": "audience", "audienceGroupId": uploaded.json()["audienceGroupId"]}
    }
    call(control, "POST", channel, "steps", 201, json={**scenario(), "target": target})
    advance(control, days=181)  # an audience expires after 180 days
    refused = control.http.post(
        manager_path(channel, "steps"), json={**scenario(), "target": target}
    )
    assert refused.status_code == 400, refused.text
    assert [d["property"] for d in refused.json()["details"]] == [
        "target.recipient.audienceGroupId"
    ]
