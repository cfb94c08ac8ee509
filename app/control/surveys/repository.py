from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from app.delivery.repository import delivered_to
from app.kit.repository import Repository
from app.models import Channel, MessageRequest, Survey, SurveyAnswer, SurveyKind


class SurveyRepository(Repository):
    async def get(self, channel_pk: int, survey_id: str) -> Survey | None:
        return await self.session.scalar(
            select(Survey).where(Survey.channel_pk == channel_pk, Survey.survey_id == survey_id)
        )

    async def of_channel(self, channel_pk: int, kind: SurveyKind) -> Sequence[Survey]:
        return (
            await self.session.scalars(
                select(Survey)
                .where(Survey.channel_pk == channel_pk, Survey.kind == kind)
                .order_by(Survey.id)
            )
        ).all()

    async def claim_send(self, survey_pk: int, now: datetime) -> bool:
        """Marks the survey sent unless it was already: of concurrent sends one wins."""
        result = await self.session.execute(
            update(Survey)
            .where(Survey.id == survey_pk, Survey.sent_at.is_(None))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def lock_channel(self, channel_pk: int) -> None:
        """Holds the channel's row until commit, so checks made after it see the commits of
        whoever held it before. Postgres locks the row; on SQLite the no-op write takes the
        database's single write lock (reads before a first write run outside any lock)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(
                select(Channel.id).where(Channel.id == channel_pk).with_for_update()
            )
        else:
            await self.session.execute(
                update(Channel)
                .where(Channel.id == channel_pk)
                .values(id=Channel.id)
                .execution_options(synchronize_session=False)
            )

    async def last(self, channel_pk: int, kind: SurveyKind) -> Survey | None:
        return await self.session.scalar(
            select(Survey)
            .where(Survey.channel_pk == channel_pk, Survey.kind == kind)
            .order_by(Survey.id.desc())
            .limit(1)
        )

    async def request(self, request_pk: int) -> MessageRequest | None:
        return await self.session.get(MessageRequest, request_pk)

    async def received(self, request_pk: int, user_pk: int) -> bool:
        return bool(await self.session.scalar(delivered_to(request_pk, user_pk)))

    async def answer_of(self, survey_pk: int, user_pk: int) -> SurveyAnswer | None:
        return await self.session.scalar(
            select(SurveyAnswer).where(
                SurveyAnswer.survey_pk == survey_pk, SurveyAnswer.user_pk == user_pk
            )
        )

    async def answers(self, survey_pk: int) -> Sequence[SurveyAnswer]:
        return (
            await self.session.scalars(
                select(SurveyAnswer)
                .where(SurveyAnswer.survey_pk == survey_pk)
                .order_by(SurveyAnswer.id)
            )
        ).all()
