from collections.abc import Sequence

from sqlalchemy import select

from app.delivery.repository import delivered_to
from app.kit.repository import Repository
from app.models import MessageRequest, Survey, SurveyAnswer, SurveyKind


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
