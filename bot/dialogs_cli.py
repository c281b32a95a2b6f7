"""``between dialogs check`` and ``between dialogs preview NAME --capacity LEVEL``."""

from __future__ import annotations

import argparse
import sys

from bot.core.dialog_loader import DialogErrors, load_dialogs
from bot.core.dialog_model import Capacity, dialog_for
from bot.core.dialog_preview import preview, screen_problems
from bot.core.i18n import Catalog


def dialogs_command(args: argparse.Namespace, catalog: Catalog) -> int:
    """Validate the dialog files (exit 1 on any error) or print one dialog's transcript."""
    directory = args.dir
    if not directory.is_dir():
        print(f"between: dialogs: no folder {directory}", file=sys.stderr)
        return 2
    try:
        dialogs = load_dialogs(directory)
    except DialogErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        count = len(exc.errors)
        print(f"{count} problem{'s' if count != 1 else ''} in {directory}", file=sys.stderr)
        return 1
    if args.dialogs_command == "check":
        crowded = [line for dialog in dialogs.values() for line in screen_problems(dialog)]
        for line in crowded:
            print(line, file=sys.stderr)
        if crowded:
            return 1
        names = ", ".join(sorted(dialogs))
        print(f"All {len(dialogs)} dialog files in {directory} are valid: {names}.")
        return 0
    dialog = dialog_for(dialogs, args.name, args.language)
    if dialog is None:
        print(
            f"between: dialogs: no dialog {args.name!r} (there are: {', '.join(sorted(dialogs))})",
            file=sys.stderr,
        )
        return 2
    print(preview(dialog, Capacity(args.capacity), catalog, args.language))
    return 0
