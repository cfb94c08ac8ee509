import json
import time
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from linebot.v3.oauth import (
    ApiClient,
    AsyncApiClient,
    AsyncChannelAccessToken,
    ChannelAccessToken,
    ChannelAccessTokenKeyIdsResponse,
    IssueChannelAccessTokenResponse,
    IssueShortLivedChannelAccessTokenResponse,
    IssueStatelessChannelAccessTokenResponse,
    VerifyChannelAccessTokenResponse,
)
from linebot.v3.oauth.exceptions import ApiException

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import oauth_config

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
EXPIRED = "Authentication failed due to the following reason: expired access token"
INVALID = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)


def bot_info_status(server: LiveServer, token: str) -> tuple[int, Any]:
    response = httpx.get(
        f"{server.base_url}/v2/bot/info", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


def oauth_error(caught: pytest.ExceptionInfo[ApiException]) -> tuple[int, dict[str, Any]]:
    return caught.value.status, json.loads(caught.value.body)


class AssertionKey:
    """An assertion signing key pair whose public half is registered with the channel."""

    def __init__(self, control: Control, channel: ChannelInfo) -> None:
        self.channel = channel
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        public_jwk.update({"alg": "RS256", "use": "sig"})
        response = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/assertion-keys", json=public_jwk
        )
        assert response.status_code == 201, response.text
        self.kid = response.json()["kid"]

    def assertion(self, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.channel.channel_id,
            "sub": self.channel.channel_id,
            "aud": "https://api.line.me/",
            "exp": now + 30 * 60,
            "token_exp": 60 * 60 * 24 * 30,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        headers = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)


@pytest.fixture
def tokens(server: LiveServer) -> Any:
    with ApiClient(oauth_config(server.base_url)) as client:
        yield ChannelAccessToken(client)


class TestShortLivedTokens:
    def test_issue_use_verify_revoke(
        self, server: LiveServer, channel: ChannelInfo, tokens: ChannelAccessToken
    ) -> None:
        issued = tokens.issue_channel_token(
            "client_credentials", channel.channel_id, channel.channel_secret
        )
        assert isinstance(issued, IssueShortLivedChannelAccessTokenResponse)
        assert (issued.expires_in, issued.token_type) == (2_592_000, "Bearer")
        assert bot_info_status(server, issued.access_token)[0] == 200

        verified = tokens.verify_channel_token(issued.access_token)
        assert isinstance(verified, VerifyChannelAccessTokenResponse)
        assert verified.client_id == channel.channel_id
        assert 2_591_990 <= verified.expires_in <= 2_592_000

        tokens.revoke_channel_token(issued.access_token)
        assert bot_info_status(server, issued.access_token) == (401, {"message": INVALID})
        with pytest.raises(ApiException) as caught:
            tokens.verify_channel_token(issued.access_token)
        assert oauth_error(caught) == (
            400,
            {"error": "invalid_request", "error_description": "access_token invalid"},
        )
        # Revoking again (or revoking nonsense) is not an error.
        tokens.revoke_channel_token(issued.access_token)
        tokens.revoke_channel_token("no-such-token")

    def test_expires_after_thirty_days_on_kizunas_clock(
        self, server: LiveServer, channel: ChannelInfo, tokens: ChannelAccessToken
    ) -> None:
        issued = tokens.issue_channel_token(
            "client_credentials", channel.channel_id, channel.channel_secret
        )
        server.services.clock.advance(timedelta(days=29, hours=23))
        assert bot_info_status(server, issued.access_token)[0] == 200
        server.services.clock.advance(timedelta(hours=1, seconds=1))
        assert bot_info_status(server, issued.access_token) == (401, {"message": EXPIRED})
        with pytest.raises(ApiException) as caught:
            tokens.verify_channel_token(issued.access_token)
        assert oauth_error(caught)[1]["error_description"] == "The access token expired"
        # The long-lived token of the channel never expires.
        assert bot_info_status(server, channel.access_token)[0] == 200

    @pytest.mark.parametrize(
        ("grant_type", "client_id", "secret", "error"),
        [
            ("client_credentials", "CHANNEL", "wrong", ("invalid_client", "invalid client_secret")),
            ("client_credentials", "0000000000", "SECRET", ("invalid_client", "invalid client_id")),
            ("password", "CHANNEL", "SECRET", ("unsupported_grant_type", None)),
        ],
    )
    def test_bad_credentials(
        self,
        channel: ChannelInfo,
        tokens: ChannelAccessToken,
        grant_type: str | None,
        client_id: str,
        secret: str,
        error: tuple[str, str | None],
    ) -> None:
        client_id = channel.channel_id if client_id == "CHANNEL" else client_id
        secret = channel.channel_secret if secret == "SECRET" else secret
        with pytest.raises(ApiException) as caught:
            tokens.issue_channel_token(grant_type, client_id, secret)
        status, body = oauth_error(caught)
        assert status == 400 and body["error"] == error[0]
        if error[1]:
            assert body["error_description"] == error[1]

    def test_missing_fields_answer_the_oauth_shape(
        self, server: LiveServer, channel: ChannelInfo
    ) -> None:
        response = httpx.post(
            f"{server.base_url}/v2/oauth/accessToken",
            data={"client_id": channel.channel_id, "client_secret": channel.channel_secret},
        )
        assert (response.status_code, response.json()) == (
            400,
            {"error": "invalid_request", "error_description": "grant_type is required"},
        )

    def test_the_thirty_first_token_revokes_the_oldest(
        self, server: LiveServer, channel: ChannelInfo, tokens: ChannelAccessToken
    ) -> None:
        issued = [
            tokens.issue_channel_token(
                "client_credentials", channel.channel_id, channel.channel_secret
            ).access_token
            for _ in range(31)
        ]
        assert bot_info_status(server, issued[0])[0] == 401
        assert all(bot_info_status(server, token)[0] == 200 for token in issued[1:])


class TestLongLivedTokens:
    def test_verify(self, channel: ChannelInfo, tokens: ChannelAccessToken) -> None:
        verified = tokens.verify_channel_token(channel.access_token)
        assert verified.client_id == channel.channel_id
        assert verified.expires_in > 3_000_000_000

    def test_control_plane_issues_more(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        response = control.http.post(f"/_kizuna/channels/{channel.channel_id}/access-tokens")
        assert response.status_code == 201
        assert bot_info_status(server, response.json()["accessToken"])[0] == 200


class TestJwtTokens:
    def test_issue_list_verify_revoke(
        self,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        tokens: ChannelAccessToken,
    ) -> None:
        key = AssertionKey(control, channel)
        issued = tokens.issue_channel_token_by_jwt(
            "client_credentials", ASSERTION_TYPE, key.assertion(token_exp=3600)
        )
        assert isinstance(issued, IssueChannelAccessTokenResponse)
        assert (issued.expires_in, issued.token_type) == (3600, "Bearer")
        second = tokens.issue_channel_token_by_jwt(
            "client_credentials", ASSERTION_TYPE, key.assertion()
        )
        assert second.expires_in == 2_592_000

        kids = tokens.gets_all_valid_channel_access_token_key_ids(ASSERTION_TYPE, key.assertion())
        assert isinstance(kids, ChannelAccessTokenKeyIdsResponse)
        assert kids.kids == [issued.key_id, second.key_id]

        verified = tokens.verify_channel_token_by_jwt(issued.access_token)
        assert verified.client_id == channel.channel_id and 3590 <= verified.expires_in <= 3600
        assert verified.scope
        assert bot_info_status(server, issued.access_token)[0] == 200

        tokens.revoke_channel_token_by_jwt(
            channel.channel_id, channel.channel_secret, issued.access_token
        )
        assert bot_info_status(server, issued.access_token)[0] == 401
        kids = tokens.gets_all_valid_channel_access_token_key_ids(ASSERTION_TYPE, key.assertion())
        assert kids.kids == [second.key_id]

        server.services.clock.advance(timedelta(days=30, seconds=1))
        assert bot_info_status(server, second.access_token) == (401, {"message": EXPIRED})
        kids = tokens.gets_all_valid_channel_access_token_key_ids(ASSERTION_TYPE, key.assertion())
        assert kids.kids == []

    def test_revoke_needs_the_channels_secret(
        self, server: LiveServer, control: Control, channel: ChannelInfo, tokens: ChannelAccessToken
    ) -> None:
        key = AssertionKey(control, channel)
        issued = tokens.issue_channel_token_by_jwt(
            "client_credentials", ASSERTION_TYPE, key.assertion()
        )
        with pytest.raises(ApiException) as caught:
            tokens.revoke_channel_token_by_jwt(channel.channel_id, "f" * 32, issued.access_token)
        assert oauth_error(caught)[1]["error"] == "invalid_client"
        assert bot_info_status(server, issued.access_token)[0] == 200

    @pytest.mark.parametrize(
        ("claims", "description"),
        [
            ({"aud": "https://example.com/"}, "invalid client_assertion"),
            ({"exp": int(time.time()) - 10}, "Invalid exp"),
            ({"exp": int(time.time()) + 7200}, "must expire within 30 minutes"),
            ({"token_exp": 2_592_001}, "token_exp must be an integer"),
            ({"sub": "1234567890"}, "sub must be the channel ID"),
            ({"iss": "1234567890"}, "invalid client_assertion"),
        ],
    )
    def test_bad_assertions(
        self,
        control: Control,
        channel: ChannelInfo,
        tokens: ChannelAccessToken,
        claims: dict[str, Any],
        description: str,
    ) -> None:
        key = AssertionKey(control, channel)
        with pytest.raises(ApiException) as caught:
            tokens.issue_channel_token_by_jwt(
                "client_credentials", ASSERTION_TYPE, key.assertion(**claims)
            )
        status, body = oauth_error(caught)
        assert status == 400 and description in body["error_description"]

    def test_assertion_signed_by_another_key_or_unknown_kid(
        self, control: Control, channel: ChannelInfo, tokens: ChannelAccessToken
    ) -> None:
        key, impostor = AssertionKey(control, channel), AssertionKey(control, channel)
        impostor.kid = key.kid
        with pytest.raises(ApiException) as caught:
            tokens.issue_channel_token_by_jwt(
                "client_credentials", ASSERTION_TYPE, impostor.assertion()
            )
        assert "Signature verification failed" in oauth_error(caught)[1]["error_description"]
        impostor.kid = "unknown-kid"
        with pytest.raises(ApiException) as caught:
            tokens.issue_channel_token_by_jwt(
                "client_credentials", ASSERTION_TYPE, impostor.assertion()
            )
        assert caught.value.status == 404
        assert json.loads(caught.value.body or "{}") == {
            "message": "Cannot find channel key that satisfies the conditions"
        }

    def test_thirty_valid_tokens_at_most(
        self, control: Control, channel: ChannelInfo, tokens: ChannelAccessToken
    ) -> None:
        key = AssertionKey(control, channel)
        for _ in range(30):
            tokens.issue_channel_token_by_jwt("client_credentials", ASSERTION_TYPE, key.assertion())
        with pytest.raises(ApiException) as caught:
            tokens.issue_channel_token_by_jwt("client_credentials", ASSERTION_TYPE, key.assertion())
        assert caught.value.status == 400
        assert json.loads(caught.value.body or "{}") == {
            "message": "The maximum number of access tokens has already been issued"
        }

    def test_private_keys_are_refused(self, control: Control, channel: ChannelInfo) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private))
        response = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/assertion-keys", json=jwk
        )
        assert response.status_code == 400 and "private key" in response.json()["message"]


class TestStatelessTokens:
    def test_by_secret_and_by_assertion(
        self,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        tokens: ChannelAccessToken,
    ) -> None:
        by_secret = tokens.issue_stateless_channel_token(
            grant_type="client_credentials",
            client_id=channel.channel_id,
            client_secret=channel.channel_secret,
        )
        assert isinstance(by_secret, IssueStatelessChannelAccessTokenResponse)
        assert (by_secret.expires_in, by_secret.token_type) == (899, "Bearer")
        key = AssertionKey(control, channel)
        by_assertion = tokens.issue_stateless_channel_token(
            grant_type="client_credentials",
            client_assertion_type=ASSERTION_TYPE,
            client_assertion=key.assertion(),
        )
        for token in (by_secret.access_token, by_assertion.access_token):
            assert bot_info_status(server, token)[0] == 200
            assert tokens.verify_channel_token(token).client_id == channel.channel_id

        with pytest.raises(ApiException) as caught:
            tokens.revoke_channel_token(by_secret.access_token)
        assert "cannot be revoked" in oauth_error(caught)[1]["error_description"]

        server.services.clock.advance(timedelta(minutes=15))
        assert bot_info_status(server, by_secret.access_token) == (401, {"message": EXPIRED})

    def test_a_forged_stateless_token_is_refused(
        self, server: LiveServer, channel: ChannelInfo
    ) -> None:
        forged = jwt.encode(
            {"iss": "kizuna", "sub": channel.channel_id, "exp": int(time.time()) + 600},
            "0" * 32,
            algorithm="HS256",
        )
        assert bot_info_status(server, forged) == (401, {"message": INVALID})


class TestAsyncClient:
    @pytest.mark.asyncio
    async def test_issue_verify_revoke(self, server: LiveServer, channel: ChannelInfo) -> None:
        async with AsyncApiClient(oauth_config(server.base_url)) as client:
            api = AsyncChannelAccessToken(client)
            issued = await api.issue_channel_token(
                "client_credentials", channel.channel_id, channel.channel_secret
            )
            verified = await api.verify_channel_token(issued.access_token)
            assert verified.client_id == channel.channel_id
            await api.revoke_channel_token(issued.access_token)
        assert bot_info_status(server, issued.access_token)[0] == 401
