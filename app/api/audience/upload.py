"""Reading uploaded user IDs and IFAs: checked one by one, handed on in batches."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from app.kit.errors import BadRequest, ErrorDetail

USER_ID = re.compile(r"U[0-9a-f]{32}")
IFA = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
MAX_FILE_IDS = 1_500_000
BATCH = 10_000
CHUNK = 1 << 20
INVALID_ID = "UPLOAD_AUDIENCE_GROUP_INVALID_AUDIENCE_ID_FORMAT"
TOO_MANY_IDS = "UPLOAD_AUDIENCE_GROUP_TOO_MANY_AUDIENCE_IDS"
NO_IDS = "UPLOAD_AUDIENCE_GROUP_NO_VALID_AUDIENCE_IDS"


def id_pattern(is_ifa: bool) -> re.Pattern[str]:
    return IFA if is_ifa else USER_ID


def check_json_ids(ids: Iterable[str], is_ifa: bool) -> list[str]:
    """The ids of a JSON body, or a 400 naming every bad `audiences[i].id`."""
    pattern = id_pattern(is_ifa)
    checked = list(ids)
    bad = [
        ErrorDetail(INVALID_ID, f"audiences[{index}].id")
        for index, member_id in enumerate(checked)
        if not pattern.fullmatch(member_id)
    ]
    if bad:
        kind = "IFA" if is_ifa else "user ID"
        raise BadRequest(f"Invalid {kind} format", bad)
    return checked


async def one_batch(ids: list[str]) -> AsyncIterator[list[str]]:
    yield ids


# The longest id (an IFA: 36 characters) with room for a CR and spaces.
MAX_LINE = 64


class FileIds:
    """The ids of an uploaded file, one per line, read a chunk at a time so a file of 1.5
    million ids never sits in memory; blank lines and surrounding spaces are ignored."""

    def __init__(self, read: Callable[[int], Awaitable[bytes]], is_ifa: bool) -> None:
        self._read = read
        self._pattern = id_pattern(is_ifa)
        self._kind = "IFA" if is_ifa else "user ID"
        self.count = 0

    async def batches(self) -> AsyncIterator[list[str]]:
        pending = b""
        line_number = 0
        batch: list[str] = []
        while True:
            chunk = await self._read(CHUNK)
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop() if chunk else b""
            if len(pending) > MAX_LINE:
                # No line of ids is this long: refuse rather than gather the file in memory.
                raise BadRequest(
                    f"Invalid {self._kind} format at line {line_number + len(lines) + 1}",
                    [ErrorDetail(INVALID_ID, "file")],
                )
            for raw in lines:
                line_number += 1
                text = raw.strip()
                if not text:
                    continue
                member_id = text.decode("ascii", "replace")
                if not self._pattern.fullmatch(member_id):
                    raise BadRequest(
                        f"Invalid {self._kind} format at line {line_number}",
                        [ErrorDetail(INVALID_ID, "file")],
                    )
                batch.append(member_id)
                self.count += 1
            if self.count > MAX_FILE_IDS:
                raise BadRequest(
                    f"A file may hold at most {MAX_FILE_IDS:,} user IDs or IFAs",
                    [ErrorDetail(TOO_MANY_IDS, "file")],
                )
            if len(batch) >= BATCH or (not chunk and batch):
                yield batch
                batch = []
            if not chunk:
                break
