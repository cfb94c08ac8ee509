# Loaded for every test under the repository (tests/ and examples/ alike): every LINE-route
# response of every Kizuna app the suite builds is checked against the official spec.
pytest_plugins = ["tests.conformance.plugin"]
