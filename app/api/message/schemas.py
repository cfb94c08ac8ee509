"""Request bodies of the message endpoints, checked with LINE's property paths."""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.kit.errors import BadRequest, ErrorDetail, body_errors
from app.schemas.base import WireModel
from app.schemas.messages import collect_message_errors

CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
USER_ID = re.compile(r"^U[0-9a-f]{32}$")
PHONE_HASH = re.compile(r"^[0-9a-f]{64}$")
AGGREGATION_UNIT = re.compile(r"^[a-zA-Z0-9_]{1,30}$")
MULTICAST_MAX = 500


@dataclass
class SendBody:
    messages: list[dict[str, Any]]
    notification_disabled: bool = False
    aggregation_units: list[str] | None = None
    to: list[str] = field(default_factory=list)
    reply_token: str = ""


def parse_send_body(
    body: dict[str, Any],
    *,
    to: str | None = None,
    reply: bool = False,
    extra: list[ErrorDetail] | None = None,
) -> SendBody:
    """Check a send body; `to` is "one" (push), "many" (multicast), "phone" (a LINE
    notification message: the SHA-256 of an E.164 number) or None (no recipients)."""
    errors = list(extra or [])
    errors += collect_message_errors(body.get("messages"), "messages")
    parsed = SendBody(messages=body.get("messages") or [])
    recipients = body.get("to")
    if to == "one":
        if not isinstance(recipients, str) or not recipients:
            errors.append(ErrorDetail("May not be empty", "to"))
        elif not CHAT_ID.match(recipients):
            errors.append(ErrorDetail("Invalid to", "to"))
        else:
            parsed.to = [recipients]
    elif to == "phone":
        if not isinstance(recipients, str) or not PHONE_HASH.match(recipients):
            errors.append(ErrorDetail("Must be the SHA-256 (hex) of an E.164 phone number", "to"))
        else:
            parsed.to = [recipients]
    elif to == "many":
        if not isinstance(recipients, list) or not 1 <= len(recipients) <= MULTICAST_MAX:
            errors.append(ErrorDetail(f"Size must be between 1 and {MULTICAST_MAX}", "to"))
        else:
            for index, user_id in enumerate(recipients):
                if not isinstance(user_id, str) or not USER_ID.match(user_id):
                    errors.append(ErrorDetail("Invalid user ID", f"to[{index}]"))
            parsed.to = [u for u in recipients if isinstance(u, str)]
    if reply:
        token = body.get("replyToken")
        if not isinstance(token, str) or not token:
            errors.append(ErrorDetail("May not be empty", "replyToken"))
        else:
            parsed.reply_token = token
    disabled = body.get("notificationDisabled", False)
    if not isinstance(disabled, bool):
        errors.append(ErrorDetail("Must be a boolean", "notificationDisabled"))
    else:
        parsed.notification_disabled = disabled
    units = body.get("customAggregationUnits")
    if units is not None:
        if not isinstance(units, list) or len(units) > 1:
            errors.append(ErrorDetail("Size must be between 0 and 1", "customAggregationUnits"))
        else:
            for index, unit in enumerate(units):
                if not isinstance(unit, str) or not AGGREGATION_UNIT.match(unit):
                    errors.append(
                        ErrorDetail(
                            "Must be 1 to 30 letters, digits or underscores",
                            f"customAggregationUnits[{index}]",
                        )
                    )
            parsed.aggregation_units = units or None
    if errors:
        raise body_errors(errors)
    return parsed


def parse_retry_key(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadRequest("The value of the X-Line-Retry-Key header must be a UUID") from None


class SentMessageModel(WireModel):
    id: str
    quote_token: str | None = None


class SentMessagesResponse(WireModel):
    sent_messages: list[SentMessageModel]


class NarrowcastProgressResponse(WireModel):
    phase: str
    success_count: int | None = None
    failure_count: int | None = None
    target_count: int | None = None
    failed_description: str | None = None
    error_code: int | None = None
    accepted_time: str
    completed_time: str | None = None


class QuotaResponse(WireModel):
    type: str
    value: int | None = None


class ConsumptionResponse(WireModel):
    total_usage: int


class DeliveryCountResponse(WireModel):
    status: str
    success: int | None = None


class AggregationUsageResponse(WireModel):
    num_of_custom_aggregation_units: int


class AggregationListResponse(WireModel):
    custom_aggregation_units: list[str]
    next: str | None = None
