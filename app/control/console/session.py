"""The console's sign-in when Kizuna is exposed: the admin token, pasted once, becomes a session
cookie the control plane's guard takes in place of the Bearer header (see `app.kit.admin`)."""

import hmac
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from app.deps import ServicesDep
from app.kit.admin import LOOPBACK_ONLY, SESSION_COOKIE, session_value
from app.kit.errors import Forbidden, TooManyRequests, Unauthorized
from app.kit.ratecount import PREFIX
from app.schemas.base import ErrorResponseModel, WireModel

router = APIRouter(prefix="/session")
WRONG_TOKEN = "The admin token is wrong"
TOO_MANY = "Too many sign-in attempts. Try again in a minute."
# Per client address and minute: a person mistypes a few times, a guesser needs billions.
ATTEMPTS_PER_MINUTE = 10


class SessionRequest(WireModel):
    token: str = Field(min_length=1, max_length=4096)


@router.post(
    "",
    status_code=204,
    responses={
        401: {"model": ErrorResponseModel, "description": "Wrong admin token"},
        403: {"model": ErrorResponseModel, "description": "No admin token is set"},
        429: {"model": ErrorResponseModel, "description": "Too many attempts"},
    },
)
async def sign_in(body: SessionRequest, request: Request, services: ServicesDep) -> Response:
    """Sign the console in with the admin token (`KIZUNA_ADMIN_TOKEN`): the answer sets an
    HttpOnly, SameSite=Strict session cookie derived from the token, which the control plane
    then takes in place of `Authorization: Bearer`. Rotating the token ends every session."""
    token = services.settings.admin_token
    if not token:
        raise Forbidden(LOOPBACK_ONLY)
    client = request.client.host if request.client else "unknown"
    window = int(time.time()) // 60
    key = f"{PREFIX}console-session:{client}:{window}:60"
    if await services.rate_counter.hit(key, 60) > ATTEMPTS_PER_MINUTE:
        raise TooManyRequests(TOO_MANY)
    if not hmac.compare_digest(body.token.encode(), token.encode()):
        raise Unauthorized(WRONG_TOKEN)
    signed_in = Response(status_code=204)
    signed_in.set_cookie(
        SESSION_COOKIE,
        session_value(token.encode()).decode(),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_over_https(request),
    )
    return signed_in


@router.delete("", status_code=204)
async def sign_out(request: Request) -> Response:
    """Sign the console out: the session cookie is cleared."""
    signed_out = Response(status_code=204)
    signed_out.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_over_https(request)
    )
    return signed_out


def _over_https(request: Request) -> bool:
    # Behind a TLS-terminating proxy the request reaches Kizuna over plain HTTP.
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"
