"""Per-channel, per-endpoint rate limits with the platform's numbers (fixed windows)."""

import time
from dataclasses import dataclass

from fastapi import Request

from app.kit.errors import TooManyRequests
from app.kit.ratecount import PREFIX
from app.kit.services import Services
from app.models import Channel

RATE_LIMITED = "The API rate limit has been exceeded. Try again later."


@dataclass(frozen=True)
class Limit:
    bucket: str
    requests: int
    window_seconds: int


DEFAULT = Limit("default", 2_000, 1)
MULTICAST = Limit("multicast", 200, 1)
LOADING = Limit("loading", 100, 1)
WEBHOOK_ENDPOINT = Limit("webhook-endpoint", 1_000, 60)
AUDIENCE = Limit("audience", 60, 60)
HOURLY_60 = Limit("hourly-60", 60, 3_600)
DELIVERY_COUNTS = Limit("delivery-counts", 60, 3_600)
FOLLOWERS = Limit("followers", 60, 3_600)

# Route path prefixes, most specific first; anything else falls under DEFAULT.
LIMITS: tuple[tuple[str, str | None, Limit], ...] = (
    ("/v2/bot/message/multicast", None, MULTICAST),
    ("/v2/bot/membership", None, MULTICAST),
    ("/v2/bot/coupon", None, MULTICAST),
    ("/v2/bot/chat/loading", None, LOADING),
    ("/v2/bot/channel/webhook/test", None, Limit("webhook-test", 60, 3_600)),
    ("/v2/bot/channel/webhook/endpoint", None, WEBHOOK_ENDPOINT),
    ("/v2/bot/audienceGroup", None, AUDIENCE),
    ("/v2/bot/message/narrowcast", None, Limit("narrowcast", 60, 3_600)),
    ("/v2/bot/message/broadcast", None, Limit("broadcast", 60, 3_600)),
    ("/v2/bot/message/delivery", None, DELIVERY_COUNTS),
    ("/v2/bot/insight/message/delivery", None, DELIVERY_COUNTS),
    ("/v2/bot/followers", None, FOLLOWERS),
    ("/v2/bot/insight/followers", None, FOLLOWERS),
    ("/v2/bot/insight/demographic", None, Limit("demographics", 60, 3_600)),
    # The longer prefix first: unit statistics have their own hourly 60.
    ("/v2/bot/insight/message/event/aggregation", None, Limit("unit-statistics", 60, 3_600)),
    ("/v2/bot/insight/message/event", None, Limit("message-events", 60, 3_600)),
    # Rich menus: each limited endpoint has its own bucket; the other POSTs under
    # /v2/bot/richmenu/ (validate, alias, bulk, image upload) are not limited specially.
    ("/v2/bot/richmenu/batch", "POST", Limit("richmenu-batch", 3, 3_600)),
    ("/v2/bot/richmenu/progress", None, Limit("richmenu-progress", 100, 3_600)),
    ("/v2/bot/richmenu/alias/", "DELETE", Limit("richmenu-alias-delete", 100, 3_600)),
    ("/v2/bot/richmenu/", "POST", DEFAULT),
    ("/v2/bot/richmenu", "POST", Limit("richmenu-create", 100, 3_600)),
    ("/v2/bot/richmenu/{richMenuId}", "DELETE", Limit("richmenu-delete", 100, 3_600)),
)


def limit_for(path: str, method: str) -> Limit:
    for prefix, only_method, limit in LIMITS:
        if path.startswith(prefix) and (only_method is None or only_method == method):
            return limit
    return DEFAULT


async def enforce_rate_limit(request: Request, channel: Channel, services: Services) -> None:
    if services.settings.rate_limits == "off" or not channel.rate_limits_enabled:
        return
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    limit = limit_for(path, request.method)
    window = int(time.time()) // limit.window_seconds
    key = f"{PREFIX}{channel.id}:{limit.bucket}:{window}:{limit.window_seconds}"
    if await services.rate_counter.hit(key, limit.window_seconds) > limit.requests:
        raise TooManyRequests(RATE_LIMITED)
