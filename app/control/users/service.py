import hashlib
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.control.users.repository import UserRepository
from app.kit.clock import Clock
from app.kit.errors import Conflict, NotFound
from app.kit.ids import IdFactory
from app.models import (
    AppType,
    Channel,
    Friendship,
    FriendshipEventKind,
    FriendshipStatus,
    Gender,
    User,
)


@dataclass(frozen=True)
class FollowResult:
    friendship: Friendship
    is_unblocked: bool
    changed: bool


def phone_hash(phone_number: str) -> str:
    """How the platform names a phone number in a LINE notification message's `to`."""
    return hashlib.sha256(phone_number.encode()).hexdigest()


class UserService:
    def __init__(self, session: AsyncSession, clock: Clock, ids: IdFactory) -> None:
        self.users = UserRepository(session)
        self.clock = clock
        self.ids = ids

    async def create(
        self,
        display_name: str,
        *,
        picture_url: str | None = None,
        status_message: str | None = None,
        language: str | None = None,
        gender: Gender | None = None,
        age: int | None = None,
        area: str | None = None,
        app_type: AppType | None = None,
        phone_number: str | None = None,
    ) -> User:
        if phone_number and await self.users.by_phone_hash(phone_hash(phone_number)):
            raise Conflict(f"Another user has the phone number {phone_number}")
        return await self.users.add(
            User(
                user_id=self.ids.user_id(),
                display_name=display_name,
                picture_url=picture_url,
                status_message=status_message,
                language=language,
                gender=gender,
                age=age,
                area=area,
                app_type=app_type,
                phone_number=phone_number,
                phone_hash=phone_hash(phone_number) if phone_number else None,
                created_at=self.clock.now(),
            )
        )

    async def get(self, user_id: str) -> User:
        user = await self.users.get_by_user_id(user_id)
        if user is None:
            raise NotFound(f"User {user_id} not found")
        return user

    async def follow(self, channel: Channel, user: User) -> FollowResult:
        """The user adds the account as a friend, or unblocks it."""
        now = self.clock.now()
        # Conditional writes, so concurrent follows change the friendship once: one follow
        # event, one greeting.
        if await self.users.add_friendship(channel.id, user.id, now):
            friendship = await self.users.fresh_friendship(channel.id, user.id)
            await self.users.record_event(channel.id, user.id, FriendshipEventKind.FOLLOW, now)
            return FollowResult(friendship, is_unblocked=False, changed=True)
        if await self.users.unblock(channel.id, user.id, now):
            friendship = await self.users.fresh_friendship(channel.id, user.id)
            await self.users.record_event(channel.id, user.id, FriendshipEventKind.UNBLOCK, now)
            return FollowResult(friendship, is_unblocked=True, changed=True)
        friendship = await self.users.fresh_friendship(channel.id, user.id)
        return FollowResult(friendship, is_unblocked=False, changed=False)

    async def block(self, channel: Channel, user: User) -> tuple[Friendship, bool]:
        """The user blocks the account; answers the friendship and whether it changed."""
        friendship = await self.users.friendship(channel.id, user.id)
        if friendship is None:
            raise Conflict(f"User {user.user_id} has not added channel {channel.channel_id}")
        if friendship.status == FriendshipStatus.BLOCKED:
            return friendship, False
        now = self.clock.now()
        friendship.status = FriendshipStatus.BLOCKED
        friendship.blocked_at = now
        await self.users.record_event(channel.id, user.id, FriendshipEventKind.BLOCK, now)
        return friendship, True

    async def seed_friends(self, channel: Channel, count: int, seed: int | None) -> int:
        seed = seed if seed is not None else int(self.ids.message_id()[:9])
        await self.users.seed_friends(channel.id, count, seed, self.clock.now())
        return seed
