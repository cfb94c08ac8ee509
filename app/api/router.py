"""Every LINE-compatible route. Routes under `authenticated` cannot be reached without a token."""

from fastapi import APIRouter, Depends

from app.api.audience.router import router as audience_router
from app.api.bot.router import router as bot_router
from app.api.chat.router import router as chat_router
from app.api.content.router import router as content_router
from app.api.coupon.router import router as coupon_router
from app.api.deps import authenticated_channel
from app.api.group.router import router as group_router
from app.api.insight.router import router as insight_router
from app.api.membership.router import router as membership_router
from app.api.message.router import router as message_router
from app.api.oauth.router import router as oauth_router
from app.api.profile.router import router as profile_router
from app.api.richmenu.router import router as richmenu_router
from app.api.webhook.router import router as webhook_router
from app.schemas.base import LINE_ERRORS

authenticated = APIRouter(
    dependencies=[Depends(authenticated_channel)],
    responses=LINE_ERRORS,
)
authenticated.include_router(bot_router)
authenticated.include_router(profile_router)
authenticated.include_router(message_router)
authenticated.include_router(webhook_router)
authenticated.include_router(content_router)
authenticated.include_router(chat_router)
authenticated.include_router(group_router)
authenticated.include_router(audience_router)
authenticated.include_router(richmenu_router)
authenticated.include_router(coupon_router)
authenticated.include_router(membership_router)
authenticated.include_router(insight_router)

# Token endpoints authenticate with client credentials or assertions in the body instead.
public = APIRouter()
public.include_router(oauth_router)
