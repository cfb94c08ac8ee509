"""The bot framework's docs page: its Python compiles and the quick start builds a bot."""

import re
from pathlib import Path

import pytest

from app.bot import Bot, WebhookApp

DOC = Path(__file__).parents[2] / "docs" / "bot-framework.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_every_python_block_compiles() -> None:
    assert len(BLOCKS) >= 5
    for number, block in enumerate(BLOCKS):
        compile(block, f"{DOC.name}[{number}]", "exec")


def test_the_quick_start_builds_a_served_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANNEL_SECRET", "0" * 32)
    monkeypatch.setenv("CHANNEL_ACCESS_TOKEN", "token")
    namespace: dict[str, object] = {}
    exec(compile(BLOCKS[0], DOC.name, "exec"), namespace)
    bot, app = namespace["bot"], namespace["app"]
    assert isinstance(bot, Bot) and isinstance(app, WebhookApp)
    assert bot.configuration.host == "http://127.0.0.1:8080"
    assert len(bot.handlers) == 3
