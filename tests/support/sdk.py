"""The official line-bot-sdk pointed at a Kizuna server: only the host changes."""

import inspect
from collections.abc import Callable
from typing import Any

from linebot.v3 import messaging, oauth


def messaging_config(base_url: str, token: str) -> messaging.Configuration:
    return messaging.Configuration(host=base_url, access_token=token)


def oauth_config(base_url: str) -> oauth.Configuration:
    return oauth.Configuration(host=base_url)


def call_sync(base_url: str, token: str, call: Callable[[Any], Any]) -> Any:
    """One operation through the synchronous `MessagingApi`."""
    with messaging.ApiClient(messaging_config(base_url, token)) as client:
        return call(messaging.MessagingApi(client))


async def call_async(base_url: str, token: str, call: Callable[[Any], Any]) -> Any:
    """The same operation through `AsyncMessagingApi`: it must hand back an awaitable."""
    async with messaging.AsyncApiClient(messaging_config(base_url, token)) as client:
        pending = call(messaging.AsyncMessagingApi(client))
        assert inspect.isawaitable(pending)
        return await pending
