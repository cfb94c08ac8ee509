"""Who may use the control plane (`/_kizuna`), `/metrics` and the console.

They can create channels, read every inbox and reset everything, so by default `kizuna serve`
listens on loopback only and they answer loopback clients. Once Kizuna is exposed (bound to
another interface, or `KIZUNA_CONTROL_EXPOSED=true` behind a proxy) every request to them needs
`Authorization: Bearer $KIZUNA_ADMIN_TOKEN`, and Kizuna refuses to start exposed without one.
The LINE routes are not concerned: their channel access tokens guard them.
"""

import hmac
import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.asgi import send_json

GUARDED_PREFIXES = ("/_kizuna", "/metrics", "/console")
# What a container's health check asks from inside, without the token: up or not, no data.
OPEN_PATHS = frozenset({"/_kizuna/health"})
NEEDS_TOKEN = (
    "The control plane needs the admin token: 'Authorization: Bearer <KIZUNA_ADMIN_TOKEN>'"
)
LOOPBACK_ONLY = "The control plane answers loopback clients only (set KIZUNA_ADMIN_TOKEN)"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AdminGuard:
    def __init__(self, app: ASGIApp, *, token: str | None, exposed: bool) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.exposed = exposed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(GUARDED_PREFIXES) or path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if not self.exposed and is_loopback(client[0] if client else None):
            await self.app(scope, receive, send)
            return
        if self.token is None:
            await send_json(send, 403, {"message": LOOPBACK_ONLY})
            return
        if not hmac.compare_digest(_bearer(scope), self.token):
            await send_json(send, 401, {"message": NEEDS_TOKEN})
            return
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            return token.strip() if scheme.lower() == b"bearer" else b""
    return b""
