"""Body limits beyond the LINE routes' 2 MB (tests/kit/test_http.py): the control plane and the
audience upload by file are held to KIZUNA_MAX_UPLOAD_BYTES, declared or streamed."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.kit.migrate import run_migrations
from tests.support.live import LiveServer

LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("limits") / "kizuna.db"
    url = f"sqlite+aiosqlite:///{path}"
    run_migrations(url)
    server = LiveServer(url, KIZUNA_MAX_UPLOAD_BYTES=LIMIT).start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "path", ["/_kizuna/users", "/_kizuna/channels", "/v2/bot/audienceGroup/upload/byFile"]
)
def test_uploads_over_the_upload_limit_are_413(small: LiveServer, path: str) -> None:
    channel = httpx.post(f"{small.base_url}/_kizuna/channels", json={"name": "Limits"}).json()
    headers = {"Authorization": f"Bearer {channel['accessToken']}"}

    def chunks() -> Iterator[bytes]:
        # A form that starts well: what is refused is its size, not its shape.
        yield (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="ids.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n"
        )
        for _ in range(2):
            yield ("U" + "0" * 31 + "1\n").encode() * (LIMIT // 34)

    declared = httpx.post(
        small.base_url + path,
        content=b"x" * (LIMIT + 1),
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    streamed = httpx.post(
        small.base_url + path,
        content=chunks(),
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    for response in (declared, streamed):
        assert response.status_code == 413, (response is declared, response.text)
        assert response.json() == {"message": "The request body is too large (at most 1 MB)"}
    users = httpx.post(f"{small.base_url}/_kizuna/users", json={"displayName": "Under"})
    assert users.status_code == 201  # under it, all is well
