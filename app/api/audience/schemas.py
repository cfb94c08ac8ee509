"""Wire models of manage-audience.yml."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from app.models import AudienceFailedType, AudienceJobStatus, AudienceStatus, AudienceType
from app.schemas.base import WireModel

MAX_JSON_IDS = 10_000
MAX_DESCRIPTION = 120

Description = Annotated[StrictStr, Field(min_length=1, max_length=MAX_DESCRIPTION)]


class RequestModel(BaseModel):
    """A LINE request body: camelCase, and unknown properties are ignored as LINE does."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class AudienceId(RequestModel):
    id: StrictStr


class CreateAudienceGroupRequest(RequestModel):
    description: Description
    is_ifa_audience: StrictBool = False
    upload_description: StrictStr | None = None
    audiences: Annotated[list[AudienceId], Field(max_length=MAX_JSON_IDS)] = []


class AddAudienceToAudienceGroupRequest(RequestModel):
    audience_group_id: StrictInt
    upload_description: StrictStr | None = None
    audiences: Annotated[list[AudienceId], Field(min_length=1, max_length=MAX_JSON_IDS)]


class CreateClickBasedAudienceGroupRequest(RequestModel):
    description: Description
    request_id: Annotated[StrictStr, Field(min_length=1)]
    click_url: Annotated[StrictStr, Field(min_length=1, max_length=2000)] | None = None


class CreateImpBasedAudienceGroupRequest(RequestModel):
    description: Description
    request_id: Annotated[StrictStr, Field(min_length=1)]


class UpdateAudienceGroupDescriptionRequest(RequestModel):
    description: Description


Permission = Literal["READ", "READ_WRITE"]


class CreatedAudienceResponse(WireModel):
    """The 202 body of every create operation (click and imp add requestId, clickUrl)."""

    audience_group_id: int
    create_route: Literal["MESSAGING_API"] = "MESSAGING_API"
    type: AudienceType
    description: str
    created: int
    permission: Permission = "READ_WRITE"
    expire_timestamp: int
    is_ifa_audience: bool
    request_id: str | None = None
    click_url: str | None = None


class AudienceGroupView(WireModel):
    audience_group_id: int
    type: AudienceType
    description: str
    status: AudienceStatus
    failed_type: AudienceFailedType | None = None
    audience_count: int
    created: int
    request_id: str | None = None
    click_url: str | None = None
    is_ifa_audience: bool
    permission: Permission
    create_route: Literal["MESSAGING_API"] = "MESSAGING_API"
    expire_timestamp: int


class AudienceJobView(WireModel):
    audience_group_job_id: int
    audience_group_id: int
    description: str | None = None
    type: Literal["DIFF_ADD"] = "DIFF_ADD"
    job_status: AudienceJobStatus
    failed_type: AudienceFailedType | None = None
    audience_count: int
    created: int


class OwnerView(WireModel):
    service_type: str
    id: str
    name: str


class AudienceDataResponse(WireModel):
    audience_group: AudienceGroupView
    jobs: list[AudienceJobView]


class SharedAudienceDataResponse(AudienceDataResponse):
    owner: OwnerView | None = None


class AudienceGroupsResponse(WireModel):
    audience_groups: list[AudienceGroupView]
    has_next_page: bool
    total_count: int
    read_write_audience_group_total_count: int
    page: int
    size: int
