"""The LINE conformance check as a pytest plugin (the repository's root conftest loads it).

Every Kizuna app built during the session answers through `SpecCheck`; after each test the
responses it got are validated against `../shared/line-openapi/`, and a test with a response
that breaks the spec fails. The session ends with the operations exercised and validated.
"""

import json
from collections.abc import Iterator
from pathlib import Path

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


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    late = spec.LEDGER.check_pending()
    if late and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    path = session.config.getoption("--conformance-report")
    if path:
        Path(path).write_text(json.dumps(spec.LEDGER.report(), indent=2) + "\n")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report = spec.LEDGER.report()
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
