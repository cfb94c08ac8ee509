"""The account manager features are documented in the app's OpenAPI: every route has its tag,
a summary and a response schema."""

import httpx

from tests.support.live import LiveServer

TAGS = {
    "control: plans",
    "control: shop cards",
    "control: surveys",
    "control: one-to-one chat",
}


def test_every_account_route_is_documented(server: LiveServer) -> None:
    paths = httpx.get(f"{server.base_url}/openapi.json").json()["paths"]
    documented = [
        (path, method, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if set(operation.get("tags", [])) & TAGS
    ]
    assert {tag for _, _, op in documented for tag in op["tags"]} >= TAGS
    assert len(documented) == 29  # plans 5, shop cards 4, surveys 8, one-to-one chat 12
    for path, method, operation in documented:
        assert operation.get("summary"), (method, path)
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success, (method, path)
        if success != ["204"]:
            assert "content" in operation["responses"][success[0]], (method, path)
    lottery = paths["/_kizuna/channels/{channelId}/coupons/{couponId}/lottery"]["get"]
    assert "content" in lottery["responses"]["200"]
