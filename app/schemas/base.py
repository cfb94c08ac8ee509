from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python; absent optionals are left out."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# A numeric id in a path that names a database row: larger ones would overflow the query (400).
RowKey = Annotated[int, Path(ge=1, le=2**63 - 1)]
# The same in a body or query: the id of a row (a campaign, a tag).
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorDetailModel(BaseModel):
    message: str | None = None
    property: str | None = None


class ErrorResponseModel(BaseModel):
    """LINE's error body (documentation only: errors are rendered by app.kit.errors)."""

    message: str
    details: list[ErrorDetailModel] | None = None


class OAuthErrorModel(BaseModel):
    error: str
    error_description: str | None = None


LINE_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponseModel, "description": "Bad request"},
    401: {"model": ErrorResponseModel, "description": "Missing, unknown, expired or revoked token"},
}
