import random
import secrets
import string

from ulid import ULID


class IdFactory:
    """Makes ids that look like the platform's.

    With a seed the sequence repeats run after run (tests, demos); without one it comes from
    the operating system's randomness.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._random: random.Random = (
            random.Random(seed) if seed is not None else secrets.SystemRandom()
        )

    def _hex(self, length: int) -> str:
        return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def _digits(self, length: int) -> str:
        return str(self._random.randint(1, 9)) + "".join(
            self._random.choice(string.digits) for _ in range(length - 1)
        )

    def user_id(self) -> str:
        return "U" + self._hex(32)

    def group_id(self) -> str:
        return "C" + self._hex(32)

    def room_id(self) -> str:
        return "R" + self._hex(32)

    def rich_menu_id(self) -> str:
        return "richmenu-" + self._hex(32)

    def channel_id(self) -> str:
        return self._digits(10)

    def channel_secret(self) -> str:
        return self._hex(32)

    def basic_id(self) -> str:
        letters = "".join(self._random.choice(string.ascii_lowercase) for _ in range(5))
        return f"@{self._random.randint(100, 999)}{letters}"

    def pick(self, count: int) -> int:
        """An index below `count`, from the same (seeded or system) randomness."""
        return self._random.randrange(count)

    def message_id(self) -> str:
        return self._digits(18)

    def opaque(self, nbytes: int = 32) -> str:
        """URL-safe random text for access tokens and other bearer secrets."""
        alphabet = string.ascii_letters + string.digits + "+/"
        return "".join(self._random.choice(alphabet) for _ in range(nbytes * 4 // 3)) + "="

    def webhook_event_id(self, at_ms: int) -> str:
        """A ULID: the event's time in milliseconds, then 80 random bits."""
        return str(ULID.from_bytes(at_ms.to_bytes(6, "big") + self._random.randbytes(10)))

    def key_id(self) -> str:
        alphabet = string.ascii_letters + string.digits + "-_"
        return "".join(self._random.choice(alphabet) for _ in range(22))
