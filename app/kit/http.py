"""HTTP behaviour every response shares: request ids, body limits and LINE's error bodies."""

import json
import logging
import uuid
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit import logging as logging_context
from app.kit.db import database_unavailable
from app.kit.errors import (
    BadRequest,
    ErrorDetail,
    LineError,
    OAuthError,
    PayloadTooLarge,
    UnsupportedMediaType,
    body_errors,
)

log = logging.getLogger("kizuna.http")

REQUEST_ID_HEADER = "x-line-request-id"
# Kizuna's own paths, beside the LINE API's: the control plane, the console, metrics, API docs.
NOT_LINE_PREFIXES = ("/_kizuna", "/console", "/metrics", "/docs", "/openapi.json", "/redoc")
JSON_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_AN_OBJECT = frozenset({"missing", "model_attributes_type", "dict_type"})


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


class _BodyTooLarge(BaseException):
    """Raised from `receive`; a BaseException so no framework layer turns it into a 400."""


class _NulInBody(BaseException):
    """Raised from `receive` on a body holding U+0000, which Postgres cannot store in text."""

    def __init__(self, prop: str) -> None:
        self.prop = prop


# The control plane (simulated users' media) and audience uploads by file (1.5 million ids,
# about 50 MB) take bodies far over the LINE API's 2 MB.
LARGE_BODY_PREFIXES = ("/_kizuna/", "/v2/bot/audienceGroup/upload/byFile")


class LineHttpMiddleware:
    """Stamps `X-Line-Request-Id` on every response, caps bodies, and turns crashes into 500s."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_control_bytes: int) -> None:
        self.app = app
        self.max_line_bytes = max_body_bytes
        self.max_control_bytes = max_control_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        logging_context.request_id.set(request_id)  # on every log line of this request
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        limit = (
            self.max_control_bytes
            if scope.get("path", "").startswith(LARGE_BODY_PREFIXES)
            else self.max_line_bytes
        )
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send_with_id)
            return

        nul = _nul_in_target(scope)
        if nul is not None:
            await _nul_refused(scope, *nul)(scope, receive, send_with_id)
            return

        received = 0
        # JSON and form bodies are kept (by reference, as they pass) until the last chunk, so
        # one holding a NUL is refused naming its property before the app sees the end of it.
        # Each chunk is scanned with the tail of the one before (an escape may straddle two);
        # the body is joined and parsed only when one was seen.
        kind = _text_body_kind(scope)
        marker = NUL_MARKERS.get(kind or "", ())
        chunks: list[bytes] = []
        tail = b""
        seen = False

        async def counting_receive() -> Message:
            nonlocal received, tail, seen
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise _BodyTooLarge
                if kind is not None:
                    chunks.append(chunk)
                    window = tail + chunk[:8] if tail else b""
                    seen = seen or any(m in chunk or m in window for m in marker)
                    tail = chunk[-8:]
                    if seen and not message.get("more_body", False):
                        prop = _nul_in_body(kind, b"".join(chunks))
                        if prop is not None:
                            raise _NulInBody(prop)
            return message

        try:
            await self.app(scope, counting_receive, send_with_id)
        except _BodyTooLarge:
            if not started:
                await _too_large(limit)(scope, receive, send_with_id)
        except _NulInBody as refused:
            if not started:
                await _nul_refused(scope, "body", refused.prop)(scope, receive, send_with_id)
        except Exception as exc:
            if database_unavailable(exc):
                log.warning("the database is unavailable: %s: %s", type(exc).__name__, exc)
            else:
                log.exception("unhandled error (request id %s)", request_id)
            if not started:
                await crash_response(exc)(scope, receive, send_with_id)


DATABASE_UNAVAILABLE = "The service is temporarily unavailable. Try again later."


def crash_response(exc: Exception) -> JSONResponse:
    """What an unexpected error answers, in LINE's shape: 503 (with `Retry-After`) while the
    database cannot be reached, so clients retry instead of reporting a bug; 500 otherwise."""
    if database_unavailable(exc):
        return _json(503, {"message": DATABASE_UNAVAILABLE}, {"Retry-After": "1"})
    return _json(500, {"message": "Internal server error"})


NUL = "\x00"
NUL_MESSAGE = "May not contain the NUL character (U+0000)"
# How a NUL can appear in the bytes of a body of each kind: JSON's escape, form encoding, raw.
NUL_MARKERS = {"json": (b"\\u0000",), "form": (b"%00", b"\x00")}
OAUTH_PREFIXES = ("/v2/oauth/", "/oauth2/")


def _nul_in_target(scope: Scope) -> tuple[str, str] | None:
    """(where, property) of a NUL in the path or the query string, if any."""
    path: str = scope.get("path", "")
    if NUL in path:
        return "path", _path_parameter_with_nul(scope)
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if NUL in key or NUL in value:
                return "query", key.replace(NUL, "")
    return None


def _path_parameter_with_nul(scope: Scope) -> str:
    # Matched against the documented path templates: rare, and independent of how the
    # framework nests its routers.
    openapi = getattr(scope.get("app"), "openapi", None)
    if openapi is not None:
        for template in openapi()["paths"]:
            matched = compile_path(template)[0].match(scope.get("path", ""))
            if matched is not None:
                for name, value in matched.groupdict().items():
                    if NUL in value:
                        return name
    return "path"


def _text_body_kind(scope: Scope) -> str | None:
    if scope.get("method") not in JSON_METHODS:
        return None
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            if b"json" in value:
                return "json"
            if b"x-www-form-urlencoded" in value:
                return "form"
            return None
    return None


def _nul_in_body(kind: str, body: bytes) -> str | None:
    """The property of the first string holding a NUL, or None (also for bodies that are not
    well-formed: the route reports those as it always does)."""
    if kind == "form":
        if b"%00" not in body and b"\x00" not in body:
            return None
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            if NUL in key or NUL in value:
                return key.replace(NUL, "")
        return None
    if b"\\u0000" not in body:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return _nul_property(document, "")


def _nul_property(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "body") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in key:
                return child.replace(NUL, "")
            found = _nul_property(item, child)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_property(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _nul_refused(scope: Scope, where: str, prop: str) -> JSONResponse:
    if scope.get("path", "").startswith(OAUTH_PREFIXES):
        return _json(400, OAuthError("invalid_request", f"{prop}: {NUL_MESSAGE}").to_wire())
    detail = ErrorDetail(NUL_MESSAGE, prop)
    if where == "body":
        return _json(400, body_errors([detail]).to_wire())
    return _json(400, BadRequest(f"The {where} parameter, {prop}, is invalid", [detail]).to_wire())


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large_error(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body is too large (at most {limit // (1024 * 1024)} MB)")


def _too_large(limit: int) -> JSONResponse:
    return _json(413, _too_large_error(limit).to_wire())


def _property_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _line_position(document: str, position: int) -> tuple[int, int]:
    line = document.count("\n", 0, position) + 1
    column = position - (document.rfind("\n", 0, position) + 1) + 1
    return line, column


def validation_error_to_line(exc: RequestValidationError) -> LineError:
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            document = exc.body if isinstance(exc.body, str) else ""
            position = error["loc"][1] if len(error["loc"]) > 1 else 0
            line, column = _line_position(document, int(position))
            return BadRequest(
                f"The request body could not be parsed as JSON (line: {line}, column: {column})"
            )
    details: list[ErrorDetail] = []
    body_level = False
    for error in errors:
        source, *rest = error["loc"]
        # A model-level validator failing on the body points at no property of its own.
        body_level = body_level or (source == "body" and not rest)
        prop = _property_path(tuple(rest)) if rest else None
        if source in {"query", "path", "header"} and rest:
            prop = str(rest[0])
        details.append(ErrorDetail(message=_message(error), property=prop))
    if all(error["loc"][0] == "body" for error in errors):
        if body_level and len(errors) == 1 and errors[0].get("type") in NOT_AN_OBJECT:
            return BadRequest("The request body must be a JSON object")
        return body_errors(details)
    return BadRequest(f"The request has {len(details)} error(s)", details)


def _message(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "Must not be empty" if error["loc"][0] == "body" else "Required"
    if kind == "extra_forbidden":
        return "Unknown property"
    msg = str(error.get("msg", "Invalid value"))
    return msg[0].upper() + msg[1:] if msg else "Invalid value"


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def require_json_body(request: Request) -> None:
    """415 for a body that is not JSON on routes that take JSON (LINE checks before parsing)."""
    if request.method not in JSON_METHODS:
        return
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if getattr(route, "body_field", None) is None or dependant is None:
        return
    if any(isinstance(param.field_info, params.Form) for param in dependant.body_params):
        return
    content_type = request.headers.get("content-type")
    if content_type is None:
        if int(request.headers.get("content-length") or 0) == 0:
            return
        raise UnsupportedMediaType("The content type, (none), is not supported")
    if not is_json(content_type):
        raise UnsupportedMediaType(f"The content type, {content_type}, is not supported")


def install_error_handlers(app: FastAPI) -> None:
    async def on_line_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LineError)
        return _json(exc.status_code, exc.to_wire(), exc.headers)

    async def on_oauth_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, OAuthError)
        return _json(exc.status_code, exc.to_wire())

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        error = validation_error_to_line(exc)
        return _json(error.status_code, error.to_wire())

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        messages = {404: "Not found", 405: "Method not allowed"}
        message = messages.get(exc.status_code) or str(exc.detail)
        return _json(exc.status_code, {"message": message}, dict(exc.headers or {}))

    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        # Starlette still re-raises it afterwards: LineHttpMiddleware logs it.
        return crash_response(exc)

    app.add_exception_handler(Exception, on_crash)
    app.add_exception_handler(LineError, on_line_error)
    app.add_exception_handler(OAuthError, on_oauth_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
