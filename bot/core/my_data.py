"""What /mydata gives a person: a short list in the chat of every kind of thing kept (with
counts and dates), a readable text file with all of it, and the same as JSON.

The JSON file is the export exactly as it is kept (ISO times in UTC, ids and codes). The text
file says every value in the reader's language: times on their clock, yes and no, codes by
their names (``mydata_values.*`` in ``bot/locales/<lang>/mydata.toml``), check-in answers as the
question and the button the person saw (``question_shown``, ``label_shown``: the record for a
meeting, ``bot/core/record.py``, says them the same way). A code not named there is shown as it
is. A client's list offers that record, "A record for a meeting (PDF)"."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from babel.dates import format_date, format_time, get_datetime_format, get_day_names
from babel.lists import format_list

from bot.core.actions.record import AskRecord
from bot.core.dates import service_locale, speech_locale
from bot.core.dialog_model import Capacity, Dialog, Step, Variant, dialog_for
from bot.core.i18n import Catalog
from bot.core.meetings import meeting_words
from bot.core.model import Meeting
from bot.core.schedule import ROUND_THE_CLOCK, WEEKDAYS
from bot.core.schedule_settings import place
from bot.core.views import Attachment, Choice, Say, Text, View, t
from bot.core.wording import Wording

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
    "reflections_you_were_given",
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

VALUES = "mydata_values"
"""The catalog table that names the codes of the export (``bot/locales/<lang>/mydata.toml``)."""

# Which codes a field holds: (section, field), or a field in any section -> the prefix of their
# names in VALUES ("capacity" + "_" + "least").
_CODES: Mapping[tuple[str, str] | str, str] = {
    "role": "role",
    "as": "role",
    "capacity": "capacity",
    ("checkins", "status"): "checkin_status",
    ("contact_log", "kind"): "send_kind",
    ("contact_log", "slot"): "send_slot",
    ("contact_log", "status"): "send_status",
    ("contact_log", "reason"): "send_reason",
    ("messages_with_the_team", "kind"): "message_kind",
    ("messages_with_the_team", "status"): "message_status",
    ("messages_with_the_team", "direction"): "direction",
    ("messages_with_your_clients", "kind"): "message_kind",
    ("messages_with_your_clients", "status"): "message_status",
    ("invites", "yours"): "invite",
    ("invites", "kind"): "invite_kind",
    ("invites", "outcome"): "invite_outcome",
    ("waiting_for", "what"): "waiting",
}

# Fields that hold a person's own words or a name: written out exactly as they are kept, even
# if they look like a date ("2026-12-24" typed as a note stays as typed).
_WORDS = frozenset(
    {
        "text",
        "words",
        "body",
        "name",
        "with",
        "client",
        "who",
        "shown_to",
        "message_for_the_team",
        "who_to_contact",
        "what_helps",
        "what_not",
        "items",
    }
)
_MEETING = "meeting"  # a proposed meeting: its day (ISO), or JSON with its time and place

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_SNOOZE = re.compile(r"snooze:\d+")  # a snoozed check-in's slot
_ONCE = re.compile(r"r\d+|[^@\s]+@.+")  # a team member's message ("r12"), a notice ("key@time")
_MEETING_DAY = re.compile(r"m\d+")  # a reminder on a meeting's day ("m<client id>")


def _day(value: object, zone: tzinfo = UTC) -> date | None:
    """The day of an ISO date or moment (a moment's day on ``zone``'s clock)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if _DAY.fullmatch(value) or moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


def summary(
    catalog: Catalog,
    language: str,
    export: Mapping[str, Any],
    *,
    locale: str | None = None,
    zone: tzinfo = UTC,
) -> str:
    """One line per kind of thing kept: how many, and the newest date (on ``zone``'s clock)."""

    def say(key: str, **values: object) -> str:
        return catalog.get(language, f"mydata.{key}", **values)

    def day(value: object) -> date | None:
        return _day(value, zone)

    person = export["person"]
    since = day(person["since"])
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
        days = [d for e in entries if (d := day(e.get(_WHEN[section]))) is not None]
        newest = catalog.date(language, max(days)) if days else ""
        lines.append(say(f"line_{section}", count=len(entries), newest=newest))
    plan = export.get("crisis_plan")
    written = isinstance(plan, Mapping) and any(plan.values())
    lines.append(say("line_plan" if written else "line_plan_none"))
    schedule = export.get("schedule") or {}
    agreed = day(schedule.get("agreed_on"))
    if agreed is not None:
        lines.append(say("line_schedule", since=catalog.date(language, agreed)))
    else:
        lines.append(say("line_schedule_none"))
    if export.get("team"):
        lines.append(say("line_team", count=len(export["team"])))
    next_meeting = export.get("next_meeting")
    meeting = day(next_meeting.get("when")) if isinstance(next_meeting, Mapping) else None
    if meeting is not None:
        lines.append(say("line_meeting", date=catalog.date(language, meeting)))
    if export.get("in_the_team_of"):
        names = [str(c["name"]) for c in export["in_the_team_of"]]
        speech = _speech(catalog, language, locale, zone)
        lines.append(say("line_in_team_of", names=format_list(names, locale=speech)))
    lines += ["", say("files")]
    return "\n".join(lines)


def _speech(catalog: Catalog, language: str, locale: str | None, zone: tzinfo) -> str:
    """How a reader of ``language`` writes dates and lists where the service is."""
    if locale is None:
        locale = catalog.region or service_locale(language, str(zone))
    return speech_locale(language, locale)


@dataclass(frozen=True)
class _Reader:
    """Who reads the file, and what their values are said with."""

    catalog: Catalog
    language: str
    speech: str  # the reader's locale ("nl_NL")
    zone: tzinfo
    dialogs: Mapping[str, Dialog] = field(default_factory=dict)

    # --- a part of the export, its values readable, its shape kept --------------------------

    def shown(
        self,
        section: str,
        value: object,
        key: str | None = None,
        entry: Mapping[str, Any] | None = None,
    ) -> object:
        """``value``, found under ``key`` of ``entry`` in ``section``, as the reader reads it."""
        if isinstance(value, Mapping):
            if section == "checkins":
                return self._checkin(value)
            return {k: self.shown(section, item, str(k), value) for k, item in value.items()}
        if isinstance(value, list | tuple):
            if value and all(isinstance(item, str) for item in value):
                # Names ("Dr Kim", "Sam"): one line, listed as the reader lists them.
                named = [str(self.value(section, key or section, item, entry)) for item in value]
                return format_list(named, locale=self.speech)
            return [self.shown(section, item, key, entry) for item in value]
        return self.value(section, key or section, value, entry)

    def value(
        self, section: str, key: str, value: object, entry: Mapping[str, Any] | None = None
    ) -> object:
        """One value as the reader reads it; ``entry`` is the mapping it is in."""
        if value is None:
            return None
        if isinstance(value, bool):
            return self.catalog.get(self.language, "common.yes" if value else "common.no")
        if not isinstance(value, str):
            return value
        if key in _WORDS:
            if key in ("words", "body") and entry is not None and entry.get("kind") == _MEETING:
                return self._meeting(value)
            return value
        group = _CODES.get((section, key)) or _CODES.get(key)
        if group is not None:
            return self.name(group, _slot(value) if group == "send_slot" else value, value)
        if key == "language":
            return self._language(value)
        if key == "days":
            return self._days(value)
        if key == "time_zone":
            return place(value, self.speech) or value
        if key == "contact_hours" and value == ROUND_THE_CLOCK:
            return self.name("hours", value, value)
        return self._when(value)

    def name(self, group: str, code: str, shown: str) -> str:
        """The reader's name for ``code`` of ``group``; ``shown`` if the catalog has none."""
        return value_name(self.catalog, self.language, group, code, shown)

    # --- check-ins: the questions and buttons as the person saw them ------------------------

    def _checkin(self, entry: Mapping[str, Any]) -> dict[str, object]:
        dialog_id = entry.get("dialog")
        dialog = (
            dialog_for(self.dialogs, dialog_id, self.language)
            if isinstance(dialog_id, str)
            else None
        )
        capacity = entry.get("capacity")
        shown: dict[str, object] = {}
        for key, item in entry.items():
            if key == "dialog" and dialog is not None:
                shown[key] = dialog.title
            elif key == "answers" and isinstance(item, list):
                shown[key] = [
                    self._answer(a, dialog, capacity) if isinstance(a, Mapping) else a
                    for a in item
                ]
            else:
                shown[key] = self.shown("checkins", item, str(key), entry)
        return shown

    def _answer(
        self, answer: Mapping[str, Any], dialog: Dialog | None, capacity: object
    ) -> dict[str, object]:
        step_id = answer.get("question")
        shown: dict[str, object] = {}
        for key, item in answer.items():
            question = question_shown(dialog, step_id, capacity) if key == "question" else None
            if question is not None:
                shown[key] = question
            elif key == "answer" and isinstance(item, str):
                label = label_shown(dialog, step_id, capacity, item)
                shown[key] = label if label is not None else self.name("answer", item, item)
            else:
                shown[key] = self.shown("checkins", item, str(key), answer)
        return shown

    # --- times, days, languages --------------------------------------------------------------

    def _when(self, value: str) -> str:
        """An ISO date or moment in the reader's words; anything else as it is."""
        try:
            if _DAY.fullmatch(value):
                return format_date(date.fromisoformat(value), "long", locale=self.speech)
            if _MOMENT.fullmatch(value):
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                local = moment.astimezone(self.zone)
                day = format_date(local.date(), "long", locale=self.speech)
                clock = format_time(local.time(), "short", locale=self.speech)
                pattern = str(get_datetime_format("long", locale=self.speech))
                return pattern.replace("'", "").replace("{0}", clock).replace("{1}", day)
        except ValueError:
            pass
        return value

    def _meeting(self, value: str) -> str:
        """A proposed meeting (its ISO day, or the day with its time and place) in words."""
        meeting = Meeting.decode(value)
        if meeting is None:
            return value
        return Wording(self.catalog).text(self.language, meeting_words(meeting))

    def _language(self, code: str) -> str:
        """A language by the name its own catalog gives it ("Nederlands")."""
        if code in self.catalog.texts and "language.name" in self.catalog.texts[code]:
            return self.catalog.get(code, "language.name")
        return code

    def _days(self, value: str) -> str:
        """Stored weekdays ("mon,thu") as the reader's day names, listed."""
        codes = [code.strip() for code in value.split(",") if code.strip()]
        if not codes or any(code not in WEEKDAYS for code in codes):
            return value
        names = get_day_names("wide", locale=self.speech)
        days = sorted({WEEKDAYS.index(code) for code in codes})
        return format_list([names[d] for d in days], locale=self.speech)


# --- a check-in's answers as the person saw them (also the record for a meeting) ------------


def value_name(catalog: Catalog, language: str, group: str, code: str, shown: str) -> str:
    """The reader's name for ``code`` of ``group`` (``mydata_values.<group>_<code>``: "answer",
    "text" is "In your own words"); ``shown`` if the catalog has none."""
    key = f"{VALUES}.{group}_{re.sub(r'[^a-z0-9]+', '_', code.lower()).strip('_')}"
    return catalog.get(language, key) if catalog.has(key) else shown


def _asked(
    dialog: Dialog | None, step_id: object, capacity: object
) -> tuple[Step, Variant | None] | None:
    """The step ``step_id`` of ``dialog`` and how it was asked at ``capacity``; None for a
    question taken out of the dialog since (or no dialog)."""
    if dialog is None or not isinstance(step_id, str):
        return None
    try:
        step = dialog.step(step_id)
    except KeyError:
        return None
    variant = step.at.get(Capacity(str(capacity))) if capacity in set(Capacity) else None
    return step, variant


def question_shown(dialog: Dialog | None, step_id: object, capacity: object) -> str | None:
    """The question of ``step_id`` as the person saw it at the check-in's ``capacity`` (after
    an answer that named a need, that answer's label); None if ``dialog`` has no such step."""
    found = _asked(dialog, step_id, capacity)
    if found is None:
        return None
    step, variant = found
    return (variant.question if variant else step.question).strip()


def label_shown(
    dialog: Dialog | None, step_id: object, capacity: object, answer: str
) -> str | None:
    """The words on the button the person pressed to give ``answer``; None for an answer that
    is no button of the question (typed words, "Not now": ``value_name`` names those)."""
    found = _asked(dialog, step_id, capacity)
    if found is None:
        return None
    step, variant = found
    options = (*(variant.options if variant else ()), *step.options)
    return next((o.label for o in options if o.id == answer), None)


def _slot(code: str) -> str:
    """A contact log's slot by what it is: "snooze:12" is a snooze, "r12" or a notice's
    "team.notice_left@..." a message that goes once."""
    if _SNOOZE.fullmatch(code):
        return "snooze"
    if _ONCE.fullmatch(code):
        return "once"
    if _MEETING_DAY.fullmatch(code):
        return "meeting_day"
    return code


def readable(
    catalog: Catalog,
    language: str,
    export: Mapping[str, Any],
    *,
    locale: str | None = None,
    zone: tzinfo = UTC,
    dialogs: Mapping[str, Dialog] | None = None,
) -> str:
    """All of ``export`` as plain text a person can read: a heading per part, every entry.

    ``locale`` is the service's (``Policy.locale``: how its people write dates), ``zone`` the
    clock times are shown on, ``dialogs`` the loaded check-in dialogs (their questions and
    buttons name the answers; without them, or for a question gone since, the ids do)."""
    reader = _Reader(
        catalog, language, _speech(catalog, language, locale, zone), zone, dialogs or {}
    )
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
        shown = reader.shown(section, export[section])
        out += _lines(shown, catalog.get(language, "mydata.nothing"), label)
        out.append("")
    # Anything added to the export later is written out too, never left out of the file.
    for section, value in export.items():
        if section not in SECTIONS:
            shown = reader.shown(section, value)
            out += [section, "-" * len(section), *_lines(shown, "-", label), ""]
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


def view(
    catalog: Catalog,
    language: str,
    export: Mapping[str, Any],
    *,
    locale: str | None = None,
    zone: tzinfo = UTC,
    dialogs: Mapping[str, Dialog] | None = None,
    record: bool = False,
) -> View:
    """The list in the chat, then the readable file, then the JSON file (as kept). With
    ``record`` (a client's), the list offers "A record for a meeting (PDF)"."""
    text = readable(catalog, language, export, locale=locale, zone=zone, dialogs=dialogs)
    data = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    return View(
        (
            listing(catalog, language, export, locale=locale, zone=zone, record=record),
            Say(
                (Text.plain(catalog.get(language, "mydata.text_caption")),),
                attachment=Attachment(text.encode("utf-8"), "between-my-data.txt"),
            ),
            Say(
                (Text.plain(catalog.get(language, "mydata.file_caption")),),
                attachment=Attachment(data, "between-my-data.json"),
            ),
        )
    )


def listing(
    catalog: Catalog,
    language: str,
    export: Mapping[str, Any],
    *,
    locale: str | None = None,
    zone: tzinfo = UTC,
    record: bool = False,
    edit: bool = False,
) -> Say:
    """The first message of /mydata: the list, with "A record for a meeting (PDF)" under it
    for a client (``record``); ``edit``: in the place of the message whose button was pressed."""
    listed = summary(catalog, language, export, locale=locale, zone=zone)
    choices = [Choice(t("record.button"), AskRecord())] if record else []
    return Say.of(Text.plain(listed), choices=choices, edit=edit)
