"""Counting the SQL statements a live server runs, to check a view does not run one per item."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.support.live import LiveServer


@contextmanager
def statements(server: LiveServer) -> Iterator[list[str]]:
    """The statements the server's engine executes inside the block, as they run."""
    executed: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        executed.append(statement)

    engine = server.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", record)


def counted(server: LiveServer, call: Callable[[], object], *, tries: int = 3) -> int:
    """How many statements `call` (a read-only request to the server) made it execute.

    The server's background work (jobs finishing, schedulers ticking) runs on the same engine
    and only ever adds statements, so the fewest seen over a few tries is the request's own.
    """
    seen = []
    for _ in range(tries):
        with statements(server) as executed:
            call()
        seen.append(len(executed))
    return min(seen)
