"""The command line: ``between run|sandbox|staff|dialogs`` (the same as ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.core.clock import SystemClock
from bot.core.dialog_loader import DialogErrors
from bot.core.dialog_model import DIALOGS_DIR
from bot.core.i18n import Catalog, CatalogError
from bot.core.model import Role
from bot.logs import configure_logging

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="between",
        description="Between: check-ins between network meetings, on Telegram.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling, or a webhook when configured)")
    commands.add_parser(
        "sandbox", help="chat with the bot in this terminal, against a stand-in for Telegram"
    )
    staff = commands.add_parser("staff", help="staff accounts").add_subparsers(
        dest="staff_command", required=True, metavar="ACTION"
    )
    invite = staff.add_parser("invite", help="print a one-time invite link for a staff member")
    invite.add_argument("--role", required=True, choices=["clinician", "peer"])
    invite.add_argument("--name", required=True, help="the name clients will see")
    staff.add_parser("list", help="list staff accounts and unused invites")
    remove = staff.add_parser("remove", help="remove a staff account")
    remove.add_argument(
        "telegram_id", type=int, help="the account's Telegram id (see: staff list)"
    )
    keys = commands.add_parser("keys", help="the encryption key").add_subparsers(
        dest="keys_command", required=True, metavar="ACTION"
    )
    keys.add_parser(
        "rotate", help="re-encrypt everything under a new key, then retire the old one"
    )
    backup = commands.add_parser(
        "backup", help="make a consistent copy of the database (without the key)"
    )
    backup.add_argument("destination", type=Path, help="the new file to write")
    doctor = commands.add_parser(
        "doctor", help="check key, database, permissions, clock, configuration and dialogs"
    )
    doctor.add_argument(
        "--accept-clock",
        action="store_true",
        help="confirm that the clock's time now is right after it jumped (purging goes on)",
    )
    webhook = commands.add_parser("webhook", help="receiving updates by webhook").add_subparsers(
        dest="webhook_command", required=True, metavar="ACTION"
    )
    webhook.add_parser("secret", help="print a new random secret for BOT_WEBHOOK_SECRET")
    dialogs = commands.add_parser("dialogs", help="check or preview the check-in dialogs")
    default_dir = Path(os.environ.get("BOT_DIALOGS_DIR") or DIALOGS_DIR)
    dialogs.add_argument(
        "--dir", type=Path, default=default_dir, help=f"the dialog folder (default: {default_dir})"
    )
    actions = dialogs.add_subparsers(dest="dialogs_command", required=True, metavar="ACTION")
    actions.add_parser("check", help="validate every dialog file")
    preview = actions.add_parser("preview", help="print the transcript a client would see")
    preview.add_argument("name", help="the dialog's id, e.g. checkin")
    preview.add_argument("--capacity", required=True, choices=["least", "middle", "most"])
    preview.add_argument("--language", default="en")
    return parser


async def _check_data(settings: Settings) -> None:
    """Open the data with its key and close it again: a key problem stops us before Telegram."""
    from bot.storage.safekeeping import open_data

    store = await open_data(settings)
    await store.close()


def _run(settings: Settings, catalog: Catalog) -> int:
    from telegram import Update

    from bot.app import build_application
    from bot.storage.safekeeping import run_lock

    app = build_application(settings, catalog)  # a broken dialog stops us here
    with run_lock(settings.database_path):  # one process per database, until we stop
        # A key that does not match stops us here. PTB runs the bot on this same loop: a loop
        # closed by asyncio.run would leave it none to take.
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_check_data(settings))
        except BaseException:
            asyncio.set_event_loop(None)
            loop.close()
            raise
        if settings.service.process.one_core:  # before the bot's threads start: they follow
            from bot.host import keep_to_one_core

            core = keep_to_one_core()
            if core is not None:
                log.info("kept on CPU core %d ([process] one_core)", core)
        webhook = settings.service.webhook
        if webhook is None:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
        else:
            from bot.webhook import run_webhook

            # Our own server, not PTB's: the secret and the body size are checked before the
            # body is read (see bot/webhook.py).
            run_webhook(app, settings)
    return 0


async def _staff(settings: Settings, args: argparse.Namespace) -> tuple[int, list[str]]:
    """The administrator's staff commands; the exit status and the lines to print."""
    from bot.core import usecases
    from bot.storage.safekeeping import open_data

    store = await open_data(settings)
    now = SystemClock().now()
    try:
        if args.staff_command == "invite":
            name = args.name.strip()
            if not name:
                return 2, ["between: --name: must not be empty"]
            valid = timedelta(hours=settings.service.defaults.invite_valid_hours)
            code = await usecases.create_staff_invite(store, Role(args.role), name, now, valid)
            username = settings.service.telegram.bot_username or "between_bot"
            hours = settings.service.defaults.invite_valid_hours
            return 0, [
                f"One-time invite for {name} ({args.role}), valid for {hours} hours:",
                invite_link(username, code),
            ]
        if args.staff_command == "list":
            lines = [
                f"{m.id}\t{m.role.value}\t{m.name}\tsince {m.created_at:%Y-%m-%d}"
                for m in await store.staff_members()
            ] or ["No staff accounts yet."]
            for name, role, expires in await store.pending_staff_invites(now):
                lines.append(
                    f"-\t{role}\t{name}\tinvited, link valid until {expires:%Y-%m-%d %H:%M} UTC"
                )
            return 0, lines
        from bot.bootstrap import schedule_defaults
        from bot.core.planning import Planner

        planner = Planner(store, schedule_defaults(settings))
        removed, told = await usecases.remove_staff(store, store, planner, args.telegram_id, now)
        if removed is None:
            return 1, [f"between: no staff account with Telegram id {args.telegram_id}"]
        lines = [f"Removed {removed.name} ({removed.role.value})."]
        if told:
            lines.append(f"Their {told} client(s) will be told, inside their contact hours.")
        return 0, lines
    finally:
        await store.close()


def invite_link(username: str, code: str) -> str:
    """The t.me deep link that opens the bot with ``code`` as the start parameter."""
    from telegram.helpers import create_deep_linked_url

    return create_deep_linked_url(username, code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``between`` command."""
    # Ask PTB for timedelta periods (RetryAfter and friends) instead of a deprecation warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = _parser().parse_args(argv)
    try:
        catalog = Catalog.load()
    except CatalogError as exc:
        print(f"between: text catalog: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "dialogs":
            from bot.dialogs_cli import dialogs_command

            return dialogs_command(args, catalog)
        if args.command == "doctor":
            from bot.doctor import accept_clock, doctor

            if args.accept_clock:
                print(asyncio.run(accept_clock(os.environ, catalog, SystemClock().now())))
            findings = asyncio.run(doctor(os.environ, catalog, SystemClock().now()))
            print("\n".join(finding.line() for finding in findings))
            return 0 if all(finding.ok for finding in findings) else 1
        if args.command == "webhook":  # "secret", the only action: no token, no database
            from bot.webhook import new_secret

            print(new_secret())
            return 0
        settings = load_settings(catalog=catalog, require_token=args.command == "run")
        if args.command == "run":
            configure_logging(os.environ.get("BOT_LOG_LEVEL", "INFO"))
            return _run(settings, catalog)
        if args.command == "sandbox":
            from bot.sandbox import run_sandbox

            configure_logging("WARNING")
            return asyncio.run(run_sandbox(settings, catalog, sys.stdin, sys.stdout))
        if args.command == "keys":
            from bot.storage.safekeeping import key_source, rotate_keys

            configure_logging(os.environ.get("BOT_LOG_LEVEL", "INFO"))
            lines = asyncio.run(rotate_keys(settings.database_path, key_source(settings)))
            print("\n".join(lines))
            return 0
        if args.command == "backup":
            from bot.storage.safekeeping import backup

            print("\n".join(backup(settings.database_path, args.destination)))
            return 0
        if args.command == "staff":
            if settings.service.telegram.bot_username is None and args.staff_command == "invite":
                print(
                    "between: telegram.bot_username is not set in the service configuration; "
                    "the link below names @between_bot",
                    file=sys.stderr,
                )
            status, lines = asyncio.run(_staff(settings, args))
            print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
            return status
    except ConfigError as exc:
        print(f"between: {exc}", file=sys.stderr)
        return 2
    except DialogErrors as exc:
        # The same lines as `between dialogs check`: the bot never starts on a broken dialog.
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        print(
            "between: fix the dialog files above (folder: BOT_DIALOGS_DIR), then start again",
            file=sys.stderr,
        )
        return 2
    raise AssertionError(f"unhandled command {args.command}")
