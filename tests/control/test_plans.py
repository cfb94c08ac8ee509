"""Billing plans: the Taiwan price table, the quota a plan sets (and the LINE quota endpoints
agree), upgrades now and downgrades next month on Kizuna's clock, monthly statements."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from linebot.v3.messaging import BroadcastRequest, TextMessage
from linebot.v3.messaging.exceptions import ApiException

from app.control.plans.catalog import PLANS, overage
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import call_sync

JST = ZoneInfo("Asia/Tokyo")


def _bill(messages: int) -> Decimal:
    plan = PLANS["high"]
    return plan.monthly_fee + sum((c.amount for c in overage(plan, messages)), Decimal(0))


class TestPricing:
    def test_the_briefs_worked_example_100000_messages_cost_15670(self) -> None:
        assert _bill(100_000) == Decimal(15_670)
        assert [c.messages for c in overage(PLANS["high"], 100_000)] == [
            19_000,
            10_000,
            10_000,
            20_000,
            35_000,
        ]

    def test_tiers_are_graduated_and_the_last_one_has_no_end(self) -> None:
        assert _bill(6_000) == Decimal(1_200)
        assert _bill(6_001) == Decimal("1200.2")
        assert _bill(25_001) == Decimal(1_200 + 3_800) + Decimal("0.165")
        far = overage(PLANS["high"], 30_000_000)
        assert far[-1].tier.last is None and far[-1].messages == 30_000_000 - 20_505_000
        assert far[-1].amount == Decimal("0.011") * (30_000_000 - 20_505_000)

    def test_free_and_middle_plans_have_no_additional_messages(self) -> None:
        assert overage(PLANS["free"], 10_000) == [] and overage(PLANS["middle"], 10_000) == []


def _plan(control: Control, channel: ChannelInfo, code: str) -> dict[str, Any]:
    response = control.http.put(f"/_kizuna/channels/{channel.channel_id}/plan", json={"plan": code})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _set_clock(control: Control, at: datetime) -> None:
    response = control.http.put("/_kizuna/clock", json={"now": at.isoformat()})
    assert response.status_code == 200, response.text


def _broadcast(server: LiveServer, channel: ChannelInfo, text: str) -> None:
    call_sync(
        server.base_url,
        channel.access_token,
        lambda api: api.broadcast(BroadcastRequest(messages=[TextMessage(text=text)])),
    )


def _quota(server: LiveServer, channel: ChannelInfo) -> tuple[str, int | None]:
    quota = call_sync(server.base_url, channel.access_token, lambda api: api.get_message_quota())
    return quota.type, quota.value


def _statement(control: Control, channel: ChannelInfo, **params: str) -> httpx.Response:
    return control.http.get(f"/_kizuna/channels/{channel.channel_id}/statement", params=params)


class TestStatement:
    def test_months_outside_years_1_to_9998_are_400_on_month(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        control.http.put(f"/_kizuna/channels/{channel.channel_id}/plan", json={"plan": "high"})
        for month in ("0000-01", "9999-12", "2026-13", "2026-1"):
            refused = _statement(control, channel, month=month)
            assert refused.status_code == 400, (month, refused.text)
            assert [d["property"] for d in refused.json()["details"]] == ["month"]
        assert _statement(control, channel).status_code == 200

    def test_100000_messages_on_the_high_plan_bill_15670_twd(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        _set_clock(control, datetime(2026, 12, 3, 10, tzinfo=JST))
        assert _plan(control, channel, "high")["quota"] == {"type": "none"}
        control.bulk(channel, 5_000, seed=7)
        for n in range(20):
            _broadcast(server, channel, f"Sale day {n}")
        control.wait_for_jobs()
        usage = call_sync(
            server.base_url, channel.access_token, lambda api: api.get_message_quota_consumption()
        )
        assert usage.total_usage == 100_000

        statement = _statement(control, channel).json()
        assert statement["month"] == "2026-12" and statement["final"] is False
        assert statement["messages"] == 100_000
        assert statement["monthlyFee"] == "1200"
        assert statement["freeMessagesUsed"] == 6_000
        assert statement["additionalMessages"] == 94_000
        assert [(c["unitPrice"], c["messages"], c["amount"]) for c in statement["additional"]] == [
            ("0.2", 19_000, "3800"),
            ("0.165", 10_000, "1650"),
            ("0.154", 10_000, "1540"),
            ("0.143", 20_000, "2860"),
            ("0.132", 35_000, "4620"),
        ]
        assert statement["additionalTotal"] == "14470"
        assert statement["total"] == "15670" and statement["currency"] == "TWD"

        # The month closes; January starts from zero and December's statement is final.
        _set_clock(control, datetime(2027, 1, 1, 0, 0, 1, tzinfo=JST))
        assert _statement(control, channel, month="2026-12").json()["final"] is True
        january = _statement(control, channel).json()
        assert january["messages"] == 0 and january["total"] == "1200"


class TestQuotaFollowsThePlan:
    def test_the_free_plan_stops_sending_at_200_messages(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        _set_clock(control, datetime(2026, 12, 3, 10, tzinfo=JST))
        state = _plan(control, channel, "free")
        assert state["plan"]["code"] == "free" and state["quota"] == {
            "type": "limited",
            "value": 200,
        }
        assert _quota(server, channel) == ("limited", 200)
        control.bulk(channel, 150, seed=3)
        _broadcast(server, channel, "first")
        control.wait_for_jobs()
        try:
            _broadcast(server, channel, "second")
        except ApiException as refused:
            assert refused.status == 429
            assert "monthly limit" in str(refused.body)
        else:
            raise AssertionError("a broadcast past the free messages was accepted")
        statement = _statement(control, channel).json()
        assert statement["messages"] == 150 and statement["total"] == "0"

    def test_upgrade_applies_now_and_downgrade_next_month(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        _set_clock(control, datetime(2026, 12, 15, 12, tzinfo=JST))
        _plan(control, channel, "free")
        upgraded = _plan(control, channel, "middle")
        assert upgraded["plan"]["code"] == "middle" and "nextPlan" not in upgraded
        assert _quota(server, channel) == ("limited", 3_000)

        _plan(control, channel, "high")
        downgraded = _plan(control, channel, "middle")
        assert downgraded["plan"]["code"] == "high"
        assert downgraded["nextPlan"]["code"] == "middle"
        assert datetime.fromisoformat(downgraded["nextFrom"]) == datetime(2027, 1, 1, tzinfo=JST)
        assert _quota(server, channel) == ("none", None)

        december = _statement(control, channel).json()
        assert december["plan"]["code"] == "high" and december["monthlyFee"] == "1200"
        assert [c["plan"] for c in december["changes"]] == ["free", "middle", "high"]

        _set_clock(control, datetime(2027, 1, 1, 0, 0, 1, tzinfo=JST))
        assert _quota(server, channel) == ("limited", 3_000)
        state = control.http.get(f"/_kizuna/channels/{channel.channel_id}/plan").json()
        assert state["plan"]["code"] == "middle" and "nextPlan" not in state
        assert _statement(control, channel).json()["monthlyFee"] == "800"

    def test_choosing_the_current_plan_again_cancels_a_downgrade(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        _set_clock(control, datetime(2026, 12, 15, 12, tzinfo=JST))
        _plan(control, channel, "high")
        assert _plan(control, channel, "free")["nextPlan"]["code"] == "free"
        kept = _plan(control, channel, "high")
        assert kept["plan"]["code"] == "high" and "nextPlan" not in kept
        _set_clock(control, datetime(2027, 1, 2, tzinfo=JST))
        assert _quota(server, channel) == ("none", None)


class TestReset:
    def test_a_reset_that_keeps_channels_keeps_their_plans(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        _plan(control, channel, "middle")
        assert (
            control.http.post("/_kizuna/reset", params={"keepChannels": "true"}).status_code == 200
        )
        state = control.http.get(f"/_kizuna/channels/{channel.channel_id}/plan").json()
        assert state["plan"]["code"] == "middle"
        assert _quota(server, channel) == ("limited", 3_000)


class TestPlanErrors:
    def test_bad_input_names_the_property(self, control: Control, channel: ChannelInfo) -> None:
        path = f"/_kizuna/channels/{channel.channel_id}"
        unknown = control.http.put(f"{path}/plan", json={"plan": "platinum"})
        assert unknown.status_code == 400
        assert unknown.json()["details"][0]["property"] == "plan"
        assert _statement(control, channel).status_code == 404  # no plan yet
        _plan(control, channel, "middle")
        month = _statement(control, channel, month="2026-13")
        assert month.status_code == 400 and month.json()["details"][0]["property"] == "month"
        manual = control.http.put(f"{path}/quota", json={"type": "none"})
        assert manual.status_code == 409

    def test_the_plan_set_lists_the_taiwan_price_table(self, control: Control) -> None:
        body = control.http.get("/_kizuna/plans").json()
        assert body["planSet"] == "TW"
        fees = {p["code"]: (p["monthlyFee"], p["freeMessages"]) for p in body["plans"]}
        assert fees == {"free": ("0", 200), "middle": ("800", 3_000), "high": ("1200", 6_000)}
        high = next(p for p in body["plans"] if p["code"] == "high")
        assert len(high["tiers"]) == 17 and high["tiers"][-1] == {
            "first": 20_505_001,
            "last": None,
            "unitPrice": "0.011",
        }


class TestDefinedPlans:
    def test_a_defined_plan_sets_the_quota_bills_its_tiers_and_ranks_by_fee(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        _set_clock(control, datetime(2026, 12, 3, 10, tzinfo=JST))
        standard = {
            "code": "jp-standard",
            "name": "Standard",
            "currency": "JPY",
            "monthlyFee": "15000",
            "freeMessages": 100,
            "tiers": [{"last": 150, "unitPrice": "3"}, {"last": None, "unitPrice": "2.5"}],
        }
        made = control.http.post("/_kizuna/plans", json=standard)
        assert made.status_code == 201, made.text
        assert made.json()["builtIn"] is False
        assert made.json()["tiers"][0] == {"first": 101, "last": 150, "unitPrice": "3"}
        assert control.http.post("/_kizuna/plans", json=standard).status_code == 409
        codes = [p["code"] for p in control.http.get("/_kizuna/plans").json()["plans"]]
        assert codes == ["free", "middle", "high", "jp-standard"]

        _plan(control, channel, "high")
        upgraded = _plan(control, channel, "jp-standard")  # 15,000 > 1,200: an upgrade
        assert upgraded["plan"]["code"] == "jp-standard" and upgraded["quota"] == {"type": "none"}
        control.bulk(channel, 90, seed=5)
        _broadcast(server, channel, "one")
        _broadcast(server, channel, "two")
        control.wait_for_jobs()
        statement = _statement(control, channel).json()
        assert statement["messages"] == 180 and statement["currency"] == "JPY"
        assert [(c["messages"], c["amount"]) for c in statement["additional"]] == [
            (50, "150"),
            (30, "75"),
        ]
        assert statement["total"] == "15225"

    def test_definitions_are_checked(self, control: Control) -> None:
        base = {"code": "x", "name": "X", "currency": "TWD", "monthlyFee": "1", "freeMessages": 10}
        for tiers, prop in (
            # ends within the free messages
            ([{"last": 10, "unitPrice": "1"}, {"last": None, "unitPrice": "1"}], "tiers[0].last"),
            ([{"last": None, "unitPrice": "1"}, {"last": 20, "unitPrice": "1"}], "tiers[0].last"),
            # the last tier must have no end, or messages after it would have no price
            ([{"last": 20, "unitPrice": "1"}], "tiers[0].last"),
            ([{"last": 20, "unitPrice": "1"}, {"last": 30, "unitPrice": "1"}], "tiers[1].last"),
        ):
            refused = control.http.post("/_kizuna/plans", json={**base, "tiers": tiers})
            assert refused.status_code == 400, refused.text
            assert [d["property"] for d in refused.json()["details"]] == [prop]
        taken = control.http.post("/_kizuna/plans", json={**base, "code": "high"})
        assert taken.status_code == 409
        assert (
            control.http.post("/_kizuna/plans", json={**base, "code": "Bad Code"}).status_code
            == 400
        )
