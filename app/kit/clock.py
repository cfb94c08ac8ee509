from datetime import UTC, datetime, timedelta


class Clock:
    """The only source of "now" in Kizuna, so tests and the control plane can move time.

    The clock runs at wall-clock speed plus an offset; `advance` moves the offset forward.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    @property
    def offset(self) -> timedelta:
        return self._offset

    def reset(self) -> None:
        self._offset = timedelta(0)

    def set(self, at: datetime) -> datetime:
        """Jump to `at` (either way); for a fresh state, as time running backwards past
        recorded data would confuse what is counted per day."""
        self._offset = at - datetime.now(UTC)
        return self.now()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._offset += delta
        return self.now()


def iso_ms(at: datetime) -> str:
    """A time as the platform writes it in bodies: UTC, milliseconds, `Z`."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
