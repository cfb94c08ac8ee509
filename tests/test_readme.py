"""The README's tour is run against a live server, so what it promises stays true."""

import contextlib
import io
import os
import re
from pathlib import Path

from tests.support.control import Control
from tests.support.live import LiveServer

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_tour_runs_as_written(server: LiveServer, control: Control) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "the README has no python tour"
    tour = blocks[0]
    os.environ["KIZUNA_URL"] = server.base_url
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            exec(compile(tour, str(README), "exec"), {"__name__": "tour"})
    finally:
        del os.environ["KIZUNA_URL"]
    printed = output.getvalue().split()
    promised = re.findall(r"print\(.*\)\s+# (\S+(?: \S+)*)", tour)
    assert printed == " ".join(promised).split()
