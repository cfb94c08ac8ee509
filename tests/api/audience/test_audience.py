"""manage-audience.yml through the official SDK: uploads, jobs, engagement audiences, lists,
sharing and the READY clock."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from linebot.v3 import audience as sdk
from linebot.v3.audience import (
    AddAudienceToAudienceGroupRequest,
    Audience,
    AudienceGroup,
    CreateAudienceGroupRequest,
    CreateAudienceGroupResponse,
    CreateClickBasedAudienceGroupRequest,
    CreateClickBasedAudienceGroupResponse,
    CreateImpBasedAudienceGroupRequest,
    CreateImpBasedAudienceGroupResponse,
    GetAudienceDataResponse,
    GetAudienceGroupsResponse,
    GetSharedAudienceDataResponse,
    GetSharedAudienceGroupsResponse,
    ManageAudience,
    ManageAudienceBlob,
    UpdateAudienceGroupDescriptionRequest,
)
from linebot.v3.audience.exceptions import ApiException
from linebot.v3.messaging import ApiClient, BroadcastRequest, MessagingApi, TextMessage

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def audience_config(base_url: str, token: str) -> sdk.Configuration:
    return sdk.Configuration(host=base_url, access_token=token)


@pytest.fixture
def apis(
    server: LiveServer, channel: ChannelInfo
) -> Iterator[tuple[ManageAudience, ManageAudienceBlob]]:
    with sdk.ApiClient(audience_config(server.base_url, channel.access_token)) as client:
        yield ManageAudience(client), ManageAudienceBlob(client)


def new_ids(count: int) -> list[str]:
    return [f"U{uuid.uuid4().hex}" for _ in range(count)]


def ids_file(tmp_path: Path, lines: list[str], name: str = "ids.txt") -> str:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\n")
    return str(path)


def error_of(caught: pytest.ExceptionInfo[ApiException]) -> tuple[int, set[str | None]]:
    import json

    body = json.loads(caught.value.body)
    return int(caught.value.status), {d.get("property") for d in body.get("details", [])}


def raw(
    server: LiveServer, channel: ChannelInfo, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {channel.access_token}", **kwargs.pop("headers", {})}
    return httpx.request(method, f"{server.base_url}{path}", headers=headers, **kwargs)


class TestUploadByJson:
    def test_create_add_rename_get_delete(
        self, apis: tuple[ManageAudience, ManageAudienceBlob]
    ) -> None:
        api, _ = apis
        first = new_ids(3)
        created = api.create_audience_group_with_http_info(
            CreateAudienceGroupRequest(
                description="VIP customers",
                upload_description="first.csv",
                audiences=[Audience(id=i) for i in first],
            )
        )
        assert created.status_code == 202
        body = created.data
        assert isinstance(body, CreateAudienceGroupResponse)
        assert (body.type, body.create_route, body.permission) == (
            "UPLOAD",
            "MESSAGING_API",
            "READ_WRITE",
        )
        assert body.is_ifa_audience is False
        assert body.expire_timestamp == body.created + 180 * 86400
        group_id = body.audience_group_id
        assert (
            api.add_audience_to_audience_group_with_http_info(
                AddAudienceToAudienceGroupRequest(
                    audience_group_id=group_id,
                    upload_description="second.csv",
                    audiences=[Audience(id=i) for i in [*new_ids(2), first[0]]],
                )
            ).status_code
            == 202
        )
        api.update_audience_group_description(
            group_id, UpdateAudienceGroupDescriptionRequest(description="VIP (renamed)")
        )
        data = api.get_audience_data(group_id)
        assert isinstance(data, GetAudienceDataResponse)
        group = data.audience_group
        assert isinstance(group, AudienceGroup)
        assert (group.status, group.audience_count, group.description) == (
            "READY",
            5,
            "VIP (renamed)",
        )
        assert [(j.description, j.job_status, j.audience_count) for j in data.jobs] == [
            ("second.csv", "FINISHED", 2),
            ("first.csv", "FINISHED", 3),
        ]
        assert len({j.audience_group_job_id for j in data.jobs}) == 2
        api.delete_audience_group(group_id)
        with pytest.raises(ApiException) as caught:
            api.get_audience_data(group_id)
        assert error_of(caught) == (400, {"audienceGroupId"})
        assert "AUDIENCE_GROUP_NOT_FOUND" in caught.value.body

    def test_an_empty_audience_has_no_job(
        self, apis: tuple[ManageAudience, ManageAudienceBlob]
    ) -> None:
        api, _ = apis
        created = api.create_audience_group(CreateAudienceGroupRequest(description="Empty"))
        data = api.get_audience_data(created.audience_group_id)
        assert (data.audience_group.audience_count, data.jobs) == (0, [])

    def test_bad_bodies_name_the_property(self, server: LiveServer, channel: ChannelInfo) -> None:
        path = "/v2/bot/audienceGroup/upload"
        cases: list[tuple[dict[str, Any], str]] = [
            ({"audiences": []}, "description"),
            ({"description": "x" * 121}, "description"),
            ({"description": "a\nb"}, "description"),
            (
                {"description": "ok", "audiences": [{"id": new_ids(1)[0]}, {"id": "nope"}]},
                "audiences[1].id",
            ),
            ({"description": "ok", "audiences": [{"id": i} for i in new_ids(10_001)]}, "audiences"),
            (
                {"description": "ok", "isIfaAudience": True, "audiences": [{"id": new_ids(1)[0]}]},
                "audiences[0].id",
            ),
        ]
        for body, prop in cases:
            response = raw(server, channel, "POST", path, json=body)
            assert response.status_code == 400, body
            assert [d.get("property") for d in response.json()["details"]] == [prop], (
                response.json()
            )
        response = raw(
            server,
            channel,
            "PUT",
            path,
            json={"audienceGroupId": 1, "audiences": [{"id": new_ids(1)[0]}]},
        )
        assert response.status_code == 400
        assert response.json()["details"] == [
            {"message": "AUDIENCE_GROUP_NOT_FOUND", "property": "audienceGroupId"}
        ]
        plain = raw(
            server, channel, "POST", path, content=b"x", headers={"Content-Type": "text/plain"}
        )
        assert plain.status_code == 415


class TestUploadByFile:
    def test_create_and_add_by_file_sync(
        self, apis: tuple[ManageAudience, ManageAudienceBlob], tmp_path: Path
    ) -> None:
        api, blob = apis
        ids = new_ids(250)
        # Blank lines, CRLF and a repeated id are all fine.
        path = ids_file(tmp_path, [*ids[:200], "", ids[0]])
        created = blob.create_audience_for_uploading_user_ids_with_http_info(
            file=path, description="From a file", upload_description="ids.txt"
        )
        assert created.status_code == 202
        assert isinstance(created.data, CreateAudienceGroupResponse)
        group_id = created.data.audience_group_id
        more = ids_file(tmp_path, ids[150:], "more.txt")
        added = blob.add_user_ids_to_audience_with_http_info(
            file=more, audience_group_id=group_id, upload_description="more.txt"
        )
        assert added.status_code == 202
        data = api.get_audience_data(group_id)
        assert data.audience_group.audience_count == 250
        assert [j.audience_count for j in data.jobs] == [50, 200]

    @pytest.mark.asyncio
    async def test_by_file_with_the_async_client(
        self, server: LiveServer, channel: ChannelInfo, tmp_path: Path
    ) -> None:
        config = audience_config(server.base_url, channel.access_token)
        async with sdk.AsyncApiClient(config) as client:
            blob, api = sdk.AsyncManageAudienceBlob(client), sdk.AsyncManageAudience(client)
            created = await blob.create_audience_for_uploading_user_ids(
                file=ids_file(tmp_path, new_ids(20)), description="Async file"
            )
            assert isinstance(created, CreateAudienceGroupResponse)
            # Adding by file takes the sync client: aiohttp refuses the int audienceGroupId
            # (and a bool isIfaAudience) as form values, whatever the server.
            with sdk.ApiClient(config) as sync_client:
                ManageAudienceBlob(sync_client).add_user_ids_to_audience(
                    file=ids_file(tmp_path, new_ids(5), "more.txt"),
                    audience_group_id=created.audience_group_id,
                    upload_description="more.txt",
                )
            data = await api.get_audience_data(created.audience_group_id)
            assert isinstance(data, GetAudienceDataResponse)
            assert data.audience_group.audience_count == 25
            assert data.jobs[0].description == "more.txt"

    def test_ifa_audience(
        self, apis: tuple[ManageAudience, ManageAudienceBlob], tmp_path: Path
    ) -> None:
        api, blob = apis
        ifas = [str(uuid.uuid4()).upper() for _ in range(20)]
        created = blob.create_audience_for_uploading_user_ids(
            file=ids_file(tmp_path, ifas), description="IFAs", is_ifa_audience=True
        )
        assert created.is_ifa_audience is True
        group = api.get_audience_data(created.audience_group_id).audience_group
        assert (group.audience_count, group.is_ifa_audience) == (20, True)
        with pytest.raises(ApiException) as caught:
            blob.add_user_ids_to_audience(
                file=ids_file(tmp_path, new_ids(1), "u.txt"),
                audience_group_id=created.audience_group_id,
            )
        assert error_of(caught) == (400, {"file"})

    def test_bad_files(
        self, apis: tuple[ManageAudience, ManageAudienceBlob], tmp_path: Path
    ) -> None:
        api, blob = apis
        with pytest.raises(ApiException) as caught:
            blob.create_audience_for_uploading_user_ids(
                file=ids_file(tmp_path, [*new_ids(3), "not-an-id"]), description="Bad"
            )
        assert error_of(caught) == (400, {"file"})
        assert "line 4" in caught.value.body
        with pytest.raises(ApiException) as caught:
            blob.create_audience_for_uploading_user_ids(
                file=ids_file(tmp_path, ["", ""], "empty.txt"), description="Empty"
            )
        assert error_of(caught) == (400, {"file"})
        # Neither refused upload left an audience behind.
        assert api.get_audience_groups(page=1).total_count == 0

    def test_bad_forms_name_the_field(
        self, server: LiveServer, channel: ChannelInfo, tmp_path: Path
    ) -> None:
        path = "/v2/bot/audienceGroup/upload/byFile"
        ids = ("ids.txt", new_ids(1)[0].encode(), "text/plain")
        cases: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
            ("POST", {"description": "x" * 121}, {"file": ids}, "description"),
            (
                "POST",
                {"description": "ok", "isIfaAudience": "maybe"},
                {"file": ids},
                "isIfaAudience",
            ),
            ("POST", {"description": "ok"}, {}, "file"),
            ("PUT", {}, {"file": ids}, "audienceGroupId"),
            ("PUT", {"audienceGroupId": "12"}, {"file": ids}, "audienceGroupId"),
            # Digits to str.isdigit() but not to int(): once a 500.
            ("PUT", {"audienceGroupId": "²"}, {"file": ids}, "audienceGroupId"),
            ("PUT", {"audienceGroupId": "--5"}, {"file": ids}, "audienceGroupId"),
            # One endless line is refused, not gathered in memory.
            (
                "POST",
                {"description": "ok"},
                {"file": ("x.txt", b"U" * 300_000, "text/plain")},
                "file",
            ),
        ]
        for method, data, files, prop in cases:
            response = raw(
                server, channel, method, path, data=data, files=files or {"x": ("", b"")}
            )
            assert response.status_code == 400, (data, response.text)
            assert [d.get("property") for d in response.json()["details"]] == [prop], (
                response.json()
            )
        assert raw(server, channel, "POST", path, json={"description": "x"}).status_code == 415


class TestEngagementAudiences:
    def _broadcast_and_engage(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> tuple[str, list[str], list[str], list[str]]:
        """Broadcast to 8 friends; 5 open it, 3 click a URL (2 of them the shop one)."""
        friends = [control.user(f"F{i}") for i in range(8)]
        for user_id in friends:
            control.follow(channel, user_id)
        text = "Sale! https://example.com/shop and https://example.com/faq"
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            sent = MessagingApi(client).broadcast_with_http_info(
                BroadcastRequest(messages=[TextMessage(text=text)])
            )
        request_id = str(sent.headers["X-Line-Request-Id"])
        control.wait_for_jobs()
        base = f"/_kizuna/channels/{channel.channel_id}/users"
        opened, shop, faq = friends[:5], friends[:2], friends[2:3]
        for user_id in friends[:5]:
            message_id = control.inbox(channel, user_id)[0]["messageId"]
            assert control.http.post(f"{base}/{user_id}/inbox/{message_id}/open").status_code == 201
        for users, url in ((shop, "https://example.com/shop"), (faq, "https://example.com/faq")):
            for user_id in users:
                message_id = control.inbox(channel, user_id)[0]["messageId"]
                response = control.http.post(
                    f"{base}/{user_id}/inbox/{message_id}/click", json={"url": url}
                )
                assert response.status_code == 201
        return request_id, opened, shop, faq

    def test_click_and_impression_audiences(
        self,
        apis: tuple[ManageAudience, ManageAudienceBlob],
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
    ) -> None:
        api, _ = apis
        request_id, opened, shop, faq = self._broadcast_and_engage(server, control, channel)
        imp = api.create_imp_based_audience_group_with_http_info(
            CreateImpBasedAudienceGroupRequest(description="Opened", request_id=request_id)
        )
        assert imp.status_code == 202
        assert isinstance(imp.data, CreateImpBasedAudienceGroupResponse)
        assert (imp.data.type, imp.data.request_id) == ("IMP", request_id)
        any_click = api.create_click_based_audience_group(
            CreateClickBasedAudienceGroupRequest(description="Clicked", request_id=request_id)
        )
        assert isinstance(any_click, CreateClickBasedAudienceGroupResponse)
        shop_click = api.create_click_based_audience_group(
            CreateClickBasedAudienceGroupRequest(
                description="Clicked shop",
                request_id=request_id,
                click_url="https://example.com/shop",
            )
        )
        assert shop_click.click_url == "https://example.com/shop"
        counts = {
            created.audience_group_id: api.get_audience_data(
                created.audience_group_id
            ).audience_group.audience_count
            for created in (imp.data, any_click, shop_click)
        }
        assert list(counts.values()) == [len(opened), len(shop) + len(faq), len(shop)]
        shown = api.get_audience_data(shop_click.audience_group_id)
        assert (shown.audience_group.type, shown.audience_group.click_url, shown.jobs) == (
            "CLICK",
            "https://example.com/shop",
            [],
        )
        with pytest.raises(ApiException) as caught:
            api.create_imp_based_audience_group(
                CreateImpBasedAudienceGroupRequest(description="Again", request_id=request_id)
            )
        assert error_of(caught) == (400, {"requestId"})
        with pytest.raises(ApiException) as caught:
            api.create_imp_based_audience_group(
                CreateImpBasedAudienceGroupRequest(description="Nope", request_id=str(uuid.uuid4()))
            )
        assert error_of(caught) == (400, {"requestId"})
        nobody = api.create_click_based_audience_group(
            CreateClickBasedAudienceGroupRequest(
                description="Nobody", request_id=request_id, click_url="https://example.com/none"
            )
        )
        group = api.get_audience_data(nobody.audience_group_id).audience_group
        assert (group.status, group.failed_type) == (
            "FAILED",
            "AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT",
        )


class TestListAndShare:
    @pytest.mark.asyncio
    async def test_filters_and_paging_async(self, server: LiveServer, channel: ChannelInfo) -> None:
        async with sdk.AsyncApiClient(
            audience_config(server.base_url, channel.access_token)
        ) as client:
            api = sdk.AsyncManageAudience(client)
            for name in ("Spring sale", "SPRING promo", "Autumn", "Winter", "spring break"):
                await api.create_audience_group(CreateAudienceGroupRequest(description=name))
            first = await api.get_audience_groups(page=1, size=2)
            assert isinstance(first, GetAudienceGroupsResponse)
            assert (first.total_count, first.has_next_page, first.size, first.page) == (
                5,
                True,
                2,
                1,
            )
            assert first.read_write_audience_group_total_count == 5
            assert [g.description for g in first.audience_groups] == ["spring break", "Winter"]
            last = await api.get_audience_groups(page=3, size=2)
            assert (len(last.audience_groups), last.has_next_page) == (1, False)
            spring = await api.get_audience_groups(page=1, description="spring")
            assert {g.description for g in spring.audience_groups} == {
                "Spring sale",
                "SPRING promo",
                "spring break",
            }
            ready = await api.get_audience_groups(
                page=1, status="READY", create_route="MESSAGING_API"
            )
            assert ready.total_count == 5
            assert (await api.get_audience_groups(page=1, status="EXPIRED")).total_count == 0
            assert (
                await api.get_audience_groups(page=1, create_route="OA_MANAGER")
            ).total_count == 0

    def test_bad_queries_name_the_parameter(self, server: LiveServer, channel: ChannelInfo) -> None:
        for query, prop in (({}, "page"), ({"page": 0}, "page"), ({"page": 1, "size": 41}, "size")):
            response = raw(server, channel, "GET", "/v2/bot/audienceGroup/list", params=query)
            assert response.status_code == 400
            assert [d.get("property") for d in response.json()["details"]] == [prop]

    def test_shared_audiences(
        self,
        apis: tuple[ManageAudience, ManageAudienceBlob],
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
    ) -> None:
        owner_api, _ = apis
        other = control.channel("Partner")
        shared = owner_api.create_audience_group(
            CreateAudienceGroupRequest(
                description="Shared VIPs", audiences=[Audience(id=i) for i in new_ids(4)]
            )
        )
        path = f"/_kizuna/channels/{channel.channel_id}/audiences/{shared.audience_group_id}/shares"
        assert control.http.post(path, json={"channelId": other.channel_id}).status_code == 201
        with sdk.ApiClient(audience_config(server.base_url, other.access_token)) as client:
            api = ManageAudience(client)
            api.create_audience_group(CreateAudienceGroupRequest(description="Own"))
            only_shared = api.get_shared_audience_groups(page=1)
            assert isinstance(only_shared, GetSharedAudienceGroupsResponse)
            assert [(g.description, g.permission) for g in only_shared.audience_groups] == [
                ("Shared VIPs", "READ")
            ]
            assert only_shared.read_write_audience_group_total_count == 0
            both = api.get_shared_audience_groups(page=1, includes_owned_audience_groups=True)
            assert (both.total_count, both.read_write_audience_group_total_count) == (2, 1)
            data = api.get_shared_audience_data(shared.audience_group_id)
            assert isinstance(data, GetSharedAudienceDataResponse)
            assert data.owner is not None and data.owner.id == channel.channel_id
            assert data.audience_group.audience_count == 4
            # Only its owner reads it as its own, renames or deletes it.
            with pytest.raises(ApiException) as caught:
                api.delete_audience_group(shared.audience_group_id)
            assert error_of(caught) == (400, {"audienceGroupId"})
            assert api.get_audience_groups(page=1).total_count == 1


class TestReadyFollowsTheClock:
    @pytest.fixture
    def slow(self, server: LiveServer) -> Iterator[None]:
        settings = server.services.settings
        settings.audience_ready_seconds = 600
        yield
        settings.audience_ready_seconds = 0

    def test_in_progress_until_the_clock_passes(
        self,
        slow: None,
        apis: tuple[ManageAudience, ManageAudienceBlob],
        server: LiveServer,
        channel: ChannelInfo,
    ) -> None:
        api, _ = apis
        created = api.create_audience_group(
            CreateAudienceGroupRequest(
                description="Slow", audiences=[Audience(id=i) for i in new_ids(2)]
            )
        )
        group_id = created.audience_group_id
        data = api.get_audience_data(group_id)
        assert (data.audience_group.status, data.jobs[0].job_status) == ("IN_PROGRESS", "WORKING")
        narrowcast = raw(
            server,
            channel,
            "POST",
            "/v2/bot/message/narrowcast",
            json={
                "messages": [{"type": "text", "text": "x"}],
                "recipient": {"type": "audience", "audienceGroupId": group_id},
            },
        )
        assert narrowcast.status_code == 400
        assert narrowcast.json()["message"] == f"Invalid audience group id: {group_id}"
        # Ten unfinished jobs at most (one is running already).
        for _ in range(9):
            api.add_audience_to_audience_group(
                AddAudienceToAudienceGroupRequest(
                    audience_group_id=group_id, audiences=[Audience(id=new_ids(1)[0])]
                )
            )
        with pytest.raises(ApiException) as caught:
            api.add_audience_to_audience_group(
                AddAudienceToAudienceGroupRequest(
                    audience_group_id=group_id, audiences=[Audience(id=new_ids(1)[0])]
                )
            )
        assert error_of(caught) == (429, {"audienceGroupId"})
        server.services.clock.advance(timedelta(seconds=600))
        data = api.get_audience_data(group_id)
        assert data.audience_group.status == "READY"
        assert {j.job_status for j in data.jobs} == {"FINISHED"}
        assert data.audience_group.audience_count == 11
        server.services.clock.advance(timedelta(days=180))
        assert api.get_audience_data(group_id).audience_group.status == "EXPIRED"
        with pytest.raises(ApiException) as caught:
            api.add_audience_to_audience_group(
                AddAudienceToAudienceGroupRequest(
                    audience_group_id=group_id, audiences=[Audience(id=new_ids(1)[0])]
                )
            )
        assert error_of(caught) == (400, {"audienceGroupId"})
