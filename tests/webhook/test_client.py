"""The dispatcher's lean HTTP/1.1 client, against a raw server that answers what each test
scripts, and the attempt outcomes `_post` makes of it."""

import asyncio
import base64
import hashlib
import hmac
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import cast

import pytest
import pytest_asyncio

from app.config import Settings
from app.kit.services import Services
from app.webhook import dispatch
from app.webhook.client import RESPONSE_KEPT, WebhookClient

Answerer = Callable[["Request"], Awaitable[bytes | None]]


@dataclass
class Request:
    head: bytes
    body: bytes
    connection: int  # which accepted connection it came on, from 0

    def header(self, name: str) -> str:
        for line in self.head.decode().split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        raise KeyError(name)


@dataclass
class RawServer:
    """Reads each request by its Content-Length and writes what `answer` gives (None: closes
    the connection without answering)."""

    answer: Answerer
    requests: list[Request] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/callback?x=1"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = len(self.writers)
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request = Request(head, b"", number)
                request.body = await reader.readexactly(int(request.header("Content-Length")))
                self.requests.append(request)
                answer = await self.answer(request)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest_asyncio.fixture
async def raw() -> AsyncIterator[RawServer]:
    async def ok(_: Request) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    server = RawServer(ok)
    server.server = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    yield server
    server.server.close()
    for writer in server.writers:
        writer.transport.abort()


def _services(timeout: float = 2.0) -> Services:
    settings = Settings(KIZUNA_WEBHOOK_TIMEOUT_SECONDS=timeout)
    client = WebhookClient()
    return cast(Services, SimpleNamespace(settings=settings, webhook_client=lambda: client))


def _answer(*responses: bytes) -> Answerer:
    left = list(responses)

    async def answer(_: Request) -> bytes | None:
        return left.pop(0) if left else None

    return answer


@pytest.mark.asyncio
async def test_content_length_answers_reuse_one_connection(raw: RawServer) -> None:
    services = _services()
    for _ in range(3):
        outcome = await dispatch._post(services, "secret", raw.url, b"{}")
        assert (outcome.success, outcome.status_code, outcome.response) == (True, 200, "ok")
    assert [r.connection for r in raw.requests] == [0, 0, 0]
    assert raw.requests[0].head.startswith(b"POST /callback?x=1 HTTP/1.1\r\n")
    assert raw.requests[0].header("Host") == raw.url.split("/")[2]
    assert raw.requests[0].header("User-Agent") == "LineBotWebhook/2.0"


@pytest.mark.asyncio
async def test_chunked_answers_are_read_whole_and_the_connection_kept(raw: RawServer) -> None:
    raw.answer = _answer(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nf",
    )
    services = _services()
    first = await dispatch._post(services, "secret", raw.url, b"{}")
    second = await dispatch._post(services, "secret", raw.url, b"{}")
    assert (first.response, second.response) == ("abcde", "f")
    assert [r.connection for r in raw.requests] == [0, 0]


@pytest.mark.asyncio
async def test_connection_close_and_bodies_to_the_end_of_the_connection(raw: RawServer) -> None:
    # By connection: what it answers, and whether the server then closes it.
    responses = {
        0: (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", True),
        1: (b"HTTP/1.0 200 OK\r\n\r\nuntil the end", True),  # no length: ends with the connection
        2: (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", False),
    }

    async def answer(request: Request) -> bytes | None:
        data, close = responses[request.connection]
        if close:
            raw.writers[request.connection].write(data)
            return None
        return data

    raw.answer = answer
    services = _services()
    texts = [(await dispatch._post(services, "s", raw.url, b"{}")).response for _ in range(3)]
    assert texts == ["ok", "until the end", "ok"]
    assert [r.connection for r in raw.requests] == [0, 1, 2]


@pytest.mark.asyncio
async def test_a_kept_connection_the_server_closed_is_retried_once_on_a_new_one(
    raw: RawServer,
) -> None:
    services = _services()
    assert (await dispatch._post(services, "s", raw.url, b"1")).success
    # The server drops the idle connection; the client has not yet seen it go.
    raw.writers[0].transport.abort()
    outcome = await dispatch._post(services, "s", raw.url, b"2")
    assert (outcome.success, outcome.response) == (True, "ok")
    assert [(r.connection, r.body) for r in raw.requests] == [(0, b"1"), (1, b"2")]


@pytest.mark.asyncio
async def test_a_connection_lost_midway_through_the_answer_is_not_retried(raw: RawServer) -> None:
    async def half(_: Request) -> bytes | None:
        raw.writers[-1].write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok")
        return None

    raw.answer = half
    outcome = await dispatch._post(_services(), "s", raw.url, b"{}")
    assert (outcome.success, outcome.status_code, outcome.reason) == (False, 0, "UNCLASSIFIED")
    assert len(raw.requests) == 1  # the request had reached the bot: it is not sent again


@pytest.mark.asyncio
async def test_no_answer_in_time_is_a_request_timeout(raw: RawServer) -> None:
    never = asyncio.Event()

    async def silent(_: Request) -> bytes | None:
        await never.wait()
        return None

    raw.answer = silent
    services = _services(timeout=0.2)
    outcome = await dispatch._post(services, "s", raw.url, b"{}")
    assert (outcome.success, outcome.status_code, outcome.reason, outcome.detail) == (
        False,
        0,
        "REQUEST_TIMEOUT",
        "Request timeout",
    )
    # The connection left midway is not reused: the next request opens another.
    raw.answer = _answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert (await dispatch._post(services, "s", raw.url, b"{}")).success
    assert [r.connection for r in raw.requests] == [0, 1]


@pytest.mark.asyncio
async def test_a_refused_connection_could_not_connect() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed at once: nothing listens there
    outcome = await dispatch._post(_services(), "s", f"http://127.0.0.1:{port}/cb", b"{}")
    assert (outcome.success, outcome.status_code, outcome.reason) == (
        False,
        0,
        "COULD_NOT_CONNECT",
    )
    assert outcome.detail is not None and outcome.detail.startswith("Connection failed: ")


@pytest.mark.asyncio
async def test_non_2xx_is_an_error_status_code_with_the_answer_kept(raw: RawServer) -> None:
    raw.answer = _answer(b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy")
    outcome = await dispatch._post(_services(), "s", raw.url, b"{}")
    assert (outcome.success, outcome.status_code, outcome.reason, outcome.response) == (
        False,
        503,
        "ERROR_STATUS_CODE",
        "busy",
    )
    assert outcome.detail == "The webhook returned an HTTP status code other than 200.(503)"


@pytest.mark.asyncio
async def test_long_answers_are_truncated_in_the_log_and_read_to_their_end(raw: RawServer) -> None:
    long = "é" * 3000  # 6000 bytes: the kept kilobyte ends inside a character
    chunked = b"".join(b"%x\r\n%s\r\n" % (1000, b"c" * 1000) for _ in range(5)) + b"0\r\n\r\n"
    raw.answer = _answer(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (6000, long.encode()),
        b"HTTP/1.1 500 No\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    )
    services = _services()
    first = await dispatch._post(services, "s", raw.url, b"{}")
    second = await dispatch._post(services, "s", raw.url, b"{}")
    third = await dispatch._post(services, "s", raw.url, b"{}")
    assert first.response == "é" * (RESPONSE_KEPT // 2)
    assert second.response == "c" * RESPONSE_KEPT and second.status_code == 500
    assert third.response == "ok"
    assert [r.connection for r in raw.requests] == [0, 0, 0]  # each answer was read whole


@pytest.mark.asyncio
async def test_non_ascii_bodies_are_sent_and_signed_byte_exactly(raw: RawServer) -> None:
    body = '{"destination":"U0","events":[{"text":"こんにちは 🍣"}]}'.encode()
    assert (await dispatch._post(_services(), "channel-secret", raw.url, body)).success
    (request,) = raw.requests
    assert request.body == body
    assert request.header("Content-Type") == "application/json; charset=utf-8"
    expected = hmac.new(b"channel-secret", body, hashlib.sha256).digest()
    assert base64.b64decode(request.header("X-Line-Signature")) == expected


def test_only_plain_http_takes_the_lean_path() -> None:
    client = WebhookClient()
    assert client.target("https://bot.example/cb") is None
    assert client.target("http://user:pw@127.0.0.1/cb") is None
    target = client.target("http://127.0.0.1/cb")
    assert target is not None and target.origin == ("127.0.0.1", 80)
    assert target.head == b"POST /cb HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    assert client.target("http://[::1]:8080")
    assert client.target("http://[::1]:8080").head == (  # type: ignore[union-attr]
        b"POST / HTTP/1.1\r\nHost: [::1]:8080\r\n"
    )


def test_a_url_the_lean_path_cannot_write_goes_to_aiohttp_instead_of_failing() -> None:
    client = WebhookClient()
    assert client.target("http://127.0.0.1:99999/cb") is None  # port out of range
    assert client.target("http://127.0.0.1/café") is None  # not ASCII on the request line
