"""The official line-bot-sdk pointed at a Kizuna server: only the host changes."""

from linebot.v3 import messaging, oauth


def messaging_config(base_url: str, token: str) -> messaging.Configuration:
    return messaging.Configuration(host=base_url, access_token=token)


def oauth_config(base_url: str) -> oauth.Configuration:
    return oauth.Configuration(host=base_url)
