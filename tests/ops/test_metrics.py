"""`/metrics`: requests by route template and status, queue depths, fan-out deliveries, webhook
attempts by outcome and their latency."""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(server: LiveServer) -> Samples:
    response = httpx.get(f"{server.base_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """A counter's sample (0 until its labels are first counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def gauge(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str) -> float:
    """A gauge's sample: a gauge is always exported, so a missing one fails."""
    return samples[(name, frozenset())]


def test_requests_deliveries_and_webhooks_are_counted(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    control.bulk(channel, 30, seed=5)
    control.wait_for_jobs()
    before = scrape(server)
    headers = {"Authorization": f"Bearer {channel.access_token}"}
    push = {"to": alice, "messages": [{"type": "text", "text": "hi"}]}
    for _ in range(3):
        pushed = httpx.post(f"{server.base_url}/v2/bot/message/push", headers=headers, json=push)
        assert pushed.status_code == 200
    profile = httpx.get(f"{server.base_url}/v2/bot/profile/{alice}", headers=headers)
    assert profile.status_code == 200
    assert httpx.get(f"{server.base_url}/v2/bot/info").status_code == 401
    assert httpx.get(f"{server.base_url}/nowhere/{alice}").status_code == 404
    broadcast = {"messages": [{"type": "text", "text": "all"}]}
    assert httpx.post(
        f"{server.base_url}/v2/bot/message/broadcast", headers=headers, json=broadcast
    ).is_success
    answered = len(bot.received)
    control.say(channel, alice, {"type": "text", "text": "to the bot"})
    control.wait_for_jobs()
    answered_ok = len(bot.received) - answered
    bot.status = 500
    control.say(channel, alice, {"type": "text", "text": "failing"})
    control.wait_for_jobs()
    after = scrape(server)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "kizuna_http_requests_total"
    assert delta(requests, method="POST", route="/v2/bot/message/push", status="200") == 3
    assert delta(requests, method="GET", route="/v2/bot/profile/{userId}", status="200") == 1
    assert delta(requests, method="GET", route="/v2/bot/info", status="401") == 1
    assert delta(requests, method="GET", route="unmatched", status="404") == 1
    assert not any(alice in dict(labels).get("route", "") for _, labels in after)
    seconds = "kizuna_http_request_duration_seconds_count"
    assert delta(seconds, method="POST", route="/v2/bot/message/push") == 3
    assert delta("kizuna_fanout_deliveries_total", kind="broadcast") == 31
    # One request per message the bot was sent: the first answered 200, the second 500.
    assert delta("kizuna_webhook_attempts_total", outcome="ok") == answered_ok == 1
    assert delta("kizuna_webhook_attempts_total", outcome="ERROR_STATUS_CODE") == 1
    assert len(bot.received) - answered == 2
    assert delta("kizuna_webhook_latency_seconds_count") == 2


def test_queue_depths_are_read_at_scrape_time(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    probe = BotServer("x")
    down = probe.url
    probe.stop()
    control.webhook(channel, url=down, redelivery=True)
    before = scrape(server)
    alice = control.user("Alice")
    control.follow(channel, alice)
    control.say(channel, alice, {"type": "text", "text": "waits for its redelivery"})
    control.wait_for_jobs()
    samples = scrape(server)
    # The follow and the message failed and wait for their redelivery (in 10 s).
    assert gauge(samples, "kizuna_webhook_events_pending") == 2
    assert gauge(samples, "kizuna_delivery_batches_pending") == 0
    # One failed attempt each so far (the server's counters are the whole session's: a delta).
    failed = {"outcome": "COULD_NOT_CONNECT"}
    attempts = value(samples, "kizuna_webhook_attempts_total", **failed)
    assert attempts - value(before, "kizuna_webhook_attempts_total", **failed) == 2
