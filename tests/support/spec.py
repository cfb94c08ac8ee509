"""Validating responses against the official OpenAPI files in ../shared/line-openapi/."""

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "line-openapi"


@dataclass(frozen=True)
class Operation:
    spec_file: str
    path: str
    method: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]
    components: dict[str, Any]


@functools.cache
def operations() -> list[Operation]:
    found: list[Operation] = []
    for spec_path in sorted(SPEC_DIR.glob("*.yml")):
        spec = yaml.safe_load(spec_path.read_text())
        for path, item in spec.get("paths", {}).items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
            for method, operation in item.items():
                if method in {"get", "post", "put", "delete", "patch"}:
                    found.append(
                        Operation(
                            spec_path.name,
                            path,
                            method.upper(),
                            re.compile(regex),
                            operation.get("responses", {}),
                            spec.get("components", {}),
                        )
                    )
    # Literal paths win over templated ones (/v2/bot/richmenu/list before /{richMenuId}).
    found.sort(key=lambda op: op.path.count("{"))
    return found


def find_operation(method: str, path: str) -> Operation | None:
    for operation in operations():
        if operation.method == method and operation.pattern.match(path):
            return operation
    return None


def schema_errors(method: str, path: str, status: int, body: Any) -> list[str]:
    """Why a response does not match the spec ([] when it does, or the spec says nothing)."""
    operation = find_operation(method, path)
    if operation is None:
        if status >= 400:
            return []  # refusing an unknown route is right
        return [f"{method} {path} answered {status} but is not an operation of the official spec"]
    response = operation.responses.get(str(status))
    if response is None:
        if status >= 400:
            return []  # error statuses are mostly undocumented in the spec files
        return [f"{method} {operation.path} has no documented {status} response"]
    content = (response.get("content") or {}).get("application/json")
    if content is None or "schema" not in content:
        return []
    schema = {**content["schema"], "components": operation.components}
    validator = OAS30Validator(schema)
    return [
        f"{method} {operation.path} {status}: {error.message} at {list(error.absolute_path)}"
        for error in validator.iter_errors(body)
    ]
