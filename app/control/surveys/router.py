"""Surveys and the account satisfaction survey (NPS 0-10, at most once per 90 days)."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.surveys.schemas import (
    AnswerRequest,
    AnswerView,
    CreateSurveyRequest,
    SatisfactionList,
    SatisfactionRequest,
    SendSurveyRequest,
    SurveyResults,
    SurveyView,
)
from app.control.surveys.service import SurveyService
from app.deps import UowDep
from app.models import Survey

router = APIRouter(tags=["control: surveys"])
SURVEYS = "/channels/{channelId}/surveys"
SATISFACTION = "/channels/{channelId}/satisfaction-surveys"


async def get_survey_service(uow: UowDep) -> SurveyService:
    return SurveyService(uow)


SurveysDep = Annotated[SurveyService, Depends(get_survey_service)]


async def _views(surveys: SurveyService, found: Sequence[Survey]) -> list[SurveyView]:
    request_ids = await surveys.request_ids(found)
    return [
        SurveyView(
            survey_id=survey.survey_id,
            kind=survey.kind,
            title=survey.title,
            questions=survey.questions,
            created_at=survey.created_at,
            request_id=request_ids[survey.id],
            sent_at=survey.sent_at,
            closes_at=survey.closes_at,
            open=surveys.is_open(survey),
        )
        for survey in found
    ]


async def _view(surveys: SurveyService, survey: Survey) -> SurveyView:
    return (await _views(surveys, [survey]))[0]


@router.post(
    SURVEYS,
    status_code=201,
    response_model=SurveyView,
    response_model_exclude_none=True,
    summary="Define a survey",
)
async def create_survey(
    channelId: str, body: CreateSurveyRequest, channels: ChannelServiceDep, surveys: SurveysDep
) -> SurveyView:
    questions = [q.model_dump(exclude_none=True) for q in body.questions]
    survey = await surveys.create(await channels.get(channelId), body.title, questions)
    return await _view(surveys, survey)


@router.get(
    SURVEYS, response_model=list[SurveyView], response_model_exclude_none=True, summary="Surveys"
)
async def list_surveys(
    channelId: str, channels: ChannelServiceDep, surveys: SurveysDep
) -> list[SurveyView]:
    return await _views(surveys, await surveys.of_channel(await channels.get(channelId)))


@router.get(
    SURVEYS + "/{surveyId}",
    response_model=SurveyView,
    response_model_exclude_none=True,
    summary="A survey",
)
async def get_survey(
    channelId: str, surveyId: str, channels: ChannelServiceDep, surveys: SurveysDep
) -> SurveyView:
    return await _view(surveys, await surveys.get(await channels.get(channelId), surveyId))


@router.post(
    SURVEYS + "/{surveyId}/send",
    response_model=SurveyView,
    response_model_exclude_none=True,
    summary="Send a survey",
)
async def send_survey(
    channelId: str,
    surveyId: str,
    body: SendSurveyRequest,
    channels: ChannelServiceDep,
    surveys: SurveysDep,
) -> SurveyView:
    """A message carrying the survey goes to `to` (a multicast) or every friend (a
    broadcast), within the monthly quota (429 past it); answers are accepted for `days`."""
    survey = await surveys.send(await channels.get(channelId), surveyId, body.to, body.days)
    return await _view(surveys, survey)


@router.get(
    SURVEYS + "/{surveyId}/results",
    response_model=SurveyResults,
    response_model_exclude_none=True,
    summary="A survey's results",
)
async def survey_results(
    channelId: str, surveyId: str, channels: ChannelServiceDep, surveys: SurveysDep
) -> dict[str, Any]:
    """Per question: option counts (choices), score counts and the average (ratings), the
    texts (free text); and for a satisfaction survey its NPS."""
    return (await surveys.results([await surveys.get(await channels.get(channelId), surveyId)]))[0]


@router.post(
    "/channels/{channelId}/users/{userId}/surveys/{surveyId}/answers",
    status_code=201,
    response_model=AnswerView,
    summary="A user answers a survey",
)
async def answer_survey(
    channelId: str,
    userId: str,
    surveyId: str,
    body: AnswerRequest,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    surveys: SurveysDep,
) -> AnswerView:
    """Once per user, while the survey is open, by a user who received it (409 otherwise);
    invalid answers are 400 naming `answers[i]`."""
    channel, user = await channels.get(channelId), await users.get(userId)
    answer = await surveys.answer(channel, user, surveyId, body.answers)
    return AnswerView(
        survey_id=surveyId,
        user_id=user.user_id,
        answers=answer.answers,
        answered_at=answer.answered_at,
    )


@router.post(
    SATISFACTION,
    status_code=201,
    response_model=SurveyView,
    response_model_exclude_none=True,
    summary="Start the satisfaction survey",
)
async def start_satisfaction_survey(
    channelId: str, body: SatisfactionRequest, channels: ChannelServiceDep, surveys: SurveysDep
) -> SurveyView:
    """The platform's satisfaction survey (one question, 0-10) to every friend now; the
    message is not counted toward the quota. 409 until 90 days after the last one closed."""
    survey = await surveys.start_satisfaction(await channels.get(channelId), body.days)
    return await _view(surveys, survey)


@router.get(
    SATISFACTION,
    response_model=SatisfactionList,
    response_model_exclude_none=True,
    summary="Satisfaction surveys and their NPS",
)
async def list_satisfaction_surveys(
    channelId: str, channels: ChannelServiceDep, surveys: SurveysDep
) -> SatisfactionList:
    channel = await channels.get(channelId)
    return SatisfactionList.model_validate(
        {
            "surveys": await surveys.results(await surveys.satisfaction_surveys(channel)),
            "next_available_at": await surveys.next_satisfaction_at(channel),
        }
    )
