"""An async framework for LINE bots, on the official SDK's models.

    from app.bot import Bot, Regex, Text

    bot = Bot(channel_secret, access_token, api_base="http://127.0.0.1:8080")

    @bot.message(Text("hi"))
    async def hi(ctx):
        await ctx.reply("Hello!")

    app = bot.asgi_app("/callback")

See docs/bot-framework.md.
"""

from app.bot.asgi import WebhookApp, fastapi_router
from app.bot.bot import REAL_PLATFORM, Bot, source_key
from app.bot.context import Context, MessageLike
from app.bot.dedup import DedupStore, MemoryDedupStore
from app.bot.filters import (
    And,
    CallableFilter,
    Data,
    Filter,
    FilterResult,
    Mentioned,
    MessageType,
    Not,
    Or,
    Regex,
    SourceType,
    Text,
    as_filter,
)
from app.bot.middleware import CallNext, Middleware
from app.bot.postback import MAX_DATA_LENGTH, PostbackData, PostbackDataFilter
from app.bot.router import UNHANDLED, Router, SkipHandler

__all__ = [
    "MAX_DATA_LENGTH",
    "REAL_PLATFORM",
    "UNHANDLED",
    "And",
    "Bot",
    "CallNext",
    "CallableFilter",
    "Context",
    "Data",
    "DedupStore",
    "Filter",
    "FilterResult",
    "MemoryDedupStore",
    "Mentioned",
    "MessageLike",
    "MessageType",
    "Middleware",
    "Not",
    "Or",
    "PostbackData",
    "PostbackDataFilter",
    "Regex",
    "Router",
    "SkipHandler",
    "SourceType",
    "Text",
    "WebhookApp",
    "as_filter",
    "fastapi_router",
    "source_key",
]
