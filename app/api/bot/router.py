from fastapi import APIRouter

from app.api.bot.schemas import BotInfoResponse
from app.api.deps import ChannelDep
from app.models import ChatMode

router = APIRouter(tags=["messaging-api"])


@router.get("/v2/bot/info", response_model=BotInfoResponse, response_model_exclude_none=True)
async def get_bot_info(channel: ChannelDep) -> BotInfoResponse:
    return BotInfoResponse(
        user_id=channel.bot_user_id,
        basic_id=channel.basic_id,
        premium_id=channel.premium_id,
        display_name=channel.name,
        picture_url=channel.picture_url,
        chat_mode=channel.chat_mode.value,
        # With chat off the platform reads messages automatically; with chat on, by hand.
        mark_as_read_mode="auto" if channel.chat_mode == ChatMode.BOT else "manual",
    )
