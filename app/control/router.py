from fastapi import APIRouter

from app.control.channels.router import router as channels_router
from app.control.chat.router import router as chat_router
from app.control.console.router import router as console_router
from app.control.content.router import router as content_router
from app.control.coupons.router import router as coupons_router
from app.control.engagement.router import router as engagement_router
from app.control.groups.router import router as groups_router
from app.control.manager.router import router as manager_router
from app.control.memberships.router import router as memberships_router
from app.control.messages.router import router as messages_router
from app.control.operator_chat.router import router as operator_chat_router
from app.control.plans.router import router as plans_router
from app.control.richmenu.router import router as richmenu_router
from app.control.shopcards.router import router as shopcards_router
from app.control.surveys.router import router as surveys_router
from app.control.system.router import router as system_router
from app.control.taps.router import router as taps_router
from app.control.users.router import router as users_router
from app.control.webhook.router import router as webhook_router

router = APIRouter(prefix="/_kizuna")
router.include_router(channels_router)
router.include_router(users_router)
router.include_router(messages_router)
router.include_router(webhook_router)
router.include_router(content_router)
router.include_router(chat_router)
router.include_router(groups_router)
router.include_router(taps_router)
router.include_router(engagement_router)
router.include_router(richmenu_router)
router.include_router(coupons_router)
router.include_router(memberships_router)
router.include_router(manager_router)
router.include_router(system_router)
router.include_router(console_router)
router.include_router(plans_router)
router.include_router(operator_chat_router)
router.include_router(surveys_router)
router.include_router(shopcards_router)
