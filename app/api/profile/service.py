import base64
import binascii

from sqlalchemy.ext.asyncio import AsyncSession

from app.control.users.repository import UserRepository
from app.kit.errors import BadRequest, NotFound
from app.models import Channel, User

_CURSOR_PREFIX = "kizuna-followers:"


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{key}".encode()).decode().rstrip("=")


def decode_cursor(start: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(start + "=" * (-len(start) % 4)).decode()
        if raw.startswith(_CURSOR_PREFIX):
            key = int(raw[len(_CURSOR_PREFIX) :])
            if 0 <= key < 2**63:  # a database key; larger would overflow the query
                return key
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadRequest("Invalid start param")


class ProfileService:
    def __init__(self, session: AsyncSession) -> None:
        self.users = UserRepository(session)

    async def profile(self, channel: Channel, user_id: str) -> User:
        user = await self.users.friend(channel.id, user_id)
        if user is None:
            raise NotFound()
        return user

    async def followers(
        self, channel: Channel, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        after = decode_cursor(start) if start else 0
        # One row past the page tells whether a `next` is due.
        rows = await self.users.follower_page(channel.id, after, limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return [user_id for _, user_id in page], encode_cursor(page[-1][0]) if more else None
