"""`kizuna`: serve, worker, migrate, seed."""

import asyncio
import contextlib
import os
import signal
from types import FrameType
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import Settings
from app.control.channels.service import ChannelService, NewChannel
from app.control.users.service import UserService
from app.kit.clock import Clock
from app.kit.db import create_engine, create_session_maker, transaction
from app.kit.errors import LineError
from app.kit.ids import IdFactory
from app.kit.logging import configure_logging, log_config
from app.kit.migrate import run_migrations

cli = typer.Typer(help="Kizuna: a self-hosted platform that speaks the LINE Messaging API.")
console = Console()


async def _demo_channel(settings: Settings) -> tuple[NewChannel, bool]:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_maker(engine)) as session:
            return await ChannelService(session, Clock(), IdFactory(settings.seed)).ensure_demo()
    finally:
        await engine.dispose()


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (KIZUNA_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (KIZUNA_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
) -> None:
    """Migrate the database, make sure a demo channel exists, and serve."""
    # The server processes read their settings from the environment, so overrides go there.
    for name, value in (("KIZUNA_HOST", host), ("KIZUNA_PORT", port)):
        if value is not None:
            os.environ[name] = str(value)
    settings = Settings()
    try:
        settings.check_exposure()
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    run_migrations(settings.resolved_database_url)
    if settings.demo_channel:
        demo, created = asyncio.run(_demo_channel(settings))
        _print_demo(settings, demo, created)
    # uvicorn shuts down gracefully on SIGTERM, then restores the handler it found and raises
    # the signal again: with the default handler a clean shutdown would die by the signal
    # (-15), which supervisors report as a crash. With this one it is a normal exit.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        log_config=log_config(settings.log_level, settings.log_format),
        access_log=False,
        env_file=None,
    )


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _print_demo(settings: Settings, demo: NewChannel, created: bool) -> None:
    channel = demo.channel
    base = settings.base_url
    lines = [
        f"[bold]Kizuna[/bold]: {'created the' if created else 'the'} demo channel "
        f"({channel.name}), database {_redact(settings.resolved_database_url)}",
        f"  channel id      {channel.channel_id}",
        f"  channel secret  {channel.secret}",
        f"  bot user id     {channel.bot_user_id}",
        f"  access token    {demo.access_token}",
        f'  try: curl -H "Authorization: Bearer {demo.access_token}" {base}/v2/bot/info',
        f"  console         {base}/console",
    ]
    for line in lines:
        # soft_wrap: a token broken over two lines cannot be copied.
        console.print(line, soft_wrap=True, highlight=False)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}" if ":" in credentials else url
    return url


@cli.command()
def worker() -> None:
    """Run an arq worker (scaled mode; needs REDIS_URL)."""
    from arq.worker import run_worker

    from app.worker import worker_settings

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        options = worker_settings(settings)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    # The server's loop is uvloop (uvicorn picks it when installed); the worker's was asyncio's
    # own, which cost the dispatcher about a third more CPU per webhook request.
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    run_worker(options)


@cli.command()
def migrate() -> None:
    """Bring the database to the latest revision."""
    settings = Settings()
    run_migrations(settings.resolved_database_url)
    console.print(f"migrated {_redact(settings.resolved_database_url)}")


@cli.command()
def seed(
    channel: Annotated[str, typer.Option(help="Channel id (10 digits)")],
    count: Annotated[int, typer.Option(min=1, help="How many befriended users to create")],
    seed: Annotated[int | None, typer.Option(min=0, help="Seed of the drawn attributes")] = None,
    batch: Annotated[int, typer.Option(min=1, help="Users per transaction")] = 250_000,
) -> None:
    """Create COUNT users drawn from a seeded distribution, all friends of CHANNEL."""
    settings = Settings()
    run_migrations(settings.resolved_database_url)
    try:
        asyncio.run(_seed(settings, channel, count, seed, batch))
    except LineError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc


async def _seed(
    settings: Settings, channel_id: str, count: int, seed: int | None, batch: int
) -> None:
    engine = create_engine(settings.resolved_database_url)
    session_maker = create_session_maker(engine)
    clock, ids = Clock(), IdFactory(settings.seed)
    try:
        async with transaction(session_maker) as session:
            channel = await ChannelService(session, clock, ids).get(channel_id)
        seed = seed if seed is not None else int(ids.message_id()[:9])
        columns = (
            TextColumn("[bold]seeding"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("seed", total=count)
            done = 0
            while done < count:
                size = min(batch, count - done)
                async with transaction(session_maker) as session:
                    await UserService(session, clock, ids).seed_friends(channel, size, seed)
                done += size
                progress.update(task, completed=done)
        console.print(f"{count} friends of {channel_id} created (seed {seed})")
    finally:
        await engine.dispose()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
