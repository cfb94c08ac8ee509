"""The echo bot's conversation, checked against Kizuna with the pytest plugin."""

import pytest
import pytest_asyncio
from echo_bot import WELCOME, create_app

from app.testing.actors import Channel
from app.testing.plugin import TestKizuna


@pytest_asyncio.fixture
async def echo(kizuna: TestKizuna, channel: Channel) -> Channel:
    bot = create_app(channel.channel_secret, channel.access_token, channel.api_base)
    await channel.set_webhook(kizuna.serve(bot) + "/callback")
    return channel


@pytest.mark.asyncio
async def test_a_new_friend_is_welcomed_and_hears_their_words_back(
    kizuna: TestKizuna, echo: Channel
) -> None:
    alice = await kizuna.user("Alice")
    await alice.follow(echo)
    assert (await alice.receives()).text == WELCOME

    said = await alice.says("Is anybody there?")
    echoed = await alice.receives()
    assert echoed.text == "Is anybody there?"
    assert echoed.message["quoteToken"] == said["message"]["quoteToken"]

    await alice.sends({"type": "sticker", "packageId": "11537", "stickerId": "52002734"})
    assert (await alice.receives()).type == "sticker"


@pytest.mark.asyncio
async def test_a_forged_webhook_is_refused(kizuna: TestKizuna, echo: Channel) -> None:
    bot = create_app("not-the-channel-secret", echo.access_token, echo.api_base)
    await echo.set_webhook(kizuna.serve(bot) + "/callback")
    alice = await kizuna.user("Alice")
    await alice.follow(echo)
    await kizuna.settle()
    (attempt,) = await echo.webhook_attempts()
    assert (attempt["success"], attempt["statusCode"]) == (False, 400)
    assert alice.inbox == []
