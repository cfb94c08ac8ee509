"""Who may use the control plane (`/_kizuna`), `/metrics` and the console.

They can create channels, read every inbox and reset everything, so by default `kizuna serve`
listens on loopback only and they answer loopback clients. Once Kizuna is exposed (bound to
another interface, or `KIZUNA_CONTROL_EXPOSED=true` behind a proxy) every request to them needs
`Authorization: Bearer $KIZUNA_ADMIN_TOKEN`, and Kizuna refuses to start exposed without one.
The LINE routes are not concerned: their channel access tokens guard them.

A browser cannot add that header to a page load or an `<img src>`, so the console signs in
instead: its static shell (`/console/…`, no data in it) loads without the token, the person
pastes the token into its form, and `POST /_kizuna/console/session` answers with a session
cookie the guard takes in place of the header. The cookie holds `session_value(token)`, an
HMAC keyed with the token: it never reveals the token (which also works as a Bearer for
scripts), and rotating the token ends every session.

Cookies ride along requests other sites make, so a request the cookie alone authenticates is
protected against cross-site request forgery twice:
- the cookie is `SameSite=Strict`: a browser leaves it off every request another site starts;
- an unsafe request (not GET/HEAD/OPTIONS) without the Bearer header is refused when its
  `Origin` names another origin than the one it was sent to (`Host`, or the proxy's
  `X-Forwarded-Host`). Browsers send `Origin` with every cross-origin POST, PUT and DELETE, and
  a page cannot forge it nor add `X-Forwarded-Host` (no CORS here), so this also covers a
  sibling origin of the same site (another port or subdomain), which SameSite lets through. A
  request without `Origin` did not come from another origin's page.
"""

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.asgi import send_json

GUARDED_PREFIXES = ("/_kizuna", "/metrics", "/console")
# What a container's health check asks from inside, without the token: up or not, no data.
# Signing in and out take no credentials: the route checks the token itself.
SESSION_PATH = "/_kizuna/console/session"
OPEN_PATHS = frozenset({"/_kizuna/health", SESSION_PATH})
# The console's page, modules and style: no data, so the sign-in form can load.
CONSOLE_SHELL = "/console"
SESSION_COOKIE = "kizuna_console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NEEDS_TOKEN = (
    "The control plane needs the admin token: 'Authorization: Bearer <KIZUNA_ADMIN_TOKEN>'"
)
LOOPBACK_ONLY = "The control plane answers loopback clients only (set KIZUNA_ADMIN_TOKEN)"
FOREIGN_ORIGIN = "The control plane refuses a signed-in request sent from another origin"
_SESSION_LABEL = b"kizuna console session v1"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def session_value(token: bytes) -> bytes:
    """The console's session cookie for this admin token."""
    return hmac.new(token, _SESSION_LABEL, hashlib.sha256).hexdigest().encode()


class AdminGuard:
    def __init__(self, app: ASGIApp, *, token: str | None, exposed: bool) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.session = session_value(self.token) if self.token else None
        self.exposed = exposed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(GUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if not self.exposed and is_loopback(client[0] if client else None):
            await self.app(scope, receive, send)
            return
        if self.token is None or self.session is None:
            if path in OPEN_PATHS:
                await self.app(scope, receive, send)
            else:
                await send_json(send, 403, {"message": LOOPBACK_ONLY})
            return
        headers = scope.get("headers", [])
        if hmac.compare_digest(_bearer(headers), self.token):
            await self.app(scope, receive, send)
            return
        if scope.get("method", "GET") not in SAFE_METHODS and not _same_origin(headers):
            await send_json(send, 403, {"message": FOREIGN_ORIGIN})
            return
        if (
            path in OPEN_PATHS
            or path == CONSOLE_SHELL
            or path.startswith(CONSOLE_SHELL + "/")
            or hmac.compare_digest(_cookie(headers, SESSION_COOKIE), self.session)
        ):
            await self.app(scope, receive, send)
            return
        await send_json(send, 401, {"message": NEEDS_TOKEN})


Headers = list[tuple[bytes, bytes]]


def _header(headers: Headers, wanted: bytes) -> bytes | None:
    for name, value in headers:
        if name == wanted:
            return value
    return None


def _bearer(headers: Headers) -> bytes:
    scheme, _, token = (_header(headers, b"authorization") or b"").partition(b" ")
    return token.strip() if scheme.lower() == b"bearer" else b""


def _cookie(headers: Headers, wanted: str) -> bytes:
    for name, value in headers:
        if name != b"cookie":
            continue
        for pair in value.split(b";"):
            key, _, found = pair.strip().partition(b"=")
            if key == wanted.encode():
                return found.strip()
    return b""


def _same_origin(headers: Headers) -> bool:
    origin = _header(headers, b"origin")
    if origin is None:
        return True
    # `Origin: null` (a sandboxed frame, a redirect across origins) names no origin of ours.
    try:
        sent_from = urlsplit(origin.decode("latin-1")).netloc.lower()
    except ValueError:  # not a URL at all (`http://[::1`): no origin of ours either
        return False
    hosts = (_header(headers, b"host"), _header(headers, b"x-forwarded-host"))
    return bool(sent_from) and any(
        host is not None and sent_from == host.decode("latin-1").split(",")[0].strip().lower()
        for host in hosts
    )
