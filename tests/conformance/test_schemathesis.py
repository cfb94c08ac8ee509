"""schemathesis against Kizuna's own OpenAPI (the LINE routes and the `/_kizuna` control plane):
whatever it sends, no operation answers a server error, and the control plane's answers match
the schemas Kizuna publishes. Seeded and bounded, so a run repeats and stays short."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

import app.main
from app.config import Settings
from app.kit.migrate import run_migrations
from tests.support import services as svc
from tests.support.control import Control
from tests.support.live import LiveServer

# Deeper runs by hand: KIZUNA_FUZZ_EXAMPLES=30 KIZUNA_FUZZ_SEED=7 pytest tests/conformance/...
SEED = int(os.environ.get("KIZUNA_FUZZ_SEED", "20261201"))
MAX_EXAMPLES = int(os.environ.get("KIZUNA_FUZZ_EXAMPLES", "3"))
# Operations that would pull the ground from under the run: reset forgets the channel whose
# token authenticates every LINE call.
EXCLUDED = {("POST", "/_kizuna/reset")}
# Seeding is capped: millions of users are a benchmark's business, not a fuzzer's.
MAX_BULK = 50

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "database": "none",
            "deterministic": True,
            # NULs included: the request layer refuses them with a 400 (tests/kit/test_http.py).
            "allow-x00": True,
        },
        "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
        "suppress-health-check": ["all"],
        "request-timeout": 30,
    }
)
SCHEMA = schemathesis.openapi.from_dict(
    app.main.create_app(Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:")).openapi(),
    config=CONFIG,
).exclude(func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in EXCLUDED)


@dataclass
class Target:
    base_url: str
    token: str
    session: requests.Session


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """Kizuna on Postgres (where a value out of a column's range would surface as a 500), with
    a channel, friends and rate limits off, so generated calls get past authentication."""
    with svc.temporary_postgres_database() as url:
        run_migrations(url)
        server = LiveServer(url, KIZUNA_RATE_LIMITS="off").start()
        try:
            control = Control(server.base_url)
            channel = control.channel("Fuzzed")
            for name in ("Alice", "Bob"):
                control.follow(channel, control.user(name))
            control.close()
            with requests.Session() as session:
                yield Target(server.base_url, channel.access_token, session)
        finally:
            server.stop()


def _bounded(case: schemathesis.Case[Any]) -> None:
    if case.operation.path.endswith("/users/bulk") and isinstance(case.body, dict):
        count = case.body.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and count > MAX_BULK:
            case.body["count"] = MAX_BULK


@SCHEMA.parametrize()
def test_no_server_errors(case: schemathesis.Case[Any], target: Target) -> None:
    _bounded(case)
    headers: dict[str, Any] = {}
    if not case.operation.path.startswith("/_kizuna"):
        headers["Authorization"] = f"Bearer {target.token}"
    checks: list[schemathesis.CheckFunction] = [not_a_server_error]
    if case.operation.path.startswith("/_kizuna"):
        checks.append(response_schema_conformance)
    case.call_and_validate(
        base_url=target.base_url, session=target.session, headers=headers, checks=checks
    )


NUL_PROBES = [
    ("GET", "/v2/bot/profile/U%00", None),
    ("GET", "/v2/bot/insight/message/event?requestId=a%00", None),
    ("POST", "/_kizuna/users", {"displayName": "Alice\u0000"}),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_PROBES)
def test_nul_characters_are_refused(
    target: Target, method: str, path: str, body: dict[str, Any] | None
) -> None:
    headers = {"Authorization": f"Bearer {target.token}"}
    response = target.session.request(method, target.base_url + path, json=body, headers=headers)
    assert response.status_code == 400, response.text
