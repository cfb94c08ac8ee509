import hashlib
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.control.users.population import COUNTRY_MIX, SUBSCRIPTION_SPREAD_SECONDS
from app.models import Friendship, FriendshipEvent, User
from tests.support.control import ChannelInfo, Control


class TestCreateUser:
    def test_profile_and_attributes(self, control: Control) -> None:
        response = control.http.post(
            "/_kizuna/users",
            json={
                "displayName": "Alice",
                "gender": "female",
                "age": 34,
                "area": "jp_13",
                "appType": "ios",
                "language": "ja",
            },
        )
        assert response.status_code == 201
        body = response.json()
        assert body["userId"].startswith("U") and len(body["userId"]) == 33
        assert control.http.get(f"/_kizuna/users/{body['userId']}").json() == body

    def test_a_language_tag_longer_than_its_column_is_refused(self, control: Control) -> None:
        long_tag = "en-" + "-".join(["abcdefgh"] * 2)  # 20 characters, a well-formed tag
        response = control.http.post(
            "/_kizuna/users", json={"displayName": "Alice", "language": long_tag}
        )
        assert response.status_code == 400, response.text
        assert [d["property"] for d in response.json()["details"]] == ["language"]

    def test_unknown_user(self, control: Control) -> None:
        response = control.http.get("/_kizuna/users/U" + "0" * 32)
        assert response.status_code == 404


class TestFriendship:
    def test_follow_block_and_unblock(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        first = control.follow(channel, alice)
        assert (first["status"], first["isUnblocked"], first["changed"]) == (
            "following",
            False,
            True,
        )
        again = control.follow(channel, alice)
        assert (again["changed"], again["followedAt"]) == (False, first["followedAt"])

        blocked = control.unfollow(channel, alice)
        assert (blocked["status"], blocked["changed"]) == ("blocked", True)
        assert blocked["blockedAt"]
        assert control.unfollow(channel, alice)["changed"] is False

        back = control.follow(channel, alice)
        assert (back["status"], back["isUnblocked"], back["changed"]) == (
            "following",
            True,
            True,
        )
        assert back["followedAt"] == first["followedAt"]
        assert back["since"] > first["since"]

    def test_blocking_a_stranger_is_a_conflict(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        stranger = control.user("Stranger")
        path = f"/_kizuna/channels/{channel.channel_id}/users/{stranger}/unfollow"
        assert control.http.post(path).status_code == 409

    @pytest.mark.asyncio
    async def test_history_is_recorded(
        self,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        control.unfollow(channel, alice)
        control.follow(channel, alice)
        async with session_maker() as session:
            kinds = (
                await session.scalars(
                    select(FriendshipEvent.kind)
                    .join(User, User.id == FriendshipEvent.user_pk)
                    .where(User.user_id == alice)
                    .order_by(FriendshipEvent.id)
                )
            ).all()
        assert [k.value for k in kinds] == ["follow", "block", "unblock"]


def expected_user(seed: int, position: int) -> dict[str, object]:
    """The population's rules, written again in Python from the md5 the user id is made of."""
    digest = hashlib.md5(f"{seed}:{position}".encode()).hexdigest()
    piece = [int(digest[i : i + 4], 16) for i in range(0, 32, 4)]
    gender = "male" if piece[0] % 100 < 48 else "female" if piece[0] % 100 < 96 else None
    age = None if piece[1] % 20 == 0 else 13 + (piece[1] // 20) % 62
    threshold = 0
    area = language = None
    for code, regions, lang, share in COUNTRY_MIX:
        threshold += share
        if piece[2] % 100 < threshold:
            area, language = f"{code}_{1 + piece[3] % regions:02d}", lang
            break
    app_type = "ios" if piece[4] % 100 < 55 else "android"
    return {
        "user_id": "U" + digest,
        "gender": gender,
        "age": age,
        "area": area,
        "language": language,
        "app": app_type,
        "friend_for": int(digest[20:28], 16) % SUBSCRIPTION_SPREAD_SECONDS,
    }


class TestBulkFriends:
    @pytest.mark.asyncio
    async def test_population_follows_the_seed(
        self,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        result = control.bulk(channel, 2000, seed=42)
        assert result == {"channelId": channel.channel_id, "created": 2000, "seed": 42}
        async with session_maker() as session:
            users = (await session.scalars(select(User).order_by(User.id))).all()
            friends = (await session.scalars(select(Friendship).order_by(Friendship.id))).all()
            events = await session.scalar(select(func.count()).select_from(FriendshipEvent))
        assert len(users) == len(friends) == events == 2000
        now = datetime.now(UTC)
        for position, (user, friendship) in enumerate(zip(users, friends, strict=True), start=1):
            expected = expected_user(42, position)
            friend_for = (now - friendship.since).total_seconds()
            actual = {
                "user_id": user.user_id,
                "gender": user.gender.value if user.gender else None,
                "age": user.age,
                "area": user.area,
                "language": user.language,
                "app": user.app_type.value if user.app_type else None,
                # seconds are truncated on SQLite, and the test runs a moment after seeding
                "friend_for": expected["friend_for"]
                if abs(friend_for - float(str(expected["friend_for"]))) < 60
                else friend_for,
            }
            assert actual == expected, position
        genders = Counter(u.gender.value if u.gender else None for u in users)
        assert 850 < genders["male"] < 1070 and 850 < genders["female"] < 1070
        newest = max(f.since for f in friends)
        oldest = min(f.since for f in friends)
        assert (newest - oldest).total_seconds() > SUBSCRIPTION_SPREAD_SECONDS * 0.9
        assert all(f.status.value == "following" and f.followed_at == f.since for f in friends)

    def test_same_seed_same_population_after_reset(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        def population() -> list[str]:
            ids, start = [], None
            while True:
                query = {"limit": 1000, **({"start": start} if start else {})}
                page = control.http.get(
                    "/v2/bot/followers/ids",
                    params=query,
                    headers={"Authorization": f"Bearer {channel_now.access_token}"},
                ).json()
                ids += page["userIds"]
                start = page.get("next")
                if not start:
                    return ids

        channel_now = channel
        control.bulk(channel_now, 1500, seed=7)
        first = population()
        control.reset()
        channel_now = control.channel()
        control.bulk(channel_now, 1500, seed=7)
        assert population() == first
        control.bulk(channel_now, 10, seed=7)
        assert len(set(population())) == 1510

    def test_limits(self, control: Control, channel: ChannelInfo) -> None:
        path = f"/_kizuna/channels/{channel.channel_id}/users/bulk"
        for body in ({"count": 0}, {"count": 5_000_001}, {"count": 5, "seed": -1}):
            response = control.http.post(path, json=body)
            assert response.status_code == 400, body
        assert (
            control.http.post(
                "/_kizuna/channels/0000000000/users/bulk", json={"count": 1}
            ).status_code
            == 404
        )
