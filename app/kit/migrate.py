import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

_HERE = Path(__file__).resolve().parent.parent


def _script_location() -> Path:
    # In a checkout the revisions sit beside the package; an installed wheel ships them inside it.
    for candidate in (_HERE.parent / "migrations", Path(sys.prefix) / "share/kizuna/migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise RuntimeError("Kizuna's migrations folder was not found next to the app package")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def run_migrations(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision`. Blocking: call it outside the event loop."""
    command.upgrade(alembic_config(database_url), revision)
