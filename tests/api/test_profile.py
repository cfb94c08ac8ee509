import httpx
import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    GetFollowersResponse,
    MessagingApi,
    UserProfileResponse,
)
from linebot.v3.messaging.exceptions import NotFoundException

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


class TestGetProfile:
    def test_a_friend_has_a_profile(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user(
            "Alice",
            language="ja",
            statusMessage="こんにちは 🌸",
            pictureUrl="https://example.com/alice.png",
        )
        control.follow(channel, alice)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            profile = MessagingApi(client).get_profile(alice)
        assert isinstance(profile, UserProfileResponse)
        assert (profile.user_id, profile.display_name, profile.language) == (alice, "Alice", "ja")
        assert profile.status_message == "こんにちは 🌸"
        assert profile.picture_url == "https://example.com/alice.png"

    def test_strangers_blocked_users_and_unknown_ids_are_not_found(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        stranger, blocker = control.user("Stranger"), control.user("Blocker")
        control.follow(channel, blocker)
        control.unfollow(channel, blocker)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            for user_id in (stranger, blocker, "U" + "0" * 32):
                with pytest.raises(NotFoundException) as caught:
                    api.get_profile(user_id)
                assert caught.value.status == 404

    def test_a_friend_of_another_channel_is_not_found(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        other = control.channel("Other")
        alice = control.user("Alice")
        control.follow(other, alice)
        response = httpx.get(
            f"{server.base_url}/v2/bot/profile/{alice}",
            headers={"Authorization": f"Bearer {channel.access_token}"},
        )
        assert (response.status_code, response.json()) == (404, {"message": "Not found"})

    @pytest.mark.asyncio
    async def test_async_client(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            profile = await AsyncMessagingApi(client).get_profile(alice)
        assert profile.display_name == "Alice"
        assert profile.language is None and profile.status_message is None


class TestGetFollowers:
    def test_pages_through_every_follower_once(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 750, seed=11)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            first = api.get_followers()
            assert isinstance(first, GetFollowersResponse)
            assert len(first.user_ids) == 300 and first.next
            seen = list(first.user_ids)
            start = first.next
            while start:
                page = api.get_followers(start=start, limit=1000)
                seen += page.user_ids
                start = page.next
        assert len(seen) == 750 == len(set(seen))
        assert all(user_id.startswith("U") and len(user_id) == 33 for user_id in seen)

    def test_only_current_friends_of_this_channel(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        other = control.channel("Other")
        friends = [control.user(f"Friend {i}") for i in range(4)]
        for user_id in friends:
            control.follow(channel, user_id)
        control.unfollow(channel, friends[1])
        outsider = control.user("Outsider")
        control.follow(other, outsider)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            page = MessagingApi(client).get_followers(limit=1000)
        assert page.user_ids == [friends[0], friends[2], friends[3]]
        assert page.next is None

    def test_exact_page_boundary_has_no_next(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        for i in range(3):
            control.follow(channel, control.user(f"F{i}"))
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            page = MessagingApi(client).get_followers(limit=3)
        assert len(page.user_ids) == 3 and page.next is None

    @pytest.mark.asyncio
    async def test_async_client(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 5, seed=1)
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            page = await AsyncMessagingApi(client).get_followers(limit=2)
            rest = await AsyncMessagingApi(client).get_followers(start=page.next)
        assert len(page.user_ids) == 2 and len(rest.user_ids) == 3 and rest.next is None

    @pytest.mark.parametrize(
        ("query", "prop"),
        [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit")],
    )
    def test_bad_limit(
        self, server: LiveServer, channel: ChannelInfo, query: str, prop: str
    ) -> None:
        response = httpx.get(
            f"{server.base_url}/v2/bot/followers/ids?{query}",
            headers={"Authorization": f"Bearer {channel.access_token}"},
        )
        assert response.status_code == 400
        assert response.json()["details"][0]["property"] == prop

    def test_bad_start(self, server: LiveServer, channel: ChannelInfo) -> None:
        response = httpx.get(
            f"{server.base_url}/v2/bot/followers/ids?start=not-a-cursor",
            headers={"Authorization": f"Bearer {channel.access_token}"},
        )
        assert response.status_code == 400
        assert "start" in response.json()["message"]
