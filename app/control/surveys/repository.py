from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import TextClause, bindparam, func, select, text, update
from sqlalchemy.engine import CursorResult

from app.delivery.repository import delivered_to
from app.kit.repository import Repository
from app.models import Channel, MessageRequest, Survey, SurveyAnswer, SurveyKind


@dataclass
class Tally:
    """A survey's answers counted: per question (by index) the answers given, the times each
    option or score was chosen (an option of a multiple choice once per answer naming it) and
    the texts in the order they were answered."""

    respondents: int = 0
    answered: dict[int, int] = field(default_factory=dict)
    chosen: dict[int, dict[int, int]] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)


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

    async def requests(self, request_pks: list[int]) -> dict[int, MessageRequest]:
        rows = await self.session.scalars(
            select(MessageRequest).where(MessageRequest.id.in_(request_pks))
        )
        return {request.id: request for request in rows}

    async def tallies(self, survey_pks: list[int]) -> dict[int, Tally]:
        """Each survey's answers counted in SQL: respondents, and per question the answers
        given, how often each option or score was chosen, and the texts as answered."""
        found = {pk: Tally() for pk in survey_pks}
        if not survey_pks:
            return found
        respondents = await self.session.execute(
            select(SurveyAnswer.survey_pk, func.count())
            .where(SurveyAnswer.survey_pk.in_(survey_pks))
            .group_by(SurveyAnswer.survey_pk)
        )
        for survey_pk, n in respondents:
            found[survey_pk].respondents = int(n)
        sql = _POSTGRES if self.session.get_bind().dialect.name == "postgresql" else _SQLITE
        params = {"surveys": survey_pks}
        for survey_pk, question, n in await self.session.execute(sql["answered"], params):
            found[survey_pk].answered[int(question)] = int(n)
        for survey_pk, question, value, n in await self.session.execute(sql["chosen"], params):
            found[survey_pk].chosen.setdefault(int(question), {})[int(value)] = int(n)
        for survey_pk, question, value in await self.session.execute(sql["texts"], params):
            found[survey_pk].texts.setdefault(int(question), []).append(str(value))
        return found


def _statements(
    each: str, options: str, question: str, kind: str, value: str, chosen: str
) -> dict[str, TextClause]:
    """The three counts over `each`, a FROM that spreads every answer row `a` into its answers
    to each question `q` (`question` the index, `kind` the JSON type, `value` the text);
    `options` joins a multiple choice's options `o` (`chosen` the option, or the score, as
    text: a scalar answer joins no option and stands for itself)."""
    surveys = "a.survey_pk IN :surveys"
    statements = {
        "answered": f"SELECT a.survey_pk, {question}, count(*) FROM {each} "
        f"WHERE {surveys} AND {kind} <> 'null' GROUP BY a.survey_pk, {question}",
        "chosen": f"SELECT a.survey_pk, {question}, {chosen}, count(*) FROM {each} {options} "
        f"WHERE {surveys} AND {kind} IN ('integer', 'number', 'array') "
        f"GROUP BY a.survey_pk, {question}, {chosen}",
        "texts": f"SELECT a.survey_pk, {question}, {value} FROM {each} "
        f"WHERE {surveys} AND {kind} IN ('text', 'string') ORDER BY a.id",
    }
    return {
        name: text(sql).bindparams(bindparam("surveys", expanding=True))
        for name, sql in statements.items()
    }


_SQLITE = _statements(
    "survey_answers a JOIN json_each(a.answers) q",
    "LEFT JOIN json_each(CASE WHEN q.type = 'array' THEN q.value ELSE '[]' END) o",
    question="q.key",
    kind="q.type",
    value="q.value",
    chosen="coalesce(o.value, q.value)",
)
_POSTGRES = _statements(
    "survey_answers a CROSS JOIN LATERAL json_array_elements(a.answers) WITH ORDINALITY "
    "q(value, position)",
    "LEFT JOIN LATERAL json_array_elements(CASE WHEN json_typeof(q.value) = 'array' "
    "THEN q.value ELSE '[]'::json END) o(value) ON true",
    question="q.position - 1",
    kind="json_typeof(q.value)",
    value="q.value #>> '{}'",
    chosen="coalesce(o.value, q.value)::text",
)
