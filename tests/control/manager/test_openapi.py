"""Every manager route is in the app's OpenAPI, tagged, described, with its response model."""

from app.main import create_app

PREFIX = "/_kizuna/channels/{channelId}/manager/"
ROUTES = {
    ("get", "response-settings"),
    ("put", "response-settings"),
    ("get", "greeting"),
    ("put", "greeting"),
    ("get", "responses"),
    ("post", "responses"),
    ("get", "responses/{ruleId}"),
    ("put", "responses/{ruleId}"),
    ("delete", "responses/{ruleId}"),
    ("get", "steps"),
    ("post", "steps"),
    ("get", "steps/{scenarioId}"),
    ("delete", "steps/{scenarioId}"),
    ("get", "sends"),
    ("post", "sends"),
    ("get", "sends/{sendId}"),
    ("delete", "sends/{sendId}"),
    ("post", "test-sends"),
    ("get", "operators"),
    ("put", "operators"),
    ("get", "campaigns"),
    ("post", "campaigns"),
    ("get", "campaigns/{campaignId}"),
}


def test_manager_routes_are_documented() -> None:
    spec = create_app().openapi()
    found = {
        (method, path.removeprefix(PREFIX))
        for path, operations in spec["paths"].items()
        if path.startswith(PREFIX)
        for method in operations
    }
    assert found == ROUTES
    for method, rest in ROUTES:
        operation = spec["paths"][PREFIX + rest][method]
        assert operation["tags"] == ["control: account manager"]
        assert operation.get("summary")
        success = next(code for code in operation["responses"] if code.startswith("2"))
        if success != "204":
            schema = operation["responses"][success]["content"]["application/json"]["schema"]
            assert "$ref" in schema or "$ref" in schema.get("items", {}), (method, rest)
    for name in ("SendView", "CampaignView", "Statistics", "ScenarioView", "RuleView"):
        assert name in spec["components"]["schemas"]
