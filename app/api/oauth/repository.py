from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from app.kit.repository import Repository
from app.models import AccessToken, AssertionKey, Channel, TokenKind


class TokenRepository(Repository):
    async def get_with_channel(self, token: str) -> tuple[AccessToken, Channel] | None:
        row = (
            await self.session.execute(
                select(AccessToken, Channel)
                .join(Channel, Channel.id == AccessToken.channel_pk)
                .where(AccessToken.token == token)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def valid_tokens(
        self, channel_pk: int, kind: TokenKind, now: datetime
    ) -> Sequence[AccessToken]:
        """Unrevoked, unexpired tokens of one kind, oldest first."""
        return (
            await self.session.scalars(
                select(AccessToken)
                .where(
                    AccessToken.channel_pk == channel_pk,
                    AccessToken.kind == kind,
                    AccessToken.revoked_at.is_(None),
                    or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now),
                )
                .order_by(AccessToken.created_at, AccessToken.id)
            )
        ).all()

    async def revoke(self, token_pks: Sequence[int], now: datetime) -> None:
        if token_pks:
            await self.session.execute(
                update(AccessToken).where(AccessToken.id.in_(token_pks)).values(revoked_at=now)
            )

    async def long_lived_token(self, channel_pk: int) -> AccessToken | None:
        return await self.session.scalar(
            select(AccessToken)
            .where(
                AccessToken.channel_pk == channel_pk,
                AccessToken.kind == TokenKind.LONG_LIVED,
                AccessToken.revoked_at.is_(None),
            )
            .order_by(AccessToken.id)
            .limit(1)
        )

    async def purge_dead(self, expired_before: datetime) -> int:
        """Forget tokens that expired or were revoked before the given time."""
        result = await self.session.execute(
            delete(AccessToken).where(
                or_(
                    AccessToken.expires_at < expired_before,
                    AccessToken.revoked_at < expired_before,
                )
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def assertion_key_with_channel(self, kid: str) -> tuple[AssertionKey, Channel] | None:
        row = (
            await self.session.execute(
                select(AssertionKey, Channel)
                .join(Channel, Channel.id == AssertionKey.channel_pk)
                .where(AssertionKey.kid == kid)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def assertion_keys(self, channel_pk: int) -> Sequence[AssertionKey]:
        return (
            await self.session.scalars(
                select(AssertionKey)
                .where(AssertionKey.channel_pk == channel_pk)
                .order_by(AssertionKey.id)
            )
        ).all()
