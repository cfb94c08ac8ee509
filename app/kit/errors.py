"""One error family that renders LINE's error bodies.

Messaging API routes answer `{"message": ..., "details": [...]}`; the OAuth routes answer
`{"error": ..., "error_description": ...}`. Raising one of these anywhere in a request is the
only way Kizuna reports a client error.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    message: str
    property: str | None = None

    def to_wire(self) -> dict[str, str]:
        body = {"message": self.message}
        if self.property is not None:
            body["property"] = self.property
        return body


class LineError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str,
        details: Sequence[ErrorDetail] = (),
        *,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        if status_code is not None:
            self.status_code = status_code
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.details:
            body["details"] = [detail.to_wire() for detail in self.details]
        body.update(self.extra)
        return body


class BadRequest(LineError):
    status_code = 400


class Unauthorized(LineError):
    status_code = 401


class Forbidden(LineError):
    status_code = 403


class NotFound(LineError):
    status_code = 404

    def __init__(self, message: str = "Not found", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class MethodNotAllowed(LineError):
    status_code = 405


class Conflict(LineError):
    status_code = 409


class Gone(LineError):
    status_code = 410


class PayloadTooLarge(LineError):
    status_code = 413


class UnsupportedMediaType(LineError):
    status_code = 415


class UnprocessableEntity(LineError):
    status_code = 422


class TooManyRequests(LineError):
    status_code = 429


class ServiceUnavailable(LineError):
    status_code = 503


class OAuthError(Exception):
    """An error of the token endpoints, in the OAuth 2.0 shape they use."""

    def __init__(self, error: str, description: str, *, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code

    def to_wire(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def invalid_property(prop: str) -> BadRequest:
    return BadRequest(f"The property, {prop}, in the request body is invalid (line: -, column: -)")


def body_errors(details: Sequence[ErrorDetail]) -> BadRequest:
    return BadRequest(f"The request body has {len(details)} error(s)", details)
