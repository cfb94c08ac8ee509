"""Surveys and the account satisfaction survey.

A survey is defined, then sent as a message carrying it (a broadcast, or a multicast to chosen
users: it counts toward the quota like any); its recipients answer through the control plane
while it is open and the results are aggregated per question. The satisfaction survey is the
platform's own one-question survey (NPS, 0-10): sent to every friend outside the quota, and a
new one may start only 90 days after the last one closed (Kizuna's clock).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from app.control.direct import send_direct
from app.control.surveys.repository import SurveyRepository, Tally
from app.delivery.service import SendService
from app.kit.errors import BadRequest, Conflict, ErrorDetail, NotFound
from app.kit.uow import UnitOfWork
from app.models import (
    Channel,
    MessageRequest,
    SendKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    User,
)

SATISFACTION_GAP = timedelta(days=90)
NPS_QUESTION = {
    "type": "nps",
    "text": "How likely are you to recommend this account to a friend? (0-10)",
    "required": True,
}
SURVEY_LINK = "https://line.me/R/kizuna/surveys/{survey_id}"


def survey_message(survey: Survey, prompt: str, label: str) -> dict[str, Any]:
    """The message that carries a survey: a buttons template whose button opens it."""
    return {
        "type": "template",
        "altText": survey.title[:400],
        "template": {
            "type": "buttons",
            "title": survey.title[:40],
            "text": prompt[:60],
            "actions": [
                {
                    "type": "uri",
                    "label": label,
                    "uri": SURVEY_LINK.format(survey_id=survey.survey_id),
                }
            ],
        },
    }


def nps(scores: dict[int, int]) -> float | None:
    """The net promoter score of the times each score (0-10) was given."""
    answers = sum(scores.values())
    if not answers:
        return None
    promoters = sum(times for score, times in scores.items() if score >= 9)
    detractors = sum(times for score, times in scores.items() if score <= 6)
    return round(100 * (promoters - detractors) / answers, 1)


def check_answers(questions: list[dict[str, Any]], answers: list[Any]) -> list[ErrorDetail]:
    if len(answers) != len(questions):
        return [ErrorDetail(f"Must have {len(questions)} entries, one per question", "answers")]
    errors = []
    for index, (question, answer) in enumerate(zip(questions, answers, strict=True)):
        prop = f"answers[{index}]"
        kind = question["type"]
        if answer is None:
            if question.get("required", True):
                errors.append(ErrorDetail("Required", prop))
            continue
        options = len(question.get("options") or [])
        if kind == "single":
            if not _integer(answer) or not 0 <= answer < options:
                errors.append(ErrorDetail(f"Must be an option index from 0 to {options - 1}", prop))
        elif kind == "multiple":
            if (
                not isinstance(answer, list)
                or not answer
                or not all(_integer(a) and 0 <= a < options for a in answer)
                or len(set(answer)) != len(answer)
            ):
                errors.append(
                    ErrorDetail(f"Must be distinct option indexes from 0 to {options - 1}", prop)
                )
        elif kind == "rating":
            scale = int(question.get("scale") or 5)
            if not _integer(answer) or not 1 <= answer <= scale:
                errors.append(ErrorDetail(f"Must be a score from 1 to {scale}", prop))
        elif kind == "nps":
            if not _integer(answer) or not 0 <= answer <= 10:
                errors.append(ErrorDetail("Must be a score from 0 to 10", prop))
        elif not isinstance(answer, str) or not answer.strip() or len(answer) > 1000:
            errors.append(ErrorDetail("Must be text of 1 to 1000 characters", prop))
    return errors


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def aggregate(question: dict[str, Any], index: int, tally: Tally) -> dict[str, Any]:
    """The results of the question at `index` from the survey's tally."""
    answered = tally.answered.get(index, 0)
    chosen = tally.chosen.get(index, {})
    result: dict[str, Any] = {
        "type": question["type"],
        "text": question["text"],
        "answered": answered,
    }
    kind = question["type"]
    if kind in ("single", "multiple"):
        result["option_counts"] = [
            chosen.get(option, 0) for option in range(len(question["options"]))
        ]
    elif kind in ("rating", "nps"):
        low, high = (0, 10) if kind == "nps" else (1, int(question.get("scale") or 5))
        result["score_counts"] = {
            str(score): chosen.get(score, 0) for score in range(low, high + 1)
        }
        total = sum(score * times for score, times in chosen.items())
        result["average"] = round(total / answered, 2) if answered else None
    else:
        result["texts"] = tally.texts.get(index, [])
    return result


class SurveyService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.surveys = SurveyRepository(uow.session)

    def is_open(self, survey: Survey) -> bool:
        return survey.closes_at is not None and self.clock.now() < survey.closes_at

    async def _new(
        self, channel: Channel, kind: SurveyKind, title: str, questions: list[dict[str, Any]]
    ) -> Survey:
        now = self.clock.now()
        return await self.surveys.add(
            Survey(
                survey_id=self.ids.webhook_event_id(int(now.timestamp() * 1000)),
                channel_pk=channel.id,
                kind=kind,
                title=title,
                questions=questions,
                created_at=now,
            )
        )

    async def create(self, channel: Channel, title: str, questions: list[dict[str, Any]]) -> Survey:
        return await self._new(channel, SurveyKind.SURVEY, title, questions)

    async def get(self, channel: Channel, survey_id: str) -> Survey:
        survey = await self.surveys.get(channel.id, survey_id)
        if survey is None:
            raise NotFound(f"Channel {channel.channel_id} has no survey {survey_id}")
        return survey

    async def of_channel(self, channel: Channel) -> list[Survey]:
        return list(await self.surveys.of_channel(channel.id, SurveyKind.SURVEY))

    async def request_ids(self, surveys: Sequence[Survey]) -> dict[int, str | None]:
        """Per survey (by key), the id of the request that carried it, if sent."""
        requests = await self.surveys.requests(
            [survey.request_pk for survey in surveys if survey.request_pk is not None]
        )
        return {
            survey.id: requests[survey.request_pk].request_id
            if survey.request_pk in requests
            else None
            for survey in surveys
        }

    async def send(
        self, channel: Channel, survey_id: str, to: list[str] | None, days: int
    ) -> Survey:
        """Sends the survey as a message (a multicast to `to`, or a broadcast), within the
        quota like any send; once."""
        survey = await self.get(channel, survey_id)
        if survey.kind != SurveyKind.SURVEY:
            raise NotFound(f"Channel {channel.channel_id} has no survey {survey_id}")
        now = self.clock.now()
        if survey.sent_at is not None or not await self.surveys.claim_send(survey.id, now):
            raise Conflict(f"Survey {survey_id} was sent already")
        message = survey_message(survey, "Tell us what you think", "Answer")
        sends = SendService(self.uow, channel, "")
        options: dict[str, Any] = {
            "notification_disabled": False,
            "aggregation_units": None,
            "retry_key": None,
        }
        if to is None:
            request = await sends.broadcast([message], **options)
        else:
            request = await sends.multicast(to, [message], **options)
        survey.request_pk, survey.sent_at = request.id, now
        survey.closes_at = now + timedelta(days=days)
        return survey

    async def start_satisfaction(self, channel: Channel, days: int) -> Survey:
        """The satisfaction survey to every friend now, outside the quota; 409 within 90
        days of the last one's close."""
        # Concurrent starts take turns here, so the second sees the first's survey.
        await self.surveys.lock_channel(channel.id)
        now = self.clock.now()
        available = await self.next_satisfaction_at(channel)
        if available is not None and now < available:
            raise Conflict(
                "A satisfaction survey may run again 90 days after the last one closed: "
                f"from {available.isoformat()}"
            )
        survey = await self._new(
            channel,
            SurveyKind.SATISFACTION,
            f"How satisfied are you with {channel.name}?"[:100],
            [NPS_QUESTION],
        )
        message = survey_message(survey, "Rate this account from 0 to 10", "Rate")
        request = await send_direct(
            self.uow.session, channel, SendKind.SATISFACTION, [message], now
        )
        survey.request_pk, survey.sent_at = request.id, now
        survey.closes_at = now + timedelta(days=days)
        return survey

    async def next_satisfaction_at(self, channel: Channel) -> datetime | None:
        last = await self.surveys.last(channel.id, SurveyKind.SATISFACTION)
        if last is None or last.closes_at is None:
            return None
        available = last.closes_at + SATISFACTION_GAP
        return available if self.clock.now() < available else None

    async def satisfaction_surveys(self, channel: Channel) -> list[Survey]:
        return list(await self.surveys.of_channel(channel.id, SurveyKind.SATISFACTION))

    async def answer(
        self, channel: Channel, user: User, survey_id: str, answers: list[Any]
    ) -> SurveyAnswer:
        survey = await self.get(channel, survey_id)
        if survey.request_pk is None or not await self.surveys.received(survey.request_pk, user.id):
            raise Conflict(f"User {user.user_id} has not received survey {survey_id}")
        if not self.is_open(survey):
            raise Conflict(f"Survey {survey_id} is closed")
        if await self.surveys.answer_of(survey.id, user.id) is not None:
            raise Conflict(f"User {user.user_id} has answered survey {survey_id} already")
        errors = check_answers(survey.questions, answers)
        if errors:
            raise BadRequest("The answers are invalid", errors)
        return await self.surveys.add(
            SurveyAnswer(
                survey_pk=survey.id, user_pk=user.id, answers=answers, answered_at=self.clock.now()
            )
        )

    async def results(self, surveys: Sequence[Survey]) -> list[dict[str, Any]]:
        """Each survey's results, counted in SQL: a fixed number of statements however many
        surveys, questions and answers."""
        tallies = await self.surveys.tallies([survey.id for survey in surveys])
        requests = await self.surveys.requests(
            [survey.request_pk for survey in surveys if survey.request_pk is not None]
        )
        return [self._results(survey, tallies[survey.id], requests) for survey in surveys]

    def _results(
        self, survey: Survey, tally: Tally, requests: dict[int, MessageRequest]
    ) -> dict[str, Any]:
        request = requests.get(survey.request_pk) if survey.request_pk is not None else None
        result: dict[str, Any] = {
            "survey_id": survey.survey_id,
            "kind": survey.kind,
            "recipients": request.success_count if request else 0,
            "respondents": tally.respondents,
            "questions": [
                aggregate(question, index, tally) for index, question in enumerate(survey.questions)
            ],
        }
        if survey.kind == SurveyKind.SATISFACTION:
            result["nps"] = nps(tally.chosen.get(0, {}))
        return result
