import time
import uuid

import httpx
import pytest
from redis.asyncio import Redis

from app.api.ratelimit import DEFAULT, MULTICAST, RATE_LIMITED, limit_for
from app.kit.ratecount import LocalCounter, RedisCounter
from tests.support import services as svc
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


def followers(server: LiveServer, channel: ChannelInfo) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/v2/bot/followers/ids",
        headers={"Authorization": f"Bearer {channel.access_token}"},
    )


def test_hourly_limit_per_channel_and_switch(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    # Windows are fixed hours: a test that straddles one would see its count start over.
    into_hour = time.time() % 3600
    if into_hour > 3600 - 30:
        time.sleep(3600 - into_hour + 0.5)
    other = control.channel("Other")
    assert all(followers(server, channel).status_code == 200 for _ in range(60))
    refused = followers(server, channel)
    assert (refused.status_code, refused.json()) == (429, {"message": RATE_LIMITED})
    assert followers(server, other).status_code == 200
    path = f"/_kizuna/channels/{channel.channel_id}/rate-limits"
    assert control.http.put(path, json={"enabled": False}).status_code == 200
    assert followers(server, channel).status_code == 200


def test_buckets() -> None:
    assert limit_for("/v2/bot/message/push", "POST") == DEFAULT
    assert limit_for("/v2/bot/message/multicast", "POST") == MULTICAST
    assert limit_for("/v2/bot/richmenu/list", "GET") == DEFAULT
    assert limit_for("/v2/bot/richmenu", "POST").requests == 100
    assert limit_for("/v2/bot/richmenu/batch", "POST").requests == 3
    assert limit_for("/v2/bot/insight/followers", "GET").bucket == "followers"
    assert limit_for("/v2/bot/insight/message/delivery", "GET").bucket == "delivery-counts"
    assert limit_for("/v2/bot/insight/message/event", "GET").bucket == "message-events"
    unit = limit_for("/v2/bot/insight/message/event/aggregation", "GET")
    assert (unit.bucket, unit.requests, unit.window_seconds) == ("unit-statistics", 60, 3_600)


@pytest.mark.asyncio
async def test_local_counter_windows() -> None:
    counter = LocalCounter()
    # A window far in the future is never swept, whenever the seconds turn during the test.
    key = "kizuna:rate:1:b:99999999999:1"
    assert [await counter.hit(key, 1) for _ in range(3)] == [1, 2, 3]
    await counter.reset()
    assert await counter.hit(key, 1) == 1
    ended = "kizuna:rate:1:b:5:1"
    await counter.hit(ended, 1)
    counter._window = -1  # as if a second had turned: windows that ended are swept
    assert await counter.hit(ended, 1) == 1


@pytest.mark.asyncio
async def test_redis_counters_are_shared_between_processes() -> None:
    svc.require("redis")
    first, second = Redis.from_url(svc.REDIS_URL), Redis.from_url(svc.REDIS_URL)
    key = f"kizuna:rate:test:{uuid.uuid4().hex}:0:1"
    try:
        assert await RedisCounter(first).hit(key, 1) == 1
        assert await RedisCounter(second).hit(key, 1) == 2
        assert 0 < await first.ttl(key) <= 2
    finally:
        await first.delete(key)
        await first.aclose()
        await second.aclose()
