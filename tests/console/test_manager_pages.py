"""The Official Account Manager's pages in a real browser: an operator answers a user from
Chats (the answer reaches the user's inbox `via: chat`), tags a chat and filters by the tag;
a keyword rule made on the Auto-response page answers a user's keyword; the Campaigns page
and the dashboard show a campaign's statistics; the Plan page shows the month's statement.
Screenshots of the Chats and Campaigns pages go to test-artifacts/console/."""

from pathlib import Path
from typing import Any

from linebot.v3.messaging import LotteryAcquisitionConditionRequest
from playwright.sync_api import expect

from tests.control.test_coupons import _acquire, _create
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

WAIT_MS = 10_000


def page_url(server: LiveServer, channel: ChannelInfo, path: str) -> str:
    return f"{server.base_url}/console/#/c/{channel.channel_id}/{path}"


def friend(control: Control, channel: ChannelInfo, name: str) -> str:
    user = control.user(name)
    control.follow(channel, user)
    return user


class TestChats:
    def test_answer_tag_filter_and_note(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo, artifacts: Path
    ) -> None:
        # Operators answer only while the chat is on (a new channel is in bot mode).
        settings = f"/_kizuna/channels/{channel.channel_id}/manager/response-settings"
        assert control.http.put(settings, json={"mode": "both"}).status_code == 200
        alice = friend(control, channel, "Alice")
        bob = friend(control, channel, "Bob")
        control.say(channel, bob, {"type": "text", "text": "Hello?"})
        control.say(channel, alice, {"type": "text", "text": "Are you open on Sunday?"})

        page.goto(page_url(server, channel, f"chats/{alice}"))
        thread = page.locator("[data-testid=thread]")
        asked = thread.locator(".op-customer .bubble", has_text="Are you open on Sunday?")
        asked.wait_for(timeout=WAIT_MS)
        assert page.locator("[data-testid=chat-list] .op-item").count() == 2

        page.fill(".op-composer textarea", "Yes, from 10:00 to 18:00")
        page.press(".op-composer textarea", "Enter")
        answer = thread.locator(".op-account .bubble", has_text="Yes, from 10:00 to 18:00")
        answer.wait_for(timeout=WAIT_MS)
        # The account's answer is drawn on the right of the user's question.
        question_box, answer_box = asked.bounding_box(), answer.bounding_box()
        assert question_box is not None and answer_box is not None
        assert answer_box["x"] > question_box["x"] + question_box["width"]
        assert thread.locator(".op-account .via-chat").count() == 1
        inbox = control.inbox(channel, alice)
        answered = [m for m in inbox if m["message"].get("text") == "Yes, from 10:00 to 18:00"]
        assert [m["via"] for m in answered] == ["chat"]

        # The user writes again: the open thread shows it without a reload.
        control.say(channel, alice, {"type": "text", "text": "Great, see you"})
        thread.locator(".op-customer .bubble", has_text="Great, see you").wait_for(timeout=WAIT_MS)

        tags = page.locator("[data-testid=chat-tags]")
        tags.locator("input[name=newTag]").fill("VIP")
        tags.locator("button", has_text="Create").click()
        tags.locator(".tag", has_text="VIP").wait_for(timeout=WAIT_MS)
        notes = page.locator("[data-testid=chat-notes]")
        notes.locator("textarea").fill("Prefers weekend visits")
        notes.locator("button", has_text="Add note").click()
        notes.locator(".op-note-text", has_text="Prefers weekend visits").wait_for(timeout=WAIT_MS)

        page.select_option("[data-testid=tag-filter]", label="VIP (1)")
        items = page.locator("[data-testid=chat-list] .op-item")
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=chat-list] .op-item').length === 1"
        )
        assert items.first.get_attribute("data-user-id") == alice
        page.wait_for_timeout(150)  # fonts settle before the picture
        page.screenshot(path=str(artifacts / "manager-chats.png"))

        # A refused answer shows LINE's error body: Bob blocked the account.
        control.unfollow(channel, bob)
        page.select_option("[data-testid=tag-filter]", label="All chats")
        page.locator(f".op-item[data-user-id={bob}]").click()
        thread.locator(".op-customer .bubble", has_text="Hello?").wait_for(timeout=WAIT_MS)
        page.fill(".op-composer textarea", "Still there?")
        page.press(".op-composer textarea", "Enter")
        error = page.locator("[data-testid=composer-error]")
        error.wait_for(timeout=WAIT_MS)
        assert error.inner_text().strip()
        assert not [m for m in control.inbox(channel, bob) if m.get("via") == "chat"]


class TestAutoResponse:
    def test_keyword_rule_answers_and_a_refusal_is_shown(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo, artifacts: Path
    ) -> None:
        alice = friend(control, channel, "Alice")
        page.goto(page_url(server, channel, "auto-response"))
        rule = page.locator("[data-testid=rule-form]")
        rule.locator("input[name=name]").fill("Hours")
        rule.locator("input[name=keywords]").fill("hours, open?")
        rule.locator("textarea[name=reply]").fill("We open 10:00-19:00")
        rule.locator("button", has_text="Create rule").click()
        rules = page.locator("[data-testid=rules]")
        rules.locator(".tag", has_text="open?").wait_for(timeout=WAIT_MS)

        control.say(channel, alice, {"type": "text", "text": "hours"})
        replies = [m for m in control.inbox(channel, alice) if m["via"] == "auto_reply"]
        assert [m["message"]["text"] for m in replies] == ["We open 10:00-19:00"]

        # The same keyword again is refused; the form shows LINE's message.
        rule = page.locator("[data-testid=rule-form]")
        rule.locator("input[name=name]").fill("Hours again")
        rule.locator("input[name=keywords]").fill("hours")
        rule.locator("textarea[name=reply]").fill("Twice")
        rule.locator("button", has_text="Create rule").click()
        error = rule.locator("[data-testid=form-error]")
        error.wait_for(timeout=WAIT_MS)
        assert "hours" in error.inner_text()
        assert rules.locator("tr", has_text="Hours again").count() == 0
        page.screenshot(path=str(artifacts / "manager-auto-response.png"), full_page=True)

    def test_settings_switch_auto_response_off_and_the_greeting_editor(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        manager = f"/_kizuna/channels/{channel.channel_id}/manager"
        rule = {"name": "Hi", "keywords": ["hi"], "replies": [[{"type": "text", "text": "Hello"}]]}
        assert control.http.post(f"{manager}/responses", json=rule).status_code == 201
        page.goto(page_url(server, channel, "auto-response"))
        settings = page.locator("[data-testid=response-settings]")
        settings.locator("select[name=mode]").select_option("both")
        settings.locator(".switch", has_text="Auto-response messages").click()
        with page.expect_response(
            lambda r: r.url.endswith("/response-settings") and r.request.method == "PUT"
        ) as saved:
            settings.locator("button", has_text="Save").click()
        assert saved.value.ok
        expect(page.locator("[data-testid=response-settings] select[name=mode]")).to_have_value(
            "both"
        )
        assert control.http.get(f"{manager}/response-settings").json() == {
            "mode": "both",
            "chat": True,
            "webhook": True,
            "greeting": True,
            "autoResponse": False,
        }
        alice = friend(control, channel, "Alice")
        control.say(channel, alice, {"type": "text", "text": "hi"})
        assert not [m for m in control.inbox(channel, alice) if m["via"] == "auto_reply"]

        greeting = page.locator("[data-testid=greeting-form]")
        greeting.locator("button", has_text="+ Add message").click()
        greeting.locator("textarea").fill("Welcome, {displayName}!")
        with page.expect_response(
            lambda r: r.url.endswith("/greeting") and r.request.method == "PUT"
        ) as stored:
            greeting.locator("button", has_text="Save").click()
        assert stored.value.ok
        expect(page.locator("[data-testid=greeting-form] textarea")).to_have_value(
            "Welcome, {displayName}!"
        )
        bob = friend(control, channel, "Bob")
        greeted = [m for m in control.inbox(channel, bob) if m["via"] == "greeting"]
        assert [m["message"]["text"] for m in greeted] == ["Welcome, Bob!"]


class TestCampaigns:
    def test_campaign_statistics_on_the_page_and_the_dashboard(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo, artifacts: Path
    ) -> None:
        users = [friend(control, channel, name) for name in ("Alice", "Bob", "Carol", "Dave")]
        page.goto(page_url(server, channel, "campaigns"))
        page.fill("input[name=label]", "Winter sale")
        page.click("text=Create campaign")
        campaigns = page.locator("[data-testid=campaign-table]")
        campaigns.locator("td", has_text="Winter sale").wait_for(timeout=WAIT_MS)

        page.goto(page_url(server, channel, "sends"))
        send = page.locator("[data-testid=send-form]")
        send.locator("textarea").first.fill("Winter sale: 20% off https://example.com/sale")
        send.locator("select[name=campaign]").select_option(label="Winter sale")
        send.locator("button", has_text="Send").first.click()
        page.locator(".status.send-sent").wait_for(timeout=WAIT_MS)
        control.wait_for_jobs()
        # The list follows the fan-out without a reload.
        delivered = page.locator("tr", has_text="Winter sale: 20% off").locator("td").nth(5)
        expect(delivered).to_have_text("4", timeout=WAIT_MS)
        page.screenshot(path=str(artifacts / "manager-sends.png"), full_page=True)

        # Three of the four open it; one taps its link.
        for user in users[:3]:
            (sale,) = [m for m in control.inbox(channel, user) if m["via"] == "broadcast"]
            base = f"/_kizuna/channels/{channel.channel_id}/users/{user}/inbox/{sale['messageId']}"
            assert control.http.post(f"{base}/open").is_success
        assert control.http.post(
            f"{base}/click", json={"url": "https://example.com/sale"}
        ).is_success

        page.goto(page_url(server, channel, "campaigns"))
        row = page.locator("[data-testid=campaign-table] tr", has_text="Winter sale")
        row.wait_for(timeout=WAIT_MS)
        cells = row.locator("td").all_inner_texts()
        assert cells[:9] == ["Winter sale", "1", "4", "3", "3", "75.0%", "1", "1", "25.0%"]
        page.screenshot(path=str(artifacts / "manager-campaigns.png"))

        page.goto(f"{server.base_url}/console/#/c/{channel.channel_id}")
        card = page.locator("[data-testid=engagement] [data-testid=campaign-table]")
        card.locator("td", has_text="Winter sale").wait_for(timeout=WAIT_MS)
        assert "75.0%" in card.locator("tr", has_text="Winter sale").inner_text()
        page.locator("[data-testid=engagement]").screenshot(
            path=str(artifacts / "manager-dashboard-campaigns.png")
        )


class TestSends:
    def test_schedule_then_cancel_a_refused_time_and_a_test_send(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = friend(control, channel, "Alice")
        page.goto(page_url(server, channel, "sends"))
        send = page.locator("[data-testid=send-form]")
        send.locator("textarea").first.fill("Tomorrow's menu")
        send.locator("select[name=when]").select_option("scheduled")
        # In the past on Kizuna's clock: refused, with the offending property.
        send.locator("input[name=scheduledAt]").fill("2020-01-01T10:00")
        send.locator("button", has_text="Send").first.click()
        error = send.locator("[data-testid=form-error]")
        error.wait_for(timeout=WAIT_MS)
        assert "scheduledAt" in error.inner_text()

        page.locator("[data-testid=send-form] input[name=scheduledAt]").fill("2099-01-01T10:00")
        page.locator("[data-testid=send-form] button", has_text="Send").first.click()
        row = page.locator("tr", has=page.locator(".status.send-scheduled"))
        row.wait_for(timeout=WAIT_MS)
        row.locator("button", has_text="Cancel").click()
        page.locator(".status.send-cancelled").wait_for(timeout=WAIT_MS)
        sends = control.http.get(f"/_kizuna/channels/{channel.channel_id}/manager/sends").json()
        assert [s["status"] for s in sends] == ["cancelled"]

        # Alice becomes an operator; a test send reaches her (`via: test`).
        operators = page.locator("[data-testid=operators-form]")
        operators.locator(".operator", has_text="Alice").locator("input").check()
        operators.locator("button", has_text="Save operators").click()
        expect(operators.locator(".form-actions .hint")).to_have_text("1 operators (1 following)")
        page.locator("[data-testid=send-form] textarea").first.fill("Draft for the team")
        page.locator("button", has_text="Test send to operators").click()
        expect(page.locator("[data-testid=send-form] .form-actions .hint")).to_have_text(
            "Test sent to 1 of 1 operators"
        )
        tests = [m for m in control.inbox(channel, alice) if m["via"] == "test"]
        assert [m["message"]["text"] for m in tests] == ["Draft for the team"]


class TestPlan:
    def test_upgrade_downgrade_and_statement(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo, artifacts: Path
    ) -> None:
        page.goto(page_url(server, channel, "plan"))
        page.locator(".plan-card[data-plan=high] button").click()
        current = page.locator("[data-testid=current-plan]")
        current.locator(".plan-name", has_text="(high)").wait_for(timeout=WAIT_MS)
        statement = page.locator("[data-testid=statement]")
        assert "TWD 1,200" in statement.locator("tr", has_text="Monthly fee").inner_text()
        assert statement.locator(".total-row .amount").inner_text() == "TWD 1,200"

        middle = page.locator(".plan-card[data-plan=middle] button")
        assert middle.inner_text() == "Downgrade next month"
        middle.click()
        current.locator(".plan-next", has_text="(middle)").wait_for(timeout=WAIT_MS)
        # The month is still billed on the plan it ends on... the downgrade starts next month.
        assert current.locator(".plan-name").inner_text().endswith("(high)")
        page.screenshot(path=str(artifacts / "manager-plan.png"), full_page=True)

    def test_statement_prices_additional_messages_tier_by_tier(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        plan = {
            "code": "console-tiers",
            "name": "Tiered",
            "currency": "JPY",
            "monthlyFee": "100",
            "freeMessages": 1,
            "tiers": [{"last": 2, "unitPrice": "5"}, {"last": None, "unitPrice": "3"}],
        }
        assert control.http.post("/_kizuna/plans", json=plan).status_code == 201
        page.goto(page_url(server, channel, "plan"))
        page.locator(".plan-card[data-plan=console-tiers] button").click()
        page.locator("[data-testid=current-plan] .plan-name", has_text="(console-tiers)").wait_for(
            timeout=WAIT_MS
        )
        for name in ("Alice", "Bob", "Carol", "Dave"):
            friend(control, channel, name)
        manager = f"/_kizuna/channels/{channel.channel_id}/manager"
        sale = {"messages": [{"type": "text", "text": "Sale"}]}
        assert control.http.post(f"{manager}/sends", json=sale).status_code == 201
        control.wait_for_jobs()

        page.reload()
        statement = page.locator("[data-testid=statement]")
        statement.locator(".total-row").wait_for(timeout=WAIT_MS)
        lines = [
            row.locator("td").all_inner_texts()
            for row in statement.locator("tr", has_text="Additional messages").all()
        ]
        # 4 messages: 1 free, the 2nd at 5, the 3rd and 4th at 3.
        assert lines == [
            ["Additional messages", "2 to 2: 1 at 5", "JPY 5"],
            ["Additional messages", "3 and up: 2 at 3", "JPY 6"],
        ]
        assert statement.locator(".total-row .amount").inner_text() == "JPY 111"


class TestStepsAndReadOnlyPages:
    def test_a_scenario_made_on_the_page(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        page.goto(page_url(server, channel, "steps"))
        page.fill("input[name=name]", "New friends")
        page.fill("input[name=friendPath]", "qr-store")
        page.fill(".step-row textarea", "How is it going?")
        page.locator(".step-row input[name=days]").fill("3")
        page.click("text=Create scenario")
        page.locator("td", has_text="New friends").wait_for(timeout=WAIT_MS)
        steps = control.http.get(f"/_kizuna/channels/{channel.channel_id}/manager/steps").json()
        assert [(s["name"], s["friendPath"], [t["days"] for t in s["steps"]]) for s in steps] == [
            ("New friends", "qr-store", [3])
        ]

    def test_shop_card_survey_results_and_lottery_figures(
        self, page: Any, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = friend(control, channel, "Alice"), friend(control, channel, "Bob")
        base = f"/_kizuna/channels/{channel.channel_id}"
        card = {
            "name": "Bakery card",
            "goalPoints": 10,
            "rewards": [{"threshold": 5, "description": "Free cake"}],
        }
        assert control.http.put(f"{base}/shop-card", json=card).status_code == 201
        grant = {"reason": "visit", "points": 6}
        assert control.http.post(f"{base}/users/{alice}/shop-card/points", json=grant).is_success
        survey = control.http.post(
            f"{base}/surveys",
            json={
                "title": "Our bakery",
                "questions": [
                    {
                        "type": "single",
                        "text": "How did you hear of us?",
                        "options": ["Friend", "Ad"],
                    },
                    {"type": "text", "text": "Anything else?", "required": False},
                ],
            },
        ).json()
        sent = control.http.post(
            f"{base}/surveys/{survey['surveyId']}/send", json={"to": [alice, bob]}
        )
        assert sent.is_success, sent.text
        control.wait_for_jobs()
        answer = {"answers": [1, "Lovely bread"]}
        path = f"{base}/users/{alice}/surveys/{survey['surveyId']}/answers"
        answered = control.http.post(path, json=answer)
        assert answered.is_success, answered.text
        coupon = _create(
            server,
            channel,
            title="Lucky draw",
            acquisition_condition=LotteryAcquisitionConditionRequest(
                lottery_probability=50, max_acquire_count=1
            ),
        )
        for user in (alice, bob):
            assert _acquire(control, channel, user, coupon).is_success
        figures = control.http.get(f"{base}/coupons/{coupon}/lottery").json()

        page.goto(page_url(server, channel, "shop-card"))
        page.locator("h2", has_text="Bakery card").wait_for(timeout=WAIT_MS)
        granted = page.locator(".figure", has_text="Points granted").locator(".figure-value")
        assert granted.inner_text() == "6"
        assert (
            page.locator(".figure", has_text="Rewards earned").locator(".figure-value").inner_text()
            == "1"
        )

        page.goto(page_url(server, channel, "surveys"))
        results = page.locator("section", has=page.locator("h2", has_text="Our bakery"))
        results.wait_for(timeout=WAIT_MS)
        assert "1 of 2 recipients answered" in results.inner_text()
        ad = results.locator(".result-line", has_text="Ad").locator(".result-count")
        assert ad.inner_text() == "1"
        assert results.locator(".result-text").all_inner_texts() == ["Lovely bread"]

        page.goto(page_url(server, channel, "lottery"))
        row = page.locator("tr", has_text="Lucky draw")
        row.wait_for(timeout=WAIT_MS)
        assert row.locator("td").all_inner_texts()[1:6] == [
            "50%",
            "1",
            "2",
            str(figures["winners"]),
            str(figures["losers"]),
        ]
