from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from app.models import SurveyKind
from app.schemas.base import WireModel

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
UserId = Annotated[str, StringConstraints(pattern=r"^U[0-9a-f]{32}$")]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Question(WireModel):
    type: Literal["single", "multiple", "text", "rating"] = Field(
        description="single or multiple choice (of `options`), free text, or a rating 1..`scale`"
    )
    text: Text
    options: Annotated[list[Option], Field(min_length=2, max_length=10)] | None = None
    scale: Annotated[int, Field(ge=2, le=10)] | None = Field(
        default=None, description="Rating questions: the highest score (5 if absent)."
    )
    required: bool = True

    @model_validator(mode="after")
    def options_for_choices(self) -> "Question":
        choice = self.type in ("single", "multiple")
        if choice and not self.options:
            raise ValueError("options are required for single and multiple choice questions")
        if not choice and self.options:
            raise ValueError("options are only for single and multiple choice questions")
        if self.type == "rating" and self.scale is None:
            self.scale = 5
        if self.type != "rating" and self.scale is not None:
            raise ValueError("scale is only for rating questions")
        return self


class CreateSurveyRequest(WireModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    questions: Annotated[list[Question], Field(min_length=1, max_length=20)]


class SendSurveyRequest(WireModel):
    to: Annotated[list[UserId], Field(min_length=1, max_length=500)] | None = Field(
        default=None, description="User ids (a multicast); absent: every friend (a broadcast)."
    )
    days: Annotated[int, Field(ge=1, le=90)] = Field(
        default=7, description="How long answers are accepted."
    )


class SatisfactionRequest(WireModel):
    days: Annotated[int, Field(ge=1, le=30)] = Field(
        default=7, description="How long answers are accepted."
    )


class SurveyView(WireModel):
    survey_id: str
    kind: SurveyKind
    title: str
    questions: list[dict[str, Any]]
    created_at: datetime
    request_id: str | None = Field(default=None, description="The send that carried it.")
    sent_at: datetime | None = None
    closes_at: datetime | None = None
    open: bool


class AnswerRequest(WireModel):
    answers: list[Any] = Field(
        description="One per question, in order: an option index (single), a list of them "
        "(multiple), a score (rating, satisfaction 0-10), text, or null for an optional one."
    )


class AnswerView(WireModel):
    survey_id: str
    user_id: str
    answers: list[Any]
    answered_at: datetime


class QuestionResult(WireModel):
    type: str
    text: str
    answered: int
    option_counts: list[int] | None = Field(default=None, description="Choices: per option.")
    score_counts: dict[str, int] | None = Field(default=None, description="Ratings: per score.")
    average: float | None = None
    texts: list[str] | None = None


class SurveyResults(WireModel):
    survey_id: str
    kind: SurveyKind
    recipients: int
    respondents: int
    questions: list[QuestionResult]
    nps: float | None = Field(
        default=None,
        description="Satisfaction surveys: % promoters (9-10) minus % detractors (0-6).",
    )


class SatisfactionList(WireModel):
    surveys: list[SurveyResults]
    next_available_at: datetime | None = Field(
        description="A new satisfaction survey may start from then (90 days after the last one "
        "closed); absent: now."
    )
