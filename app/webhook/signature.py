import base64
import hashlib
import hmac


def sign(channel_secret: str, body: bytes) -> str:
    """`X-Line-Signature`: base64 of HMAC-SHA256 over the exact body bytes, keyed by the secret."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
