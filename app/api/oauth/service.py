"""Channel access tokens: long-lived, short-lived (v2), chosen expiry (v2.1), stateless (v3)."""

import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.oauth.bearer import STATELESS_ISSUER, BearerAuth, SessionLookup, looks_like_jwt
from app.api.oauth.repository import TokenRepository
from app.control.channels.repository import ChannelRepository
from app.kit.clock import Clock
from app.kit.errors import BadRequest, NotFound, OAuthError
from app.kit.ids import IdFactory
from app.models import AccessToken, AssertionKey, Channel, TokenKind

SHORT_LIVED_TTL = timedelta(days=30)
JWT_TOKEN_MAX_TTL = timedelta(days=30)
STATELESS_TTL = timedelta(minutes=15)
# The platform keeps at most 30 of each kind valid per channel.
MAX_VALID_TOKENS = 30
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_AUDIENCE = "https://api.line.me/"
ASSERTION_MAX_LIFETIME = timedelta(minutes=30)
# Long-lived tokens never expire; verify reports the horizon the platform's own example shows.
LONG_LIVED_HORIZON = timedelta(days=36500)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    key_id: str | None = None


@dataclass(frozen=True)
class TokenStatus:
    channel_id: str
    expires_in: int


def _seconds(delta: timedelta) -> int:
    return max(int(delta.total_seconds()), 0)


class TokenService:
    def __init__(self, session: AsyncSession, clock: Clock, ids: IdFactory) -> None:
        self.session = session
        self.tokens = TokenRepository(session)
        self.channels = ChannelRepository(session)
        self.clock = clock
        self.ids = ids

    # --- issuing ------------------------------------------------------------------------------

    async def issue_long_lived(self, channel: Channel) -> str:
        row = await self._store(channel, TokenKind.LONG_LIVED, expires_at=None)
        return row.token

    async def _store(
        self,
        channel: Channel,
        kind: TokenKind,
        *,
        expires_at: datetime | None,
        key_id: str | None = None,
    ) -> AccessToken:
        return await self.tokens.add(
            AccessToken(
                channel_pk=channel.id,
                token=self.ids.opaque(128),
                kind=kind,
                key_id=key_id,
                created_at=self.clock.now(),
                expires_at=expires_at,
            )
        )

    async def issue_short_lived(
        self, grant_type: str | None, client_id: str | None, client_secret: str | None
    ) -> IssuedToken:
        _require_grant_type(grant_type)
        channel = await self._client(client_id, client_secret)
        now = self.clock.now()
        valid = await self.tokens.valid_tokens(channel.id, TokenKind.SHORT_LIVED, now)
        # Past the limit the platform revokes the oldest tokens to make room.
        overflow = len(valid) - MAX_VALID_TOKENS + 1
        if overflow > 0:
            await self.tokens.revoke([t.id for t in valid[:overflow]], now)
        row = await self._store(channel, TokenKind.SHORT_LIVED, expires_at=now + SHORT_LIVED_TTL)
        return IssuedToken(row.token, _seconds(SHORT_LIVED_TTL))

    async def issue_by_assertion(
        self, grant_type: str | None, assertion_type: str | None, assertion: str | None
    ) -> IssuedToken:
        _require_grant_type(grant_type)
        channel, claims = await self._verify_assertion(assertion_type, assertion)
        token_exp = claims.get("token_exp", _seconds(JWT_TOKEN_MAX_TTL))
        if (
            not isinstance(token_exp, int)
            or isinstance(token_exp, bool)
            or not 0 < token_exp <= _seconds(JWT_TOKEN_MAX_TTL)
        ):
            raise OAuthError(
                "invalid_request",
                f"token_exp must be an integer between 1 and {_seconds(JWT_TOKEN_MAX_TTL)}",
            )
        now = self.clock.now()
        valid = await self.tokens.valid_tokens(channel.id, TokenKind.JWT, now)
        if len(valid) >= MAX_VALID_TOKENS:
            # The platform's words; the limit is MAX_VALID_TOKENS unexpired v2.1 tokens.
            raise BadRequest("The maximum number of access tokens has already been issued")
        row = await self._store(
            channel,
            TokenKind.JWT,
            expires_at=now + timedelta(seconds=token_exp),
            key_id=self.ids.key_id(),
        )
        return IssuedToken(row.token, token_exp, row.key_id)

    async def valid_key_ids(self, assertion_type: str | None, assertion: str | None) -> list[str]:
        channel, _ = await self._verify_assertion(assertion_type, assertion)
        valid = await self.tokens.valid_tokens(channel.id, TokenKind.JWT, self.clock.now())
        return [t.key_id for t in valid if t.key_id]

    async def issue_stateless(
        self,
        grant_type: str | None,
        assertion_type: str | None,
        assertion: str | None,
        client_id: str | None,
        client_secret: str | None,
    ) -> IssuedToken:
        _require_grant_type(grant_type)
        if assertion is not None or assertion_type is not None:
            channel, _ = await self._verify_assertion(assertion_type, assertion)
        else:
            channel = await self._client(client_id, client_secret)
        now = self.clock.now()
        token = jwt.encode(
            {
                "iss": STATELESS_ISSUER,
                "sub": channel.channel_id,
                "iat": int(now.timestamp()),
                "exp": int((now + STATELESS_TTL).timestamp()),
                "jti": self.ids.key_id(),
            },
            channel.secret,
            algorithm="HS256",
        )
        return IssuedToken(token, _seconds(STATELESS_TTL) - 1)

    # --- verify and revoke --------------------------------------------------------------------

    async def verify(self, access_token: str | None) -> TokenStatus:
        if not access_token:
            raise OAuthError("invalid_request", "access_token is required")
        now = self.clock.now()
        if looks_like_jwt(access_token):
            claims = await BearerAuth(SessionLookup(self.session), self.clock).stateless_claims(
                access_token
            )
            if claims is None:
                raise OAuthError("invalid_request", "access_token invalid")
            channel, exp = claims
            if exp <= now.timestamp():
                raise OAuthError("invalid_request", "The access token expired")
            return TokenStatus(channel.channel_id, int(exp - now.timestamp()))
        found = await self.tokens.get_with_channel(access_token)
        if found is None or found[0].revoked_at is not None:
            raise OAuthError("invalid_request", "access_token invalid")
        row, channel = found
        expires_at = row.expires_at or row.created_at + LONG_LIVED_HORIZON
        if expires_at <= now:
            raise OAuthError("invalid_request", "The access token expired")
        return TokenStatus(channel.channel_id, _seconds(expires_at - now))

    async def revoke(self, access_token: str | None) -> None:
        if not access_token:
            raise OAuthError("invalid_request", "access_token is required")
        if looks_like_jwt(access_token):
            raise OAuthError("invalid_request", "stateless channel access tokens cannot be revoked")
        found = await self.tokens.get_with_channel(access_token)
        # Revoking a token that is unknown or already revoked is not an error on the platform.
        if found is not None and found[0].revoked_at is None:
            await self.tokens.revoke([found[0].id], self.clock.now())

    async def revoke_by_client(
        self, client_id: str | None, client_secret: str | None, access_token: str | None
    ) -> None:
        channel = await self._client(client_id, client_secret)
        if not access_token:
            raise OAuthError("invalid_request", "access_token is required")
        found = await self.tokens.get_with_channel(access_token)
        if found is not None and found[1].id == channel.id and found[0].revoked_at is None:
            await self.tokens.revoke([found[0].id], self.clock.now())

    # --- assertion keys -----------------------------------------------------------------------

    async def register_assertion_key(self, channel: Channel, jwk: dict[str, Any]) -> AssertionKey:
        if "d" in jwk or "p" in jwk:
            raise BadRequest(
                "A private key was given. Register the public key of the assertion signing key."
            )
        try:
            algorithm = jwt.PyJWK(jwk, algorithm="RS256")
        except jwt.PyJWTError as exc:
            raise BadRequest(f"The public key is not a usable RSA JWK: {exc}") from exc
        if algorithm.key_type != "RSA":
            raise BadRequest("The public key must be an RSA key (kty RSA) for RS256")
        return await self.tokens.add(
            AssertionKey(
                channel_pk=channel.id,
                kid=self.ids.key_id(),
                public_key=json.dumps(jwk, separators=(",", ":")),
                created_at=self.clock.now(),
            )
        )

    async def _verify_assertion(
        self, assertion_type: str | None, assertion: str | None
    ) -> tuple[Channel, dict[str, Any]]:
        if assertion_type != ASSERTION_TYPE:
            raise OAuthError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        if not assertion:
            raise OAuthError("invalid_request", "client_assertion is required")
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            raise OAuthError("invalid_request", "client_assertion is not a JWT") from exc
        kid = header.get("kid")
        found = await self.tokens.assertion_key_with_channel(str(kid)) if kid else None
        if found is None:
            raise NotFound("Cannot find channel key that satisfies the conditions")
        key, channel = found
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                jwt.PyJWK(json.loads(key.public_key), algorithm="RS256").key,
                algorithms=["RS256"],
                audience=ASSERTION_AUDIENCE,
                issuer=channel.channel_id,
                # The assertion's exp is stamped by the client's clock, not Kizuna's.
                options={"require": ["iss", "sub", "aud", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise OAuthError("invalid_client", "Invalid exp") from exc
        except jwt.PyJWTError as exc:
            raise OAuthError("invalid_client", f"invalid client_assertion: {exc}") from exc
        if claims["sub"] != channel.channel_id:
            raise OAuthError("invalid_client", "sub must be the channel ID, the same as iss")
        if claims["exp"] > time.time() + ASSERTION_MAX_LIFETIME.total_seconds() + 60:
            raise OAuthError("invalid_client", "the client_assertion must expire within 30 minutes")
        return channel, claims

    async def _client(self, client_id: str | None, client_secret: str | None) -> Channel:
        if not client_id:
            raise OAuthError("invalid_request", "client_id is required")
        if not client_secret:
            raise OAuthError("invalid_request", "client_secret is required")
        channel = await self.channels.get_by_channel_id(client_id)
        if channel is None:
            raise OAuthError("invalid_client", "invalid client_id")
        if not hmac.compare_digest(channel.secret.encode(), client_secret.encode()):
            raise OAuthError("invalid_client", "invalid client_secret")
        return channel


def _require_grant_type(grant_type: str | None) -> None:
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "grant_type must be client_credentials")
