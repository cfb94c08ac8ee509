"""The webhook endpoint checks the signature over the raw body, acknowledges at once and leaves
the handlers running as tracked tasks that shutdown waits for."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from app.bot import Bot, Context
from tests.bot import support as s


def gated_bot() -> tuple[Bot, asyncio.Event, list[str]]:
    """A bot whose message handler finishes only once the test opens the gate."""
    bot = Bot(s.SECRET, "token")
    gate = asyncio.Event()
    done: list[str] = []

    @bot.message()
    async def slow(ctx: Context) -> None:
        await gate.wait()
        done.append(ctx.event.message.text)

    return bot, gate, done


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[tuple[Bot, asyncio.Event, list[str]]]:
    made = gated_bot()
    yield made
    made[1].set()
    await made[0].close()


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot.test")


async def post(http: httpx.AsyncClient, path: str, raw: bytes, signature: str) -> httpx.Response:
    headers = {"X-Line-Signature": signature, "Content-Type": "application/json; charset=utf-8"}
    return await http.post(path, content=raw, headers=headers)


@pytest.mark.asyncio
async def test_a_signed_webhook_is_acknowledged_before_its_handlers_finish(
    bot: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    app_bot, gate, done = bot
    raw = s.body(s.text("one"), s.text("two", s.user(s.BOB)))
    async with client(app_bot.asgi_app("/callback")) as http:
        response = await post(http, "/callback", raw, s.sign(raw))
    assert (response.status_code, response.text) == (200, "OK")
    assert done == [] and app_bot.pending == 2  # still waiting at the gate
    gate.set()
    await app_bot.drain()
    assert sorted(done) == ["one", "two"]


@pytest.mark.asyncio
async def test_the_signature_covers_the_raw_bytes_as_sent(
    bot: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    app_bot, gate, done = bot
    gate.set()
    event = s.text('こんにちは 🌸 "quoted" \\ back')
    # Spacing and escapes no serialiser of ours would reproduce: only the raw bytes verify.
    raw = json.dumps({"destination": "U0", "events": [event]}, indent=3).encode()
    reserialised = s.body(event)
    async with client(app_bot.asgi_app()) as http:
        assert (await post(http, "/callback", raw, s.sign(raw))).status_code == 200
        wrong = await post(http, "/callback", raw, s.sign(reserialised))
        assert (wrong.status_code, wrong.text) == (400, "Invalid signature")
        other_secret = await post(http, "/callback", raw, s.sign(raw, "f" * 32))
        assert other_secret.status_code == 400
        missing = await http.post("/callback", content=raw)
        assert missing.status_code == 400
    await app_bot.drain()
    assert done == [event["message"]["text"]]


@pytest.mark.asyncio
async def test_bad_requests_schedule_nothing(bot: tuple[Bot, asyncio.Event, list[str]]) -> None:
    app_bot, _, _ = bot
    garbage = b'{"destination": "U0", "events": [{'
    not_utf8 = b'{"events": ["\xff"]}'
    async with client(app_bot.asgi_app("/callback")) as http:
        assert (await post(http, "/callback", garbage, s.sign(garbage))).status_code == 400
        assert (await post(http, "/callback", not_utf8, s.sign(not_utf8))).status_code == 400
        assert (await http.get("/callback")).status_code == 405
        raw = s.body(s.text("x"))
        assert (await post(http, "/elsewhere", raw, s.sign(raw))).status_code == 404
    assert app_bot.pending == 0


@pytest.mark.asyncio
async def test_an_empty_verification_request_is_answered() -> None:
    bot = Bot(s.SECRET, "token")
    raw = s.body()  # what the console's "Verify" button sends
    async with client(bot.asgi_app()) as http:
        assert (await post(http, "/callback", raw, s.sign(raw))).status_code == 200
    assert bot.pending == 0


@pytest.mark.asyncio
async def test_lifespan_shutdown_waits_for_handlers_and_closes_the_api_client() -> None:
    bot, gate, done = gated_bot()

    @bot.follow()
    async def opens_the_client(ctx: Context) -> None:
        assert ctx.api is bot.api  # opened on first use, in this loop

    app = bot.asgi_app()
    raw = s.body(s.follow(), s.text("last words"))
    async with client(app) as http:
        assert (await post(http, "/callback", raw, s.sign(raw))).status_code == 200

    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    for message in ({"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}):
        inbox.put_nowait(message)
    lifespan = asyncio.create_task(app({"type": "lifespan"}, inbox.get, send))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not lifespan.done() and done == []  # shutdown waits at the gate with the handler
    gate.set()
    await lifespan
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert done == ["last words"] and bot.pending == 0 and bot._client is None


@pytest.mark.asyncio
async def test_a_fastapi_router_and_a_mounted_app_serve_the_same_webhook() -> None:
    bot, gate, done = gated_bot()
    gate.set()
    app = FastAPI()
    app.include_router(bot.fastapi_router("/line/callback"))
    app.mount("/hooks", bot.asgi_app("/callback"))
    raw = s.body(s.text("via router"))
    again = s.body(s.text("via mount"))
    async with app.router.lifespan_context(app), client(app) as http:
        ok = await post(http, "/line/callback", raw, s.sign(raw))
        assert (ok.status_code, ok.text) == (200, "OK")
        bad = await post(http, "/line/callback", raw, s.sign(again))
        assert bad.status_code == 400 and bad.json() == {"detail": "Invalid signature"}
        assert (await post(http, "/hooks/callback", again, s.sign(again))).status_code == 200
        await bot.drain()
    assert sorted(done) == ["via mount", "via router"]
    assert "/line/callback" not in app.openapi()["paths"]
