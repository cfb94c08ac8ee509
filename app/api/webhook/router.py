"""Webhook settings of the channel: the endpoint URL and its test."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from app.api.deps import ChannelDep
from app.api.oauth.bearer import INVALID_TOKEN
from app.deps import ServicesDep, SessionDep
from app.kit.errors import Unauthorized
from app.models import Channel
from app.schemas.base import WireModel
from app.schemas.urls import WebhookUrl
from app.webhook.dispatch import post_signed, webhook_body

router = APIRouter(tags=["messaging-api"])
ENDPOINT = "/v2/bot/channel/webhook/endpoint"


class WebhookEndpointResponse(WireModel):
    endpoint: str
    active: bool


class SetWebhookEndpointRequest(WireModel):
    # The platform takes only HTTPS; Kizuna takes HTTP too, since bots under test run locally.
    endpoint: WebhookUrl


class TestWebhookEndpointRequest(WireModel):
    endpoint: WebhookUrl | None = None


class TestWebhookEndpointResponse(WireModel):
    success: bool
    timestamp: datetime
    status_code: int
    reason: str
    detail: str


@router.get(ENDPOINT, response_model=WebhookEndpointResponse)
async def get_webhook_endpoint(channel: ChannelDep) -> WebhookEndpointResponse:
    return WebhookEndpointResponse(
        endpoint=channel.webhook_url or "",
        active=bool(channel.webhook_url and channel.webhook_enabled),
    )


@router.put(ENDPOINT)
async def set_webhook_endpoint(
    body: SetWebhookEndpointRequest, channel: ChannelDep, session: SessionDep
) -> dict[str, Any]:
    row = await session.get(Channel, channel.id)
    if row is None:  # deleted since the token was checked
        raise Unauthorized(INVALID_TOKEN)
    row.webhook_url = str(body.endpoint)
    return {}


@router.post("/v2/bot/channel/webhook/test", response_model=TestWebhookEndpointResponse)
async def test_webhook_endpoint(
    channel: ChannelDep, services: ServicesDep, body: TestWebhookEndpointRequest | None = None
) -> TestWebhookEndpointResponse:
    """Sends a signed request with no events, as the platform's connectivity check does."""
    url = str(body.endpoint) if body and body.endpoint else channel.webhook_url
    now = services.clock.now().astimezone(UTC)
    if not url:
        return TestWebhookEndpointResponse(
            success=False,
            timestamp=now,
            status_code=0,
            reason="UNCLASSIFIED",
            detail="The webhook URL is not set",
        )
    outcome = await post_signed(services, channel, url, webhook_body(channel, []))
    return TestWebhookEndpointResponse(
        success=outcome.success,
        timestamp=now,
        status_code=outcome.status_code,
        reason=outcome.reason or "OK",
        detail=outcome.detail or str(outcome.status_code),
    )
