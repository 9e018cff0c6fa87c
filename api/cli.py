"""The ``tracker`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import msgspec
import segno

from api import logs
from models import keys, organisations, schema, vault
from models.errors import ConfigurationError, TrackerError
from models.people import devices, enrolment, staff
from models.settings import Settings


def _print_json(value: Any) -> None:
    sys.stdout.write(msgspec.json.encode(value).decode() + "\n")


def _with_database(settings: Settings, work: Callable[[], Awaitable[Any]] | None = None) -> Any:
    """Connect, apply pending migrations, then do ``work``."""

    async def run() -> Any:
        async with schema.connected(settings) as engine:
            keys.load(settings)  # a migration may seal again what older ones sealed
            await schema.migrate(engine)
            await keys.unlock(settings)
            return await work() if work else None

    return asyncio.run(run())


#: Why SQLite serves from one process: ``models/sqlite_engine.py`` gives every write of a
#: process to one writer thread; a second process would contend for the file's lock.
ONE_WRITER = (
    "--workers above 1 needs PostgreSQL: on SQLite one process owns the writer (every write "
    "of the database goes through that process's one writer thread). Serve with one process, "
    "or set TRACKER_DATABASE_URL to a postgresql:// database"
)

WORKER_HEALTHCHECK_SECONDS = 30


def serving_app() -> Any:
    """The app of one worker of ``serve --workers N`` (uvicorn calls this in each worker
    process it starts). Workers never run the jobs: the supervising process does."""
    from api.app import create_app

    settings = Settings.from_environment()
    logs.configure(settings.log_level)
    return create_app(settings, run_jobs=False)


async def _scheduled(settings: Settings, stop: asyncio.Event) -> None:
    """The scheduler, on a connected database, until ``stop`` is set."""
    from jobs.scheduler import scheduler_for
    from jobs.webhooks import close_client

    scheduler = scheduler_for(settings)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await close_client()


async def _run_jobs(settings: Settings, stop: asyncio.Event) -> None:
    """The scheduler until ``stop`` is set, holding the database's "in-use" lock."""
    async with schema.connected(settings), keys.in_use():
        await keys.unlock(settings)
        await _scheduled(settings, stop)


@contextlib.contextmanager
def _jobs_beside(settings: Settings) -> Iterator[None]:
    """The jobs in a thread of this process for as long as the block runs."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_run_jobs(settings, stop))
        except Exception:
            logging.getLogger(__name__).exception("the scheduled jobs stopped")
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="jobs", daemon=True)
    thread.start()
    try:
        yield
    finally:
        with contextlib.suppress(RuntimeError):  # the loop already ended
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)


def serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from api.app import create_app

    if args.workers > 1 and not settings.uses_postgres:
        raise ConfigurationError(ONE_WRITER)
    _with_database(settings)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": settings.log_level.lower(),
        "log_config": None,  # uvicorn's records go through our JSON lines too
        "proxy_headers": False,
        "ssl_certfile": args.certfile,
        "ssl_keyfile": args.keyfile,
    }
    if args.workers == 1:
        uvicorn.run(create_app(settings, run_jobs=not args.no_jobs), **options)
        return
    # N worker processes share one socket; the jobs run once, in this supervising process
    # (uvicorn starts a worker again when one dies).
    jobs_here = contextlib.nullcontext() if args.no_jobs else _jobs_beside(settings)
    with jobs_here:
        uvicorn.run(
            "api.cli:serving_app",
            factory=True,
            workers=args.workers,
            # A worker that has not answered for this long is taken for hung and replaced;
            # uvicorn's 5 s is shorter than a worker's start on a busy machine.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **options,
        )


def jobs(settings: Settings, args: argparse.Namespace) -> None:
    from jobs.scheduler import run_every_job_once

    async def run() -> None:
        async with schema.connected(settings) as engine, keys.in_use():
            keys.load(settings)
            await schema.migrate(engine)
            await keys.unlock(settings)
            if args.once:
                await run_every_job_once(settings)
                return
            await _scheduled(settings, asyncio.Event())  # until interrupted

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


def migrate(settings: Settings, _: argparse.Namespace) -> None:
    _with_database(settings)
    _print_json({"migrated": True})


def org_add(settings: Settings, args: argparse.Namespace) -> None:
    organisation = _with_database(
        settings,
        lambda: organisations.add_organisation(
            name=args.name, kind=args.kind, country=args.country
        ),
    )
    _print_json({"id": str(organisation.id)})


def org_list(settings: Settings, _: argparse.Namespace) -> None:
    found = _with_database(settings, organisations.list_organisations)
    _print_json(
        [{"id": str(o.id), "name": o.name, "kind": o.kind, "country": o.country} for o in found]
    )


def user_add(settings: Settings, args: argparse.Namespace) -> None:
    user, token = _with_database(
        settings,
        lambda: organisations.add_user(
            organisation_id=args.org, name=args.name, coordinator=args.coordinator
        ),
    )
    _print_json({"id": str(user.id), "token": token})


def user_enrol(settings: Settings, args: argparse.Namespace) -> None:
    issued = _with_database(
        settings,
        lambda: enrolment.issue_code(
            caller=None,
            user_id=args.user,
            public_url=settings.public_url,
            valid_for=timedelta(hours=args.hours),
        ),
    )
    _print_json({"code": issued.code, "url": issued.url, "expires_at": issued.expires_at})
    if args.qr:
        # On standard error, so that standard output stays one JSON document.
        segno.make(issued.url, error="m").terminal(out=sys.stderr, compact=True)


def user_invite(settings: Settings, args: argparse.Namespace) -> None:
    issued = _with_database(
        settings,
        lambda: staff.invite(
            caller=None, user_id=args.user, email=args.email, public_url=settings.public_url
        ),
    )
    _print_json({"url": issued.url, "expires_at": issued.expires_at})


def token_list(settings: Settings, args: argparse.Namespace) -> None:
    found = _with_database(settings, lambda: devices.devices_of(caller=None, user_id=args.user))
    _print_json(
        [
            {
                "device_id": str(d.id),
                "device": d.name,
                "enrolled_at": d.enrolled_at,
                "last_seen_at": d.last_seen_at,
                "state": d.state,
            }
            for d in found
        ]
    )


def token_revoke(settings: Settings, args: argparse.Namespace) -> None:
    if args.device:
        _with_database(settings, lambda: devices.revoke_device(caller=None, device_id=args.device))
        _print_json({"revoked": True})
        return
    token = args.token or sys.stdin.readline().strip()
    revoked = _with_database(settings, lambda: organisations.revoke_token(token))
    _print_json({"revoked": revoked})
    if not revoked:
        raise SystemExit(1)


def keys_new(_: Settings, __: argparse.Namespace) -> None:
    _print_json({"key": vault.new_key()})


def keys_rotate(settings: Settings, _: argparse.Namespace) -> None:
    async def run() -> int:
        async with schema.connected(settings) as engine:
            keys.load(settings)
            await schema.migrate(engine)
            return await keys.rotate(settings)

    _print_json({"resealed": asyncio.run(run())})


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("must be a whole number, 1 or more")
    return int(value)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError("must be an id (a UUID)") from None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="tracker", description="Reintegration follow-up tracker")
    commands = root.add_subparsers(dest="command", required=True)

    command = commands.add_parser("serve", help="apply migrations and serve the API")
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)
    command.add_argument("--no-jobs", action="store_true", help="do not run scheduled jobs")
    command.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="serve from N processes on one socket (PostgreSQL only); the jobs run once, "
        "in the process that supervises them",
    )
    command.add_argument(
        "--certfile", help="serve https with this PEM certificate (chain); phones need https"
    )
    command.add_argument("--keyfile", help="the certificate's PEM private key")
    command.set_defaults(run=serve)

    commands.add_parser("migrate", help="apply migrations").set_defaults(run=migrate)

    command = commands.add_parser("jobs", help="run the scheduled jobs alone")
    command.add_argument("--once", action="store_true", help="run every job one time and exit")
    command.set_defaults(run=jobs)

    org = commands.add_parser("org", help="organisations").add_subparsers(
        dest="action", required=True
    )
    command = org.add_parser("add", help='add an organisation; prints {"id": …}')
    command.add_argument("--name", required=True)
    command.add_argument(
        "--kind", required=True, choices=[k.value for k in organisations.OrganisationKind]
    )
    command.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. NG")
    command.set_defaults(run=org_add)
    org.add_parser("list", help="list organisations as JSON").set_defaults(run=org_list)

    user = commands.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    command = user.add_parser("add", help='add a user; prints {"id": …, "token": …}')
    command.add_argument("--org", required=True, type=_uuid, help="the organisation's id")
    command.add_argument("--name", required=True)
    command.add_argument(
        "--coordinator", action="store_true", help="manages the organisation's people"
    )
    command.set_defaults(run=user_add)
    command = user.add_parser(
        "enrol", help='a one-time code for a phone; prints {"code", "url", "expires_at"}'
    )
    command.add_argument("--user", required=True, type=_uuid, help="the user's id")
    command.add_argument("--hours", type=int, default=24, help="hours the code works")
    command.add_argument("--qr", action="store_true", help="also draw the link as a QR code")
    command.set_defaults(run=user_enrol)
    command = user.add_parser(
        "invite",
        help="a one-time welcome link (72 h) to set a password and an authenticator; "
        "replaces the person's old ones",
    )
    command.add_argument("--user", required=True, type=_uuid, help="the user's id")
    command.add_argument("--email", required=True, help="the address the person signs in with")
    command.set_defaults(run=user_invite)

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    command = token.add_parser("list", help="list a user's devices")
    command.add_argument("--user", required=True, type=_uuid, help="the user's id")
    command.set_defaults(run=token_list)
    command = token.add_parser(
        "revoke", help="revoke a device by id, or a token (read from stdin when not given)"
    )
    command.add_argument("token", nargs="?")
    command.add_argument("--device", type=_uuid, help="the device's id (see token list)")
    command.set_defaults(run=token_revoke)
    data_keys = commands.add_parser("keys", help="the key sealing personal data")
    data_keys = data_keys.add_subparsers(dest="action", required=True)
    data_keys.add_parser("new", help="print a new key").set_defaults(run=keys_new)
    data_keys.add_parser(
        "rotate", help="seal all personal data with a new key (see README)"
    ).set_defaults(run=keys_rotate)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_environment()
        logs.configure(settings.log_level)
        args.run(settings, args)
    except TrackerError as error:
        sys.stderr.write(f"tracker: {error.detail}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
