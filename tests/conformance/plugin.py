"""The LINE conformance check as a pytest plugin (the repository's root conftest loads it).

Every Kizuna app built during the session answers through `SpecCheck`; after each test the
responses it got are validated against `../shared/line-openapi/`, and a test with a response
that breaks the spec fails. The session ends with the operations exercised and validated.
"""

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import spec


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--conformance-report",
        default=None,
        metavar="PATH",
        help="write the LINE conformance report (operations exercised, validated) as JSON",
    )


def pytest_configure(config: pytest.Config) -> None:
    spec.install()


def _failure(problems: list[str], when: str) -> str:
    shown = "\n".join(problems[:50])
    more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
    return f"responses that break the official LINE spec ({when}):\n{shown}{more}"


@pytest.fixture(autouse=True)
def line_responses_match_the_spec() -> Iterator[None]:
    stale = spec.LEDGER.check_pending()
    if stale:
        pytest.fail(_failure(stale, "answered before this test began, late for the one before"))
    yield
    problems = spec.LEDGER.check_pending()
    if problems:
        pytest.fail(_failure(problems, "answered during this test"))


# Under pytest-xdist each worker keeps its own ledger and hands its report to the controller,
# which prints (and writes) the reports merged.
WORKER_REPORTS: list[dict[str, Any]] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    late = spec.LEDGER.check_pending()
    if late and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["kizuna_conformance"] = spec.LEDGER.report()


def pytest_testnodedown(node: Any, error: object) -> None:
    report = getattr(node, "workeroutput", {}).get("kizuna_conformance")
    if report is not None:
        WORKER_REPORTS.append(report)


def merged(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from several workers' (the same shape as `Ledger.report`)."""
    exercised: dict[tuple[str, str], dict[str, Any]] = {}
    for report in reports:
        for entry in report["exercised"]:
            key = (entry["spec"], entry["operation"])
            into = exercised.setdefault(
                key, {**entry, "responses": 0, "validated": 0, "statuses": Counter()}
            )
            into["responses"] += entry["responses"]
            into["validated"] += entry["validated"]
            into["statuses"].update(entry["statuses"])
    outside: Counter[str] = Counter()
    for report in reports:
        outside.update(report["outside_the_spec"])
    names = set(exercised)
    every = {(e["spec"], e["operation"]) for r in reports for e in r["not_exercised"]} | names
    return {
        "responses": sum(r["responses"] for r in reports),
        "validated": sum(r["validated"] for r in reports),
        "violations": [v for r in reports for v in r["violations"]],
        "exercised": [
            {**exercised[key], "statuses": dict(sorted(exercised[key]["statuses"].items()))}
            for key in sorted(exercised)
        ],
        "not_exercised": [
            {"spec": spec_file, "operation": label} for spec_file, label in sorted(every - names)
        ],
        "outside_the_spec": dict(sorted(outside.items())),
    }


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    report = merged(WORKER_REPORTS) if WORKER_REPORTS else spec.LEDGER.report()
    path = config.getoption("--conformance-report")
    if path:
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
    if not report["responses"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section("LINE conformance (../shared/line-openapi)")
    exercised, missing = report["exercised"], report["not_exercised"]
    write(
        f"{report['responses']} responses to {len(exercised)} of "
        f"{len(exercised) + len(missing)} spec operations; {report['validated']} validated "
        f"against a response schema; {len(report['violations'])} violations"
    )
    width = max(len(entry["operation"]) for entry in exercised)
    for entry in exercised:
        statuses = " ".join(f"{code}x{count}" for code, count in entry["statuses"].items())
        write(
            f"  {entry['spec']:<26} {entry['operation']:<{width}} "
            f"{entry['responses']:>6} responses {entry['validated']:>6} validated  {statuses}"
        )
    if missing:
        write(f"not exercised: {len(missing)} operations (--conformance-report lists them)")
    for problem in report["violations"]:
        write(f"VIOLATION {problem}", red=True)
