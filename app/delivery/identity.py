"""Message ids and quote tokens, derived from the rows that deliver them.

Push and reply have exactly one recipient, so their message ids come from the request's key;
fan-out deliveries take theirs from the request's and the recipient's keys together. The two
ranges never meet (below 4e8 requests and 2**32 users), and no message id has to be stored.
A quote token is an HMAC of the message id under the channel secret, so Kizuna can tell later
which message of which channel a token quotes.
"""

import base64
import hashlib
import hmac

from app.models import SendKind

MAX_MESSAGES = 5
REQUEST_BASE = 500_000_000_000_000_000
DELIVERY_BASE = 700_000_000_000_000_000
USER_BITS = 32
QUOTABLE_TYPES = frozenset({"text", "textV2", "sticker", "image", "video"})


def message_id(kind: SendKind, request_pk: int, user_pk: int | None, index: int) -> str:
    if kind in (SendKind.PUSH, SendKind.REPLY, SendKind.PNP) or user_pk is None:
        return str(REQUEST_BASE + request_pk * MAX_MESSAGES + index)
    return str(DELIVERY_BASE + ((request_pk << USER_BITS) + user_pk) * MAX_MESSAGES + index)


def quote_token(channel_secret: str, message_id: str) -> str:
    digest = hmac.new(channel_secret.encode(), f"quote:{message_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def quotable(message: dict[str, object]) -> bool:
    return message.get("type") in QUOTABLE_TYPES
