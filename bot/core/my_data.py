"""What /mydata gives a person: a short list in the chat of every kind of thing kept (with
counts and dates), a readable text file with all of it, and the same as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bot.core.i18n import Catalog
from bot.core.views import Attachment, Say, Text, View

SECTIONS = (
    "person",
    "notes",
    "checkins",
    "crisis_plan",
    "schedule",
    "team",
    "next_meeting",
    "shared",
    "messages_with_the_team",
    "your_page_shown",
    "in_the_team_of",
    "messages_with_your_clients",
    "client_pages_shown",
    "no_nudges_from",
    "share_draft",
    "invites",
    "staff_invite",
    "contact_log",
    "waiting_for",
    "messages_received",
)
"""Every part of the export, in the order it is listed and written out."""

# Where each list keeps the moment of each entry, for "the newest from ...".
_WHEN = {
    "notes": "written",
    "checkins": "started",
    "shared": "shared",
    "messages_with_the_team": "when",
}


def _day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def summary(catalog: Catalog, language: str, export: Mapping[str, Any]) -> str:
    """One line per kind of thing kept: how many, and the newest date."""

    def say(key: str, **values: object) -> str:
        return catalog.get(language, f"mydata.{key}", **values)

    person = export["person"]
    since = _day(person["since"])
    lines = [say("intro"), ""]
    lines.append(
        say(
            "line_person",
            name=person["name"],
            since=catalog.date(language, since) if since else "",
        )
    )
    for section in ("notes", "checkins", "shared", "messages_with_the_team"):
        entries = export.get(section) or []
        if not entries:
            lines.append(say(f"line_{section}_none"))
            continue
        days = [d for e in entries if (d := _day(e.get(_WHEN[section]))) is not None]
        newest = catalog.date(language, max(days)) if days else ""
        lines.append(say(f"line_{section}", count=len(entries), newest=newest))
    plan = export.get("crisis_plan")
    written = isinstance(plan, Mapping) and any(plan.values())
    lines.append(say("line_plan" if written else "line_plan_none"))
    schedule = export.get("schedule") or {}
    agreed = _day(schedule.get("agreed_on"))
    if agreed is not None:
        lines.append(say("line_schedule", since=catalog.date(language, agreed)))
    else:
        lines.append(say("line_schedule_none"))
    if export.get("team"):
        lines.append(say("line_team", count=len(export["team"])))
    meeting = _day(export.get("next_meeting"))
    if meeting is not None:
        lines.append(say("line_meeting", date=catalog.date(language, meeting)))
    if export.get("in_the_team_of"):
        names = ", ".join(c["name"] for c in export["in_the_team_of"])
        lines.append(say("line_in_team_of", names=names))
    lines += ["", say("files")]
    return "\n".join(lines)


def readable(catalog: Catalog, language: str, export: Mapping[str, Any]) -> str:
    """All of ``export`` as plain text a person can read: a heading per part, every entry."""
    out: list[str] = [catalog.get(language, "mydata.file_title"), ""]

    def label(key: str) -> str:
        """A field's name in the reader's language (``mydata.field.*``); a field added to
        the export later, and not yet named there, by its own name."""
        named = f"mydata.field.{key}"
        if catalog.has(named):
            return catalog.get(language, named)
        return key.replace("_", " ").capitalize()

    for section in SECTIONS:
        if section not in export:
            continue
        out.append(catalog.get(language, f"mydata.part_{section}"))
        out.append("-" * len(out[-1]))
        out += _lines(export[section], catalog.get(language, "mydata.nothing"), label)
        out.append("")
    # Anything added to the export later is written out too, never left out of the file.
    for section, value in export.items():
        if section not in SECTIONS:
            out += [section, "-" * len(section), *_lines(value, "-", label), ""]
    return "\n".join(out).rstrip() + "\n"


def _lines(
    value: object, nothing: str, label: Callable[[str], str], indent: str = ""
) -> list[str]:
    if value is None or value == [] or value == {}:
        return [indent + nothing]
    if isinstance(value, Mapping):
        lines: list[str] = []
        for key, item in value.items():
            name = label(str(key))
            if isinstance(item, Mapping | list):
                lines.append(f"{indent}{name}:")
                lines += _lines(item, nothing, label, indent + "  ")
            else:
                lines.append(f"{indent}{name}: {'-' if item is None else item}")
        return lines
    if isinstance(value, Sequence) and not isinstance(value, str):
        lines = []
        for index, item in enumerate(value):
            if index:
                lines.append("")
            lines += _lines(item, nothing, label, indent)
        return lines
    return [f"{indent}{value}"]


def view(catalog: Catalog, language: str, export: Mapping[str, Any]) -> View:
    """The list in the chat, then the readable file, then the JSON file."""
    text = readable(catalog, language, export).encode("utf-8")
    data = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    return View(
        (
            Say.of(Text.plain(summary(catalog, language, export))),
            Say(
                (Text.plain(catalog.get(language, "mydata.text_caption")),),
                attachment=Attachment(text, "between-my-data.txt"),
            ),
            Say(
                (Text.plain(catalog.get(language, "mydata.file_caption")),),
                attachment=Attachment(data, "between-my-data.json"),
            ),
        )
    )
