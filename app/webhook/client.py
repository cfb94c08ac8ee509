"""The webhook dispatcher's HTTP/1.1 client for http:// URLs, on asyncio's own transports (the
dispatcher takes aiohttp for anything else: https).

Profiled, aiohttp spent most of the dispatcher's CPU per request (its request and response
objects, timeout handles, two writes); a webhook is one POST with a known body and one short
answer, which this sends in one write on a connection kept alive per origin and parses in
place. The answer's first kilobyte is kept for the attempt log.
"""

import asyncio
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

RESPONSE_KEPT = 1024
# An answer larger than this is not read to its end: the connection is closed instead.
MAX_RESPONSE = 1024 * 1024
IDLE_PER_ORIGIN = 64
HEAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    text: str  # the first RESPONSE_KEPT bytes, decoded


class ConnectFailed(Exception):
    """The bot's address refused or could not be reached."""


class Disconnected(Exception):
    """The connection ended before a whole answer came (`early`: before any byte of it)."""

    def __init__(self, early: bool) -> None:
        super().__init__("the server closed the connection" + (" at once" if early else ""))
        self.early = early


class BadResponse(Exception):
    """What came back is not HTTP/1.1 this client understands."""


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[Answer, bool]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A socket's transport (uvloop's is not a subclass of asyncio.Transport).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        try:
            parsed = _parse(self.buffer, eof=False)
        except BadResponse as exc:
            self.waiter.set_exception(exc)
            return
        if parsed is not None:
            self.waiter.set_result(parsed)

    def eof_received(self) -> bool:
        return False  # the transport closes itself; connection_lost finishes the answer

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is None or self.waiter.done():
            return
        try:
            parsed = _parse(self.buffer, eof=True)
        except BadResponse as error:
            self.waiter.set_exception(error)
            return
        if parsed is not None:
            self.waiter.set_result(parsed)
        else:
            self.waiter.set_exception(Disconnected(early=not self.buffer))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _parse(buffer: bytearray, *, eof: bool) -> tuple[Answer, bool] | None:
    """The answer in `buffer` and whether the connection may be kept, or None while it is not
    all there. With `eof` a body without length ends where the connection did."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > HEAD_LIMIT:
            raise BadResponse("response head too long")
        return None
    lines = bytes(buffer[:end]).split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise BadResponse(f"bad status line {lines[0][:80]!r}")
    status = int(parts[1])
    if 100 <= status < 200:  # an interim answer (we never ask for one): the real one follows
        del buffer[: end + 4]
        return _parse(buffer, eof=eof)
    keep = parts[0] == b"HTTP/1.1"
    length: int | None = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            if not value.isdigit():
                raise BadResponse("bad Content-Length")
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = value.endswith(b"chunked")
        elif name == b"connection":
            keep = b"close" not in value if keep else b"keep-alive" in value
    body_at = end + 4
    if status in (204, 304):
        return Answer(status, ""), keep
    if chunked:
        body = _chunks(buffer, body_at)
        if body is None:
            if eof:
                return None
            if len(buffer) - body_at > MAX_RESPONSE:
                raise BadResponse("response too large")
            return None
        return Answer(status, _kept(body)), keep
    if length is not None:
        if length > MAX_RESPONSE:
            if len(buffer) - body_at >= RESPONSE_KEPT or eof:
                return Answer(status, _kept(buffer[body_at:])), False
            return None
        if len(buffer) - body_at < length:
            return None
        return Answer(status, _kept(buffer[body_at : body_at + length])), keep
    # No length: the body runs to the end of the connection.
    if not eof:
        if len(buffer) - body_at > MAX_RESPONSE:
            return Answer(status, _kept(buffer[body_at:])), False
        return None
    return Answer(status, _kept(buffer[body_at:])), False


def _chunks(buffer: bytearray, at: int) -> bytes | None:
    """The body of a chunked answer starting at `at`, or None while it is not all there."""
    body = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size_text = bytes(buffer[at:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise BadResponse("bad chunk size") from exc
        at = line_end + 2
        if size == 0:
            # Trailers, if any, end with an empty line.
            while True:
                line_end = buffer.find(b"\r\n", at)
                if line_end < 0:
                    return None
                if line_end == at:
                    return bytes(body)
                at = line_end + 2
        if len(buffer) < at + size + 2:
            return None
        if len(body) < RESPONSE_KEPT:
            body += buffer[at : at + size]
        at += size + 2


def _kept(body: bytes | bytearray) -> str:
    return bytes(body[:RESPONSE_KEPT]).decode(errors="replace")


@dataclass(frozen=True)
class _Target:
    origin: tuple[str, int]
    head: bytes  # request line and Host, for this URL


class WebhookClient:
    """POSTs webhook bodies; one per process (the dispatcher's)."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._targets: dict[str, _Target | None] = {}

    def target(self, url: str) -> _Target | None:
        """How to reach `url` on the lean path, or None for aiohttp's."""
        if url in self._targets:
            return self._targets[url]
        try:
            target = self._lean_target(url)
        except (ValueError, UnicodeError):  # a bad port, a path beyond ASCII: aiohttp's to judge
            target = None
        if len(self._targets) > 10_000:
            self._targets.clear()
        self._targets[url] = target
        return target

    @staticmethod
    def _lean_target(url: str) -> "_Target | None":
        target = None
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname and not parts.username:
            port = parts.port or 80
            host = parts.hostname if port == 80 else f"{parts.hostname}:{port}"
            if ":" in parts.hostname:
                host = f"[{parts.hostname}]" if port == 80 else f"[{parts.hostname}]:{port}"
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n".encode("ascii", "strict")
            target = _Target((parts.hostname, port), head)
        return target

    async def post(self, target: _Target, headers: bytes, body: bytes) -> Answer:
        """POST on a kept-alive connection to the target's origin, or a new one; a kept one
        the server had closed meanwhile is retried once on a new connection. `headers`:
        the request's other header lines, each ending with CRLF. Raises ConnectFailed,
        Disconnected or BadResponse; the caller bounds it in time (a connection it leaves
        midway is closed)."""
        request = b"".join((target.head, headers, b"Content-Length: %d\r\n\r\n" % len(body), body))
        connection = self._take(target.origin)
        if connection is not None:
            try:
                return await self._exchange(target.origin, connection, request)
            except Disconnected as exc:
                if not exc.early:
                    raise
        return await self._exchange(target.origin, await self._open(target.origin), request)

    def _take(self, origin: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            transport = connection.transport
            if not connection.closed and transport is not None and not transport.is_closing():
                return connection
        return None

    async def _open(self, origin: tuple[str, int]) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await loop.create_connection(_Connection, *origin)
        except OSError as exc:
            raise ConnectFailed(str(exc)) from exc
        return connection

    async def _exchange(
        self, origin: tuple[str, int], connection: _Connection, request: bytes
    ) -> Answer:
        assert connection.transport is not None
        connection.buffer.clear()
        waiter: asyncio.Future[tuple[Answer, bool]] = asyncio.get_running_loop().create_future()
        connection.waiter = waiter
        connection.transport.write(request)
        try:
            answer, keep = await waiter
        except BaseException:
            connection.close()
            raise
        finally:
            connection.waiter = None
        if keep and not connection.closed:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < IDLE_PER_ORIGIN:
                idle.append(connection)
                return answer
        connection.close()
        return answer

    def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
