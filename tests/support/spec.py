"""Validating responses against the official OpenAPI files in ../shared/line-openapi/.

Every Kizuna app the suite builds carries `SpecCheck` as its outermost middleware (installed by
`install()`, which the `tests.conformance.plugin` pytest plugin calls), so every LINE-route
response the suite sees, whichever client asked, lands in `LEDGER`; the plugin checks it after
each test and reports at the end which operations were exercised and validated.
"""

import functools
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.http import NOT_LINE_PREFIXES

SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "line-openapi"


# Compared by identity: `operations()` makes each once, and they key caches and tallies.
@dataclass(frozen=True, eq=False)
class Operation:
    spec_file: str
    path: str
    method: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]
    components: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@functools.cache
def operations() -> list[Operation]:
    found: list[Operation] = []
    for spec_path in sorted(SPEC_DIR.glob("*.yml")):
        spec = yaml.safe_load(spec_path.read_text())
        for path, item in spec.get("paths", {}).items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
            for method, operation in item.items():
                if method in {"get", "post", "put", "delete", "patch"}:
                    found.append(
                        Operation(
                            spec_path.name,
                            path,
                            method.upper(),
                            re.compile(regex),
                            operation.get("responses", {}),
                            spec.get("components", {}),
                        )
                    )
    # Literal paths win over templated ones (/v2/bot/richmenu/list before /{richMenuId}).
    found.sort(key=lambda op: op.path.count("{"))
    return found


@functools.lru_cache(maxsize=8192)
def find_operation(method: str, path: str) -> Operation | None:
    for operation in operations():
        if operation.method == method and operation.pattern.match(path):
            return operation
    return None


@functools.cache
def _validator(operation: Operation, status: int) -> OAS30Validator | None:
    """The validator of a documented JSON response, or None when the spec gives no schema."""
    response = operation.responses[str(status)]
    content = (response.get("content") or {}).get("application/json")
    if content is None or "schema" not in content:
        return None
    return OAS30Validator({**content["schema"], "components": operation.components})


def schema_errors(method: str, path: str, status: int, body: Any) -> list[str]:
    """Why a response does not match the spec ([] when it does, or the spec says nothing)."""
    return _check(method, path, status, body)[1]


@functools.cache
def _error_validator(spec_file: str) -> OAS30Validator:
    """LINE's documented error body (`ErrorResponse`) as the spec file defines it, or the
    Messaging API's for files without one."""
    by_file = {op.spec_file: op.components for op in operations()}
    components = by_file.get(spec_file, {})
    if "ErrorResponse" not in components.get("schemas", {}):
        components = by_file["messaging-api.yml"]
    schema = {"$ref": "#/components/schemas/ErrorResponse", "components": components}
    return OAS30Validator(schema)


def _check(method: str, path: str, status: int, body: Any) -> tuple[bool, list[str]]:
    """(whether a response schema was applied, the problems found)."""
    operation = find_operation(method, path)
    label = operation.label if operation else f"{method} {path}"
    if operation is None and status < 400:
        return False, [f"{label} answered {status} but is not an operation of the spec"]
    if operation is not None and str(status) in operation.responses:
        validator = _validator(operation, status)
    elif status >= 400:
        # Most error statuses are undocumented per operation; every error still has to come
        # in the platform's error shape (refusing an unknown route too).
        validator = _error_validator(operation.spec_file if operation else "messaging-api.yml")
    else:
        return False, [f"{label} has no documented {status} response"]
    if validator is None:
        return False, []
    return True, [
        f"{label} {status}: {error.message} at {list(error.absolute_path)}"
        for error in validator.iter_errors(body)
    ]


@dataclass
class Exchange:
    """One LINE-route response as the client received it."""

    method: str
    path: str
    status: int
    content_type: str
    raw: bytes | None  # None: not JSON, not kept

    def body(self) -> Any:
        if not self.raw:
            return None
        try:
            return json.loads(self.raw)
        except ValueError:
            return self.raw.decode(errors="replace")


@dataclass
class Tally:
    responses: int = 0
    validated: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


class Ledger:
    """Exchanges recorded by the apps' middleware (on their server threads), checked later."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Exchange] = []
        self.tallies: dict[Operation, Tally] = {}
        self.unknown: Counter[str] = Counter()  # routes outside the spec (refused: 4xx)
        self.violations: list[str] = []

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._pending.append(exchange)

    def check_pending(self) -> list[str]:
        """Validates what was recorded since the last call; answers the problems found."""
        with self._lock:
            pending, self._pending = self._pending, []
        problems: list[str] = []
        for exchange in pending:
            validated, found = _check(
                exchange.method, exchange.path, exchange.status, exchange.body()
            )
            operation = find_operation(exchange.method, exchange.path)
            if operation is None:
                self.unknown[f"{exchange.method} {exchange.path}"] += 1
            else:
                tally = self.tallies.setdefault(operation, Tally())
                tally.responses += 1
                tally.validated += validated
                tally.statuses[exchange.status] += 1
            problems.extend(found)
        self.violations.extend(problems)
        return problems

    @contextmanager
    def isolated(self) -> Iterator["Ledger"]:
        """A fresh ledger in place of this one's pending list, for tests of the checker itself
        that must produce violations without failing."""
        private = Ledger()
        with self._lock:
            saved, self._pending = self._pending, []
        try:
            yield private
        finally:
            with self._lock:
                stray, self._pending = self._pending, saved
            for exchange in stray:
                private.record(exchange)

    def report(self) -> dict[str, Any]:
        exercised = sorted(self.tallies, key=lambda op: (op.spec_file, op.path, op.method))
        names = {(op.spec_file, op.label) for op in exercised}
        return {
            "responses": sum(t.responses for t in self.tallies.values()),
            "validated": sum(t.validated for t in self.tallies.values()),
            "violations": list(self.violations),
            "exercised": [
                {
                    "spec": op.spec_file,
                    "operation": op.label,
                    "responses": self.tallies[op].responses,
                    "validated": self.tallies[op].validated,
                    "statuses": {str(k): v for k, v in sorted(self.tallies[op].statuses.items())},
                }
                for op in exercised
            ],
            "not_exercised": [
                {"spec": op.spec_file, "operation": op.label}
                for op in sorted(operations(), key=lambda op: (op.spec_file, op.path, op.method))
                if (op.spec_file, op.label) not in names
            ],
            "outside_the_spec": dict(sorted(self.unknown.items())),
        }


LEDGER = Ledger()


class SpecCheck:
    """Records every LINE-route response (never Kizuna's own `/_kizuna` routes) into a ledger.

    The exchange is recorded before the last body chunk is passed on, so a client that has
    read the whole response can count on its exchange being in the ledger.
    """

    def __init__(self, app: ASGIApp, ledger: Ledger | None = None) -> None:
        self.app = app
        self.ledger = ledger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(NOT_LINE_PREFIXES):
            await self.app(scope, receive, send)
            return
        ledger = self.ledger or LEDGER
        status = 0
        content_type = ""
        chunks: list[bytes] = []

        async def recording_send(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message.get("headers", []))
                content_type = headers.get(b"content-type", b"").decode("latin-1")
            elif message["type"] == "http.response.body":
                if "json" in content_type:
                    chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    raw = b"".join(chunks) if "json" in content_type else None
                    ledger.record(Exchange(scope["method"], path, status, content_type, raw))
            await send(message)

        await self.app(scope, receive, recording_send)


def install() -> None:
    """Makes every later `app.main.create_app()` return an app wrapped in `SpecCheck`.

    Callers must look `create_app` up on `app.main` when they build (the pytest plugin of
    `app.testing` and `tests.support.live` do).
    """
    import app.main

    original: Callable[..., Any] = app.main.create_app
    if getattr(original, "spec_checked", False):
        return

    @functools.wraps(original)
    def create_checked_app(*args: Any, **kwargs: Any) -> Any:
        kizuna = original(*args, **kwargs)
        kizuna.add_middleware(SpecCheck)  # added last: outermost, sees what clients see
        return kizuna

    create_checked_app.spec_checked = True  # type: ignore[attr-defined]
    app.main.create_app = create_checked_app
