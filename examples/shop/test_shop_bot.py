"""The shop's conversations, as a customer has them, against Kizuna with the pytest plugin."""

import pytest
import pytest_asyncio
from shop_bot import Shop, create_bot, install_rich_menu

from app.testing.actors import Channel
from app.testing.plugin import TestKizuna


@pytest_asyncio.fixture
async def shop(kizuna: TestKizuna, channel: Channel) -> Shop:
    bot, state = create_bot(channel.channel_secret, channel.access_token, channel.api_base)
    await channel.set_webhook(kizuna.serve(bot.asgi_app("/callback")) + "/callback")
    await install_rich_menu(channel.access_token, channel.api_base)
    return state


@pytest.mark.asyncio
async def test_a_customer_orders_two_melon_pans(
    kizuna: TestKizuna, channel: Channel, shop: Shop
) -> None:
    alice = await kizuna.user("Alice")
    await alice.follow(channel)
    welcome = await alice.receives()
    assert welcome.text == "Welcome to Kizuna Café, Alice!"
    assert welcome.quick_replies == ["Menu", "My orders"]

    await alice.taps("Menu")
    menu = await alice.receives()
    assert (menu.type, menu.text) == ("flex", "Our menu")

    await alice.taps("Buy Melon pan")
    question = await alice.receives()
    assert question.text == "How many Melon pan?"
    assert question.quick_replies == ["1", "2", "3"]

    await alice.taps("2")
    receipt, thanks = await alice.receives(), await alice.receives()
    assert (receipt.type, receipt.text) == ("flex", "Receipt #1: ¥560")
    assert thanks.text == "Thank you! It will be ready soon."
    assert [(item.name, count) for item, count in shop.orders[alice.user_id]] == [("Melon pan", 2)]


@pytest.mark.asyncio
async def test_orders_are_listed_per_customer(
    kizuna: TestKizuna, channel: Channel, shop: Shop
) -> None:
    alice, bob = await kizuna.user("Alice"), await kizuna.user("Bob")
    for customer in (alice, bob):
        await customer.follow(channel)
        await customer.receives()
    await bob.taps("Orders")  # the rich menu under the chat
    assert (await bob.receives()).text == "No orders yet. Say 'menu' to start."
    menu = await bob.rich_menu()
    assert menu is not None and [a["action"]["label"] for a in menu["areas"]] == [
        "Shop",
        "Orders",
        "Help",
    ]

    await alice.taps("Shop")
    await alice.receives()
    await alice.taps("Buy Matcha latte")
    await alice.receives()
    await alice.taps("1")
    await alice.receives(2)
    await alice.says("menu")
    await alice.receives()
    await alice.taps("Buy Onigiri set")
    await alice.receives()
    await alice.taps("3")
    await alice.receives(2)
    await alice.sends({"type": "sticker", "packageId": "446", "stickerId": "1988"})  # ignored
    # The last message carries no quick replies; "My orders" is on her first message only.
    with pytest.raises(AssertionError, match="nothing labelled"):
        await alice.taps("My orders")
    assert [m.text for m in alice.inbox][-2] == "Receipt #2: ¥1,350"
    await alice.taps("Orders")
    assert (await alice.receives()).text == "#1 Matcha latte x 1\n#2 Onigiri set x 3"
    assert (await alice.taps("Help"))["uri"] == "https://example.com/help"
