"""manage-audience.yml: the twelve audience operations (two of them multipart, on api-data)."""

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException

from app.api.audience.repository import AudienceFilter
from app.api.audience.schemas import (
    MAX_DESCRIPTION,
    AddAudienceToAudienceGroupRequest,
    AudienceDataResponse,
    AudienceGroupsResponse,
    CreateAudienceGroupRequest,
    CreateClickBasedAudienceGroupRequest,
    CreatedAudienceResponse,
    CreateImpBasedAudienceGroupRequest,
    SharedAudienceDataResponse,
    UpdateAudienceGroupDescriptionRequest,
)
from app.api.audience.service import AudienceService
from app.api.audience.upload import NO_IDS, FileIds, check_json_ids, one_batch
from app.api.deps import ChannelDep
from app.deps import UowDep
from app.kit.errors import BadRequest, ErrorDetail, UnsupportedMediaType, body_errors
from app.models import AudienceStatus, AudienceType

# ASCII digits only: str.isdigit() also takes "²", which int() refuses.
INTEGER = re.compile(r"-?[0-9]+")
router = APIRouter(tags=["manage-audience"])

BASE = "/v2/bot/audienceGroup"
EMPTY: dict[str, Any] = {}
CreateRoute = Literal["OA_MANAGER", "MESSAGING_API", "POINT_AD", "AD_MANAGER"]
GroupId = Annotated[int, Path(alias="audienceGroupId")]
Page = Annotated[int, Query(ge=1)]
Size = Annotated[int, Query(ge=1, le=40)]
Description = Annotated[str | None, Query()]
Status = Annotated[AudienceStatus | None, Query()]
Route = Annotated[CreateRoute | None, Query(alias="createRoute")]


async def get_audience_service(channel: ChannelDep, uow: UowDep) -> AudienceService:
    return AudienceService(uow, channel)


AudiencesDep = Annotated[AudienceService, Depends(get_audience_service)]


# --- by JSON ----------------------------------------------------------------------------------


@router.post(
    f"{BASE}/upload",
    status_code=202,
    response_model=CreatedAudienceResponse,
    response_model_exclude_none=True,
)
async def create_audience_group(
    body: CreateAudienceGroupRequest, audiences: AudiencesDep
) -> CreatedAudienceResponse:
    ids = check_json_ids((a.id for a in body.audiences), body.is_ifa_audience)
    audience = await audiences.create_upload(
        body.description,
        is_ifa=body.is_ifa_audience,
        upload_description=body.upload_description,
        batches=one_batch(ids) if ids else None,
    )
    return audiences.created(audience)


@router.put(f"{BASE}/upload", status_code=202)
async def add_audience_to_audience_group(
    body: AddAudienceToAudienceGroupRequest, audiences: AudiencesDep
) -> dict[str, Any]:
    audience = await audiences.uploadable(body.audience_group_id)
    ids = check_json_ids((a.id for a in body.audiences), audience.is_ifa)
    await audiences.add(audience, body.upload_description, one_batch(ids))
    return EMPTY


# --- by file (multipart) ----------------------------------------------------------------------


class UploadForm:
    """The multipart fields. Starlette's parser spools the file to disk past 1 MB, so the
    file is read back a chunk at a time and never held whole in memory."""

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.errors: list[ErrorDetail] = []

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.form.get(name)
        if value is None or value == "":
            if required:
                self.errors.append(ErrorDetail("Must not be empty", name))
            return ""
        if not isinstance(value, str):
            self.errors.append(ErrorDetail("Must be text", name))
            return ""
        if max_length is not None and len(value) > max_length:
            self.errors.append(ErrorDetail(f"Size must be between 1 and {max_length}", name))
        return value

    def flag(self, name: str) -> bool:
        value = self.text(name).lower()
        if value not in ("", "true", "false"):
            self.errors.append(ErrorDetail("Must be true or false", name))
        return value == "true"

    def integer(self, name: str) -> int:
        value = self.text(name, required=True)
        if value and not INTEGER.fullmatch(value):
            self.errors.append(ErrorDetail("Must be an integer", name))
            return 0
        return int(value or 0)

    def file(self) -> UploadFile | None:
        value = self.form.get("file")
        if not isinstance(value, UploadFile):
            self.errors.append(ErrorDetail("Must not be empty", "file"))
            return None
        return value

    def check(self) -> None:
        if self.errors:
            raise body_errors(self.errors)


async def _read_form(request: Request) -> FormData:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType(
            f"The content type, {content_type or '(none)'}, is not supported"
        )
    try:
        return await request.form(max_files=1, max_fields=10)
    except MultiPartException as error:
        raise BadRequest(f"The request body could not be parsed: {error.message}") from error


def _require_ids(ids: FileIds) -> None:
    if ids.count == 0:
        raise BadRequest("The file holds no user IDs or IFAs", [ErrorDetail(NO_IDS, "file")])


@router.post(
    f"{BASE}/upload/byFile",
    status_code=202,
    response_model=CreatedAudienceResponse,
    response_model_exclude_none=True,
    tags=["manage-audience-blob"],
)
async def create_audience_for_uploading_user_ids(
    request: Request, audiences: AudiencesDep
) -> CreatedAudienceResponse:
    form = await _read_form(request)
    try:
        fields = UploadForm(form)
        description = fields.text("description", required=True, max_length=MAX_DESCRIPTION)
        is_ifa = fields.flag("isIfaAudience")
        upload_description = fields.text("uploadDescription") or None
        upload = fields.file()
        fields.check()
        assert upload is not None
        ids = FileIds(upload.read, is_ifa)
        audience = await audiences.create_upload(
            description,
            is_ifa=is_ifa,
            upload_description=upload_description,
            batches=ids.batches(),
        )
        _require_ids(ids)
        return audiences.created(audience)
    finally:
        await form.close()


@router.put(f"{BASE}/upload/byFile", status_code=202, tags=["manage-audience-blob"])
async def add_user_ids_to_audience(request: Request, audiences: AudiencesDep) -> dict[str, Any]:
    form = await _read_form(request)
    try:
        fields = UploadForm(form)
        group_id = fields.integer("audienceGroupId")
        upload_description = fields.text("uploadDescription") or None
        upload = fields.file()
        fields.check()
        assert upload is not None
        audience = await audiences.uploadable(group_id)
        ids = FileIds(upload.read, audience.is_ifa)
        await audiences.add(audience, upload_description, ids.batches())
        _require_ids(ids)
        return EMPTY
    finally:
        await form.close()


# --- from recorded engagement -----------------------------------------------------------------


@router.post(
    f"{BASE}/click",
    status_code=202,
    response_model=CreatedAudienceResponse,
    response_model_exclude_none=True,
)
async def create_click_based_audience_group(
    body: CreateClickBasedAudienceGroupRequest, audiences: AudiencesDep
) -> CreatedAudienceResponse:
    audience = await audiences.create_from_engagement(
        AudienceType.CLICK, body.description, body.request_id, body.click_url
    )
    return audiences.created(audience)


@router.post(
    f"{BASE}/imp",
    status_code=202,
    response_model=CreatedAudienceResponse,
    response_model_exclude_none=True,
)
async def create_imp_based_audience_group(
    body: CreateImpBasedAudienceGroupRequest, audiences: AudiencesDep
) -> CreatedAudienceResponse:
    audience = await audiences.create_from_engagement(
        AudienceType.IMP, body.description, body.request_id, None
    )
    return audiences.created(audience)


# --- reading and changing (literal paths before /{audienceGroupId}) ---------------------------


@router.get(f"{BASE}/list", response_model=AudienceGroupsResponse, response_model_exclude_none=True)
async def get_audience_groups(
    audiences: AudiencesDep,
    page: Page,
    description: Description = None,
    status: Status = None,
    size: Size = 20,
    includes_external_public_groups: Annotated[
        bool | None, Query(alias="includesExternalPublicGroups")
    ] = None,
    create_route: Route = None,
) -> AudienceGroupsResponse:
    # One Kizuna channel is one bot, so "all channels linked to the same bot" is this one.
    del includes_external_public_groups
    ours = create_route in (None, "MESSAGING_API")
    return await audiences.page(
        AudienceFilter(description, status), page, size, owned=ours, shared=False
    )


@router.get(
    f"{BASE}/shared/list",
    response_model=AudienceGroupsResponse,
    response_model_exclude_none=True,
)
async def get_shared_audience_groups(
    audiences: AudiencesDep,
    page: Page,
    description: Description = None,
    status: Status = None,
    size: Size = 20,
    create_route: Route = None,
    includes_owned_audience_groups: Annotated[
        bool, Query(alias="includesOwnedAudienceGroups")
    ] = False,
) -> AudienceGroupsResponse:
    ours = create_route in (None, "MESSAGING_API")
    return await audiences.page(
        AudienceFilter(description, status),
        page,
        size,
        owned=ours and includes_owned_audience_groups,
        shared=ours,
    )


@router.get(
    f"{BASE}/shared/{{audienceGroupId}}",
    response_model=SharedAudienceDataResponse,
    response_model_exclude_none=True,
)
async def get_shared_audience_data(
    group_id: GroupId, audiences: AudiencesDep
) -> SharedAudienceDataResponse:
    return await audiences.shared_data(group_id)


@router.put(f"{BASE}/{{audienceGroupId}}/updateDescription")
async def update_audience_group_description(
    group_id: GroupId, body: UpdateAudienceGroupDescriptionRequest, audiences: AudiencesDep
) -> dict[str, Any]:
    await audiences.rename(group_id, body.description)
    return EMPTY


@router.get(
    f"{BASE}/{{audienceGroupId}}",
    response_model=AudienceDataResponse,
    response_model_exclude_none=True,
)
async def get_audience_data(group_id: GroupId, audiences: AudiencesDep) -> AudienceDataResponse:
    return await audiences.data(group_id)


@router.delete(f"{BASE}/{{audienceGroupId}}")
async def delete_audience_group(group_id: GroupId, audiences: AudiencesDep) -> dict[str, Any]:
    await audiences.delete(group_id)
    return EMPTY
