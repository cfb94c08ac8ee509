from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, text, update

from app.kit.repository import Repository
from app.models import EventState, ReplyToken, WebhookAttempt, WebhookEvent


class WebhookRepository(Repository):
    async def lock_channel(self, channel_pk: int) -> None:
        """One dispatcher per channel at a time, so the bot sees events in order (Postgres;
        SQLite has one writer anyway)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x4B5A0000 + channel_pk}
            )

    async def in_flight(self, channel_pk: int) -> bool:
        found = await self.session.scalar(
            select(WebhookEvent.id)
            .where(WebhookEvent.channel_pk == channel_pk, WebhookEvent.state == EventState.SENDING)
            .limit(1)
        )
        return found is not None

    async def due(self, channel_pk: int, now: datetime, limit: int) -> Sequence[WebhookEvent]:
        rows = await self.session.scalars(
            select(WebhookEvent)
            .where(
                WebhookEvent.channel_pk == channel_pk,
                WebhookEvent.state == EventState.PENDING,
                or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now),
            )
            .order_by(WebhookEvent.id)
            .limit(limit)
        )
        return rows.all()

    async def events(self, keys: Sequence[int]) -> Sequence[WebhookEvent]:
        rows = await self.session.scalars(
            select(WebhookEvent).where(WebhookEvent.id.in_(keys)).order_by(WebhookEvent.id)
        )
        return rows.all()

    async def release_stale(self, channel_pk: int, before: datetime) -> int:
        """Events a crashed dispatcher claimed go back to pending."""
        result = await self.session.execute(
            update(WebhookEvent)
            .where(
                WebhookEvent.channel_pk == channel_pk,
                WebhookEvent.state == EventState.SENDING,
                WebhookEvent.claimed_at < before,
            )
            .values(state=EventState.PENDING)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def reply_tokens(self, tokens: Sequence[str]) -> Sequence[ReplyToken]:
        if not tokens:
            return []
        rows = await self.session.scalars(select(ReplyToken).where(ReplyToken.token.in_(tokens)))
        return rows.all()

    async def attempts(self, channel_pk: int, limit: int) -> Sequence[WebhookAttempt]:
        rows = await self.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.channel_pk == channel_pk)
            .order_by(WebhookAttempt.id.desc())
            .limit(limit)
        )
        return rows.all()
