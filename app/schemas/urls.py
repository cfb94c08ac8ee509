"""The webhook URL a channel may have, wherever it is set (the LINE route and the control plane).

The platform takes HTTPS only. Kizuna takes `http://` too, as bots under test run on the
developer's machine; otherwise the same rules: a host, at most 500 characters, and no user name
or password in the URL (they would be sent to the bot and shown in every attempt's log).
"""

from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, Field

MAX_LENGTH = 500


def _no_credentials(url: AnyHttpUrl) -> AnyHttpUrl:
    if url.username or url.password:
        raise ValueError("the URL must not contain a user name or password")
    if not url.host:
        raise ValueError("the URL must name a host")
    return url


WebhookUrl = Annotated[AnyHttpUrl, Field(max_length=MAX_LENGTH), AfterValidator(_no_credentials)]
