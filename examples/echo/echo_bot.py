"""An echo bot written with the official LINE SDK, as any team writes one.

Nothing in it knows Kizuna: point `LINE_API_BASE` at Kizuna (`http://127.0.0.1:8080`) or leave
it unset for the real platform.

    LINE_CHANNEL_SECRET=... LINE_CHANNEL_ACCESS_TOKEN=... uvicorn echo_bot:app --port 8000
"""

import os

from fastapi import FastAPI, Header, HTTPException, Request
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ReplyMessageRequest,
    StickerMessage,
    TextMessage,
)
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    MessageEvent,
    StickerMessageContent,
    TextMessageContent,
)

WELCOME = "Hello! I repeat whatever you say."


def create_app(channel_secret: str, access_token: str, api_base: str) -> FastAPI:
    parser = WebhookParser(channel_secret)
    configuration = Configuration(host=api_base, access_token=access_token)
    app = FastAPI()

    @app.post("/callback")
    async def callback(request: Request, x_line_signature: str = Header()) -> str:
        body = (await request.body()).decode()
        try:
            events = parser.parse(body, x_line_signature)
        except InvalidSignatureError:
            raise HTTPException(status_code=400, detail="Invalid signature") from None
        async with AsyncApiClient(configuration) as client:
            api = AsyncMessagingApi(client)
            for event in events:
                if isinstance(event, FollowEvent):
                    reply = [TextMessage(text=WELCOME)]
                elif isinstance(event, MessageEvent) and isinstance(
                    event.message, TextMessageContent
                ):
                    reply = [
                        TextMessage(text=event.message.text, quote_token=event.message.quote_token)
                    ]
                elif isinstance(event, MessageEvent) and isinstance(
                    event.message, StickerMessageContent
                ):
                    reply = [StickerMessage(package_id="446", sticker_id="1988")]
                else:
                    continue
                await api.reply_message(
                    ReplyMessageRequest(reply_token=event.reply_token, messages=reply)
                )
        return "OK"

    return app


def _from_environment() -> FastAPI:
    return create_app(
        os.environ.get("LINE_CHANNEL_SECRET", ""),
        os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", ""),
        os.environ.get("LINE_API_BASE", "https://api.line.me"),
    )


app = _from_environment()
