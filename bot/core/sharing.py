"""What a client can share, and the exact text their team receives: their own words only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.dialogs import Dialog, dialog_for
from bot.core.i18n import Catalog
from bot.core.model import CheckinRecord, Note, User
from bot.core.ports import Store

# What each dialog's answers are called when shared.
ITEM_KIND = {"checkin": "checkin", "meeting_prep": "agenda", "after_meeting": "reflection"}
KINDS = ("note", "checkin", "agenda", "reflection")
SHOWN_ITEMS = 8  # items offered as buttons in /share, newest first


@dataclass(frozen=True)
class Item:
    """One thing a client may share: a note, or the answers of one check-in, in their words."""

    ref: str  # "n12" (note 12) or "c34" (check-in 34)
    kind: str  # note | checkin | agenda | reflection
    at: datetime
    text: str
    gist: str = ""  # the answers alone, for a button; the text itself if empty


def checkin_words(record: CheckinRecord, dialog: Dialog | None) -> tuple[str, str] | None:
    """A check-in's answers as "question, answer" pairs of lines, and the answers alone;
    None if nothing was answered.

    Only what the client chose or wrote is kept: no capacity, no score, no skipped question.
    """
    lines: list[str] = []
    answers: list[str] = []
    for answer in record.answers:
        if answer.value == "skipped":
            continue
        question, label = answer.step_id, answer.value
        if dialog is not None:
            try:
                step = dialog.step(answer.step_id)
            except KeyError:
                step = None
            if step is not None:
                question = step.question.strip()
                label = next((o.label for o in step.options if o.id == answer.value), label)
        words = answer.text if answer.text else label
        lines.append(f"{question}\n{words}")
        answers.append(words)
    return ("\n\n".join(lines), ", ".join(answers)) if lines else None


def items_of(
    notes: Sequence[Note],
    checkins: Sequence[CheckinRecord],
    dialogs: Mapping[str, Dialog],
    language: str,
) -> list[Item]:
    """Every shareable item, newest first. Open check-ins are left out until they end."""
    items = [Item(f"n{n.id}", "note", n.created_at, n.text) for n in notes]
    for record in checkins:
        if record.status == "open":
            continue
        words = checkin_words(record, dialog_for(dialogs, record.dialog, language))
        if words is not None:
            kind = ITEM_KIND.get(record.dialog, "checkin")
            items.append(Item(f"c{record.id}", kind, record.started_at, *words))
    return sorted(items, key=lambda item: (item.at, item.ref), reverse=True)


async def shareable(store: Store, dialogs: Mapping[str, Dialog], client: User) -> list[Item]:
    """The client's items, newest first."""
    notes = await store.notes(client.id)
    checkins = await store.recent_checkins(client.id, 200)
    return items_of(notes, checkins, dialogs, client.language)


def suggested(items: Sequence[Item], last_share: datetime | None) -> list[Item]:
    """The draft offered: everything since the last share (all shown items if none yet)."""
    shown = list(items[:SHOWN_ITEMS])
    if last_share is None:
        return shown
    return [item for item in shown if item.at > last_share]


def render(
    catalog: Catalog,
    language: str,
    client: User,
    zone: ZoneInfo,
    on: date,
    items: Sequence[Item],
) -> str:
    """The exact text recipients get: attributed, dated, the client's words verbatim."""
    parts = [
        catalog.get(language, "share.header", name=client.name, date=catalog.date(language, on))
    ]
    for item in sorted(items, key=lambda i: (i.at, i.ref)):
        title = catalog.get(
            language,
            f"share.kind_{item.kind}",
            date=catalog.date(language, item.at.astimezone(zone).date()),
        )
        parts.append(f"{title}\n{item.text}")
    return "\n\n".join(parts)


def button_label(catalog: Catalog, language: str, item: Item, zone: ZoneInfo, chosen: bool) -> str:
    """A short button for an item: mark, kind, date and its first words."""
    day = catalog.short_date(language, item.at.astimezone(zone).date())
    kind = catalog.get(language, f"share.short_{item.kind}")
    words = " ".join((item.gist or item.text).split())
    if len(words) > 28:
        words = words[:27].rstrip() + "…"
    mark = "✓ " if chosen else ""
    return f"{mark}{kind} {day}: {words}"
