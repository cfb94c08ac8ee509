"""The chat as the bot drives it: loading animation, read marks and link tokens."""

import secrets
import string
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import Clock
from app.kit.errors import BadRequest, ErrorDetail, body_errors
from app.models import Channel, Friendship, FriendshipStatus, LinkToken, User, UserMessage

LINK_TOKEN_TTL = timedelta(minutes=10)
LINK_TOKEN_ALPHABET = string.ascii_letters + string.digits
NOT_A_FRIEND = "The user has not added the LINE Official Account as a friend"
INVALID_READ_TOKEN = "Invalid markAsReadToken"


def new_link_token() -> str:
    # The platform's tokens are 32 alphanumerics (see the reference's example).
    return "".join(secrets.choice(LINK_TOKEN_ALPHABET) for _ in range(32))


def _rowcount(result: object) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def one_to_one(channel_pk: int, user_pk: int) -> tuple[ColumnElement[bool], ...]:
    """The user's own messages in their one-on-one chat with the account."""
    return (
        UserMessage.channel_pk == channel_pk,
        UserMessage.user_pk == user_pk,
        UserMessage.group_pk.is_(None),
        UserMessage.room_pk.is_(None),
    )


class ChatService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def start_loading(self, channel: Channel, chat_id: str, seconds: int) -> None:
        """Shows the animation in the friend's one-on-one chat; a second call while it shows
        restarts the countdown with the new length, as on the platform."""
        now = self.clock.now()
        user_pk = select(User.id).where(User.user_id == chat_id).scalar_subquery()
        # One statement: the endpoint allows 100 calls a second per channel.
        result = await self.session.execute(
            update(Friendship)
            .where(
                Friendship.channel_pk == channel.id,
                Friendship.user_pk == user_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
            )
            .values(loading_started_at=now, loading_until=now + timedelta(seconds=seconds))
        )
        if _rowcount(result) != 1:
            # Groups and rooms are not supported by the platform either: only users are chats.
            raise body_errors([ErrorDetail(NOT_A_FRIEND, "chatId")])

    async def mark_read(self, channel: Channel, user_id: str) -> None:
        """Every message the user sent in their one-on-one chat with the account is read."""
        user_pk = await self.session.scalar(select(User.id).where(User.user_id == user_id))
        if user_pk is None:
            raise body_errors([ErrorDetail("Unknown user", "chat.userId")])
        await self._mark(channel.id, user_pk, None, self.clock.now())

    async def mark_read_by_token(self, channel: Channel, token: str) -> None:
        """The message the token came with and every earlier one of that chat are read."""
        row = (
            await self.session.execute(
                select(UserMessage.id, UserMessage.user_pk).where(
                    UserMessage.mark_as_read_token == token,
                    # Tokens must be used by the bot that received them (the spec's wording).
                    UserMessage.channel_pk == channel.id,
                )
            )
        ).first()
        if row is None:
            raise BadRequest(INVALID_READ_TOKEN)
        await self._mark(channel.id, int(row[1]), int(row[0]), self.clock.now())

    async def _mark(self, channel_pk: int, user_pk: int, up_to: int | None, now: datetime) -> None:
        query = (
            update(UserMessage)
            .where(*one_to_one(channel_pk, user_pk), UserMessage.read_at.is_(None))
            .values(read_at=now)
        )
        if up_to is not None:
            query = query.where(UserMessage.id <= up_to)
        await self.session.execute(query)

    async def issue_link_token(self, channel: Channel, user_id: str) -> str:
        """A link token for a friend: valid 10 minutes, used once (when the user links)."""
        user_pk = await self.session.scalar(
            select(User.id)
            .join(Friendship, Friendship.user_pk == User.id)
            .where(
                User.user_id == user_id,
                Friendship.channel_pk == channel.id,
                Friendship.status == FriendshipStatus.FOLLOWING,
            )
        )
        if user_pk is None:
            # The docs require the user to have the account as a friend; the spec lists only
            # 200, so refusing is a 400 (a 404 would be a documented-nowhere NotFoundException).
            raise BadRequest(NOT_A_FRIEND)
        now = self.clock.now()
        token = LinkToken(
            token=new_link_token(),
            channel_pk=channel.id,
            user_pk=user_pk,
            issued_at=now,
            expires_at=now + LINK_TOKEN_TTL,
        )
        self.session.add(token)
        await self.session.flush()
        return token.token
