from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Kizuna has; read once from the environment (and `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".kizuna"), validation_alias="KIZUNA_DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    # The arq queue (Redis key) that servers enqueue to and workers take from.
    queue_name: str = Field(default="kizuna:queue", validation_alias="KIZUNA_QUEUE_NAME")
    host: str = Field(default="127.0.0.1", validation_alias="KIZUNA_HOST")
    port: int = Field(default=8080, validation_alias="KIZUNA_PORT")
    # Needed for the control plane, /metrics and the console once Kizuna is exposed.
    admin_token: str | None = Field(default=None, validation_alias="KIZUNA_ADMIN_TOKEN")
    # Unset: exposed when `host` is not a loopback address. Set true behind a proxy on loopback.
    control_exposed: bool | None = Field(default=None, validation_alias="KIZUNA_CONTROL_EXPOSED")
    # `json` (one object a line, with the request id) or `text` (for a terminal).
    log_format: Literal["json", "text"] = Field(
        default="json", validation_alias="KIZUNA_LOG_FORMAT"
    )
    # Public base URL used in links Kizuna hands out (content URLs, console).
    public_url: str | None = Field(default=None, validation_alias="KIZUNA_PUBLIC_URL")
    # Seeds the id factory so that ids repeat run after run (tests, demos).
    seed: int | None = Field(default=None, validation_alias="KIZUNA_SEED")
    rate_limits: Literal["on", "off"] = Field(default="on", validation_alias="KIZUNA_RATE_LIMITS")
    log_level: str = Field(default="info", validation_alias="KIZUNA_LOG_LEVEL")
    # The LINE API caps request bodies at 2 MB.
    max_body_bytes: int = Field(default=2 * 1024 * 1024, validation_alias="KIZUNA_MAX_BODY_BYTES")
    # Control-plane bodies (a simulated user's media uploads) may be larger.
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024, validation_alias="KIZUNA_MAX_UPLOAD_BYTES"
    )
    # Whether `kizuna serve` creates a demo channel on an empty database.
    demo_channel: bool = Field(default=True, validation_alias="KIZUNA_DEMO_CHANNEL")
    # Friendship keys per fan-out batch job.
    batch_span: int = Field(default=25_000, ge=1, validation_alias="KIZUNA_BATCH_SPAN")
    # Jobs one arq worker runs at once.
    worker_max_jobs: int = Field(default=4, ge=1, validation_alias="KIZUNA_WORKER_MAX_JOBS")
    # How often a worker sends again the fan-out batches not yet delivered (a dead worker's, or
    # jobs Redis lost); a divisor of 60.
    reconcile_seconds: int = Field(
        default=60, ge=1, le=60, validation_alias="KIZUNA_RECONCILE_SECONDS"
    )
    # On SIGTERM a worker stops taking jobs and lets the running ones finish for this long (a
    # server in the embedded mode, its in-process jobs and those they start).
    shutdown_seconds: int = Field(default=30, ge=0, validation_alias="KIZUNA_SHUTDOWN_SECONDS")
    # A worker serves its own /metrics (fan-out and webhook counters) on 127.0.0.1 at this port.
    worker_metrics_port: int | None = Field(
        default=None, validation_alias="KIZUNA_WORKER_METRICS_PORT"
    )
    # One JSON line per request on the `kizuna.access` logger (info).
    access_log: bool = Field(default=False, validation_alias="KIZUNA_ACCESS_LOG")
    db_pool_size: int = Field(default=10, validation_alias="KIZUNA_DB_POOL_SIZE")
    reply_token_seconds: int = Field(
        default=60, ge=1, validation_alias="KIZUNA_REPLY_TOKEN_SECONDS"
    )
    # The platform does not publish its redelivery schedule: seconds after each failed attempt.
    redelivery_delays: str = Field(
        default="10,30,60,300,900", validation_alias="KIZUNA_WEBHOOK_REDELIVERY_DELAYS"
    )
    # Seconds an audience (and an upload job) stays IN_PROGRESS on Kizuna's clock; 0: at once.
    audience_ready_seconds: float = Field(
        default=0, ge=0, validation_alias="KIZUNA_AUDIENCE_READY_SECONDS"
    )
    webhook_max_events: int = Field(default=100, ge=1, validation_alias="KIZUNA_WEBHOOK_MAX_EVENTS")
    webhook_timeout_seconds: float = Field(
        default=2.0, gt=0, validation_alias="KIZUNA_WEBHOOK_TIMEOUT_SECONDS"
    )

    @property
    def reconcile_at(self) -> set[int]:
        """The seconds of each minute at which workers reconcile."""
        every = self.reconcile_seconds if 60 % self.reconcile_seconds == 0 else 60
        return set(range(30 % every, 60, every))

    @property
    def redelivery_schedule(self) -> list[float]:
        return [float(part) for part in self.redelivery_delays.split(",") if part.strip()]

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'kizuna.db').resolve()}"

    @property
    def exposed(self) -> bool:
        """Whether the control plane may be reached from other machines (it then needs the
        admin token)."""
        from app.kit.admin import is_loopback

        if self.control_exposed is not None:
            return self.control_exposed
        return not is_loopback(self.host)

    def check_exposure(self) -> None:
        """Refuse to serve an exposed control plane that anyone could use."""
        if self.exposed and not self.admin_token:
            raise RuntimeError(
                f"Kizuna would listen on {self.host}, beyond loopback, with an open control "
                "plane: set KIZUNA_ADMIN_TOKEN (or listen on 127.0.0.1)"
            )

    @property
    def base_url(self) -> str:
        """Where clients reach this server: behind a proxy or a container's port mapping that
        is not where it listens (`http://0.0.0.0:8080` is nowhere a browser can go)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`, `sqlite:///`)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url
