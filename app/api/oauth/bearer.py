"""Bearer authentication of every LINE route: which channel a channel access token signs for."""

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import asyncpg
import jwt
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers

from app.api.oauth.repository import TokenRepository
from app.control.channels.repository import ChannelRepository
from app.kit.clock import Clock
from app.kit.errors import Unauthorized
from app.kit.fastlane import FastLane
from app.models import (
    AccessToken,
    Base,
    Channel,
    TokenKind,
)

STATELESS_ISSUER = "kizuna"
MISSING_HEADER = (
    "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"
)
INVALID_TOKEN = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)
EXPIRED_TOKEN = "Authentication failed due to the following reason: expired access token"


def looks_like_jwt(token: str) -> bool:
    return token.startswith("eyJ") and token.count(".") == 2


class TokenLookup(Protocol):
    async def get_with_channel(self, token: str) -> tuple[AccessToken, Channel] | None: ...

    async def get_by_channel_id(self, channel_id: str) -> Channel | None: ...


class SessionLookup:
    """Lookups through the ORM session of the request."""

    def __init__(self, session: AsyncSession) -> None:
        self.tokens = TokenRepository(session)
        self.channels = ChannelRepository(session)

    async def get_with_channel(self, token: str) -> tuple[AccessToken, Channel] | None:
        return await self.tokens.get_with_channel(token)

    async def get_by_channel_id(self, channel_id: str) -> Channel | None:
        return await self.channels.get_by_channel_id(channel_id)


_CHANNEL_COLUMNS = ", ".join(f"c.{column.name}" for column in Channel.__table__.columns)
_TOKEN_SQL = (
    f"SELECT {_CHANNEL_COLUMNS}, t.id AS t_id, t.token AS t_token, t.kind AS t_kind,"
    " t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.revoked_at AS t_revoked_at"
    " FROM access_tokens t JOIN channels c ON c.id = t.channel_pk WHERE t.token = ANY($1::text[])"
)
_CHANNEL_SQL = f"SELECT {_CHANNEL_COLUMNS} FROM channels c WHERE c.channel_id = $1"


# (attribute, column, the enum a stored string becomes, if any)
_CHANNEL_KEYS = [
    (column.key, column.name, getattr(column.type, "enum_class", None))
    for column in Channel.__table__.columns
]
RowT = TypeVar("RowT", bound=Base)
# Set up once here: `detached` skips the ORM constructor that would otherwise do it.
configure_mappers()


def detached(cls: type[RowT], values: dict[str, Any]) -> RowT:
    """A row object filled from a raw row without the ORM constructor's per-attribute events
    (a large share of an authenticated request's CPU): detached, for reading only."""
    instance: RowT = cls.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    return instance


def _channel(row: Mapping[str, Any]) -> Channel:
    values = {
        key: enum(row[name]) if enum is not None and row[name] is not None else row[name]
        for key, name, enum in _CHANNEL_KEYS
    }
    return detached(Channel, values)


class FastLaneLookup:
    """The same lookups in one asyncpg round trip each, outside any session: the channel comes
    back detached, which is all a LINE route needs of it (it reads, the control plane writes)."""

    def __init__(self, lane: FastLane) -> None:
        self.lane = lane

    async def get_with_channel(self, token: str) -> tuple[AccessToken, Channel] | None:
        # Tokens of requests in flight together are looked up in one statement.
        row = await self.lane.batcher("bearer", self._lookup_many).submit(token)
        if row is None:
            return None
        channel = _channel(row)
        access_token = detached(
            AccessToken,
            {
                "id": row["t_id"],
                "channel_pk": channel.id,
                "token": row["t_token"],
                "kind": TokenKind(row["t_kind"]),
                "created_at": row["t_created_at"],
                "expires_at": row["t_expires_at"],
                "revoked_at": row["t_revoked_at"],
            },
        )
        return access_token, channel

    async def _lookup_many(self, tokens: list[str]) -> list[asyncpg.Record | None]:
        rows = await self.lane.fetch(_TOKEN_SQL, tokens)
        found = {row["t_token"]: row for row in rows}
        return [found.get(token) for token in tokens]

    async def get_by_channel_id(self, channel_id: str) -> Channel | None:
        row = await self.lane.fetchrow(_CHANNEL_SQL, channel_id)
        return None if row is None else _channel(row)


class BearerAuth:
    def __init__(self, lookup: TokenLookup, clock: Clock) -> None:
        self.lookup = lookup
        self.clock = clock

    async def authenticate(self, authorization: str | None) -> Channel:
        if not authorization:
            raise Unauthorized(MISSING_HEADER)
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(MISSING_HEADER)
        if looks_like_jwt(token):
            return await self._authenticate_stateless(token)
        found = await self.lookup.get_with_channel(token)
        if found is None:
            raise Unauthorized(INVALID_TOKEN)
        row, channel = found
        if row.revoked_at is not None:
            raise Unauthorized(INVALID_TOKEN)
        if row.expires_at is not None and row.expires_at <= self.clock.now():
            raise Unauthorized(EXPIRED_TOKEN)
        return channel

    async def _authenticate_stateless(self, token: str) -> Channel:
        claims = await self.stateless_claims(token)
        if claims is None:
            raise Unauthorized(INVALID_TOKEN)
        channel, exp = claims
        if exp <= self.clock.now().timestamp():
            raise Unauthorized(EXPIRED_TOKEN)
        return channel

    async def stateless_claims(self, token: str) -> tuple[Channel, float] | None:
        """The channel a stateless token was signed for and its expiry; None if not genuine."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            channel = await self.lookup.get_by_channel_id(str(unverified.get("sub", "")))
            if channel is None:
                return None
            claims = jwt.decode(
                token,
                channel.secret,
                algorithms=["HS256"],
                issuer=STATELESS_ISSUER,
                options={"verify_exp": False, "require": ["exp", "sub", "iss"]},
            )
        except jwt.PyJWTError:
            return None
        return channel, float(claims["exp"])
