"""What a client can share, the exact text their team receives (their own words only), and
/share as use cases: choose items (three to a page, each item on one page only, older ones a tap
away), see the exact text (split into labelled messages when it is longer than one message can
hold), choose people, send; see what was shared and withdraw it (every message it became). Every
use case acts on the client's own draft and shares only. No message offers more than
``MAX_CHOICES`` buttons, counting every one: the pages, the people and the history are paged.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.lists import format_list

from bot.core.actions.messages import AnswerShare
from bot.core.actions.share import (
    AskWithdraw,
    CancelShare,
    ChangeItems,
    HistoryPage,
    KeepShare,
    Preview,
    RecipientPage,
    SendShare,
    SharedHistory,
    ToggleItem,
    ToggleRecipient,
    TurnPage,
    Withdraw,
)
from bot.core.checkins import AGENDA_DIALOG, AgendaItem, agenda_items, since_last_meeting
from bot.core.copies import DELETE_WINDOW, retract
from bot.core.dialog_model import FOLLOW_UP, Dialog, dialog_for
from bot.core.i18n import Catalog
from bot.core.lengths import MAX_TEXT, split_text, utf16_len
from bot.core.model import CheckinRecord, Note, Relay, Share, ShareDraft, TeamMember, User
from bot.core.planning import Planner
from bot.core.ports import CheckinStore, MessageStore, Outbox, People, ShareStore, TeamStore
from bot.core.views import Choice, Say, Text, View, t

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# What each dialog's answers are called when shared.
ITEM_KIND = {"checkin": "checkin", "meeting_prep": "agenda", "after_meeting": "reflection"}
KINDS = ("note", "checkin", "agenda", "reflection", "picture")
AGENDA = "a"  # the ref of the agenda for the next meeting: "a" and a digest of its words
PICTURE = "picture"  # the kind of a shared picture of the client's weeks (bot/core/weeks_share.py)
_PICTURE_REF = re.compile(r"w([0-9]{1,2})(?:-[0-9a-f]{1,40})?")
MAX_CHOICES = 6  # the most buttons one message shows, every one counted (outside check-ins)
PAGE = 3  # items on one page of /share, newest first: then "Older", the preview, the history
HISTORY = 5  # shares on one page of the history, newest first, each with its Withdraw
PEOPLE = 4  # people under a preview, then Share and "Change what's included"
MAX_PARTS = 10  # the most messages one share may become (any single item fits in far fewer)
RECENT_CHECKINS = 200  # check-ins looked at for items
STALE = "fallback.stale_button"


@dataclass(frozen=True)
class Item:
    """One thing a client may share: a note, or the answers of one check-in, in their words."""

    ref: str  # "n12" (note 12), "c34" (check-in 34) or "a1f2e3d4c" (the agenda as it is)
    kind: str  # note | checkin | agenda | reflection
    at: datetime
    text: str
    gist: str = ""  # the answers alone, for a button; the text itself if empty
    title: str = ""  # the catalog key of its title, if not the one of its kind


def checkin_words(
    record: CheckinRecord, dialog: Dialog | None, *, follow_ups: bool = True
) -> tuple[str, str] | None:
    """A check-in's answers as "question, answer" pairs of lines, and the answers alone;
    None if nothing was answered. Without ``follow_ups``, the words typed after an answer
    that named a need are left out (the agenda shows them in its own lists).

    Only what the client chose or wrote is kept: no capacity, no score, no skipped question.
    Words typed after an answer ("What is it?") sit under that answer, not under it again.
    """
    lines: list[str] = []
    answers: list[str] = []
    shown = ""  # the step whose answer the last lines show
    for answer in record.answers:
        if answer.value == "skipped":
            continue
        if FOLLOW_UP in answer.step_id and (not answer.text or not follow_ups):
            continue  # a human step taken ("asked", "agenda"): not words of the client's
        parent = answer.step_id.partition(FOLLOW_UP)[0]
        if answer.text and parent != answer.step_id and parent == shown and lines:
            lines[-1] = f"{lines[-1]}\n{answer.text}"
            answers.append(answer.text)
            continue
        shown = answer.step_id
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


def agenda_text(
    catalog: Catalog,
    language: str,
    agenda: Sequence[AgendaItem],
    prep: CheckinRecord | None,
    dialog: Dialog | None,
) -> str:
    """The client's agenda for the next meeting as it is shared, in ``language``: their
    answers to their last "Getting ready" check-in (``prep``), then what they want to talk
    about, then, under its own heading, what they would rather not talk about; in their own
    words where they typed some. Someone else's words are there only as the client put them
    on the agenda, quoted as the agenda screen quotes them, with whose words they are."""

    def say(key: str, /, **values: object) -> str:
        return catalog.get(language, f"share_more.{key}", **values)

    parts: list[str] = []
    answered = checkin_words(prep, dialog, follow_ups=False) if prep is not None else None
    if answered is not None:
        parts.append(answered[0])
    to_raise: list[str] = []
    to_avoid: list[str] = []
    for item in agenda:
        if item.from_name is not None:
            to_raise.append(say("agenda_from", name=item.from_name, words=item.words or ""))
        elif item.avoid:
            line = say("agenda_words", words=item.words) if item.words else say("agenda_unsaid")
            to_avoid.append(line)
        elif item.words:
            to_raise.append(say("agenda_words", words=item.words))
        else:
            to_raise.append(say("agenda_item", question=item.question, answer=item.answer))
    if to_raise:
        parts.append("\n".join([say("agenda_raise"), *to_raise]))
    if to_avoid:
        parts.append("\n".join([say("agenda_avoid"), *to_avoid]))
    return "\n\n".join(parts)


def agenda_item(
    catalog: Catalog,
    language: str,
    checkins: Sequence[CheckinRecord],
    relays: Sequence[Relay],
    dialogs: Mapping[str, Dialog],
    zone: ZoneInfo,
) -> Item | None:
    """The agenda for the next meeting as one item to share, or None if nothing is on it.

    Read from the ended check-ins since the last meeting (``checkins`` newest first) and the
    words of someone close the client put on it. Its ref carries a digest of its words, so a
    button or preview of an agenda that has changed since is known as old."""
    ended = [record for record in checkins if record.status != "open"]
    kept, _ = since_last_meeting(ended)
    agenda = agenda_items(ended, relays, lambda name: dialog_for(dialogs, name, language), zone)
    prep = next(
        (
            record
            for record in kept
            if record.dialog == AGENDA_DIALOG
            and checkin_words(record, dialog_for(dialogs, record.dialog, language)) is not None
        ),
        None,
    )
    if prep is None and not agenda:
        return None
    dialog = dialog_for(dialogs, AGENDA_DIALOG, language) if prep is not None else None
    text = agenda_text(catalog, language, agenda, prep, dialog)
    moments = [item.at for item in agenda if item.at is not None]
    if prep is not None:
        moments.extend([prep.started_at, *(answer.answered_at for answer in prep.answers)])
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:9]
    gist = catalog.get(language, "share_more.agenda_gist")
    return Item(f"{AGENDA}{digest}", "agenda", max(moments), text, gist, "share_more.agenda_title")


def is_agenda(ref: str) -> bool:
    """Whether ``ref`` names the agenda (as it was when the ref was made)."""
    return ref.startswith(AGENDA) and len(ref) > len(AGENDA)


def picture_weeks(ref: str) -> int | None:
    """The weeks a picture's ref ("w8", or "w8-<digest>" once previewed) shows, or None if
    ``ref`` is not a picture's."""
    found = _PICTURE_REF.fullmatch(ref)
    return int(found[1]) if found else None


def is_picture(draft: ShareDraft) -> bool:
    """Whether a draft is the sharing of a picture of the client's weeks (not of items)."""
    return any(picture_weeks(ref) is not None for ref in draft.items)


def short_kind(catalog: Catalog, language: str, kind: str) -> str:
    """A kind of shared thing in one or two words, for buttons and the history."""
    if kind == PICTURE:
        return catalog.get(language, "share_more.short_picture")
    return catalog.get(language, f"share.short_{kind}")


def pages(count: int, size: int = PAGE) -> int:
    """How many pages ``count`` things fill, ``size`` to a page (at least one)."""
    return max(1, -(-count // size))


def on_page(things: Sequence[_T], page: int, size: int = PAGE) -> Sequence[_T]:
    """The things of one page, in their order: each thing is on exactly one page, so pages
    never repeat one and together show every one once (the last page may be shorter)."""
    page = max(0, min(page, pages(len(things), size) - 1))
    return things[page * size : (page + 1) * size]


def people_page_size(count: int) -> int:
    """How many people one page under a preview shows: everyone if they fit beside Share and
    "Change what's included", else one fewer, for "More people"."""
    return PEOPLE if count <= PEOPLE else PEOPLE - 1


def turn(page: int, count: int) -> int:
    """The page "Older"/"More" leads to from ``page`` of ``count``: the next, and from the
    last back to the first, so one button reaches every page."""
    return page + 1 if page + 1 < count else 0


def parts_of(body: str, limit: int = MAX_TEXT) -> list[str]:
    """The messages a share's text becomes, in the order they are sent: the text itself if it
    fits one message, else pieces that each start with their place, "(1/3)", on a line.

    The same text always gives the same messages: the preview and the share are one function
    of the previewed text, so what the client saw is what each recipient gets.
    """
    if utf16_len(body) <= limit:
        return [body]
    count = 2
    while True:  # the label's width depends on the count, which depends on the width
        room = limit - utf16_len(f"({count}/{count})\n")
        pieces = split_text(body, room)
        if len(str(len(pieces))) <= len(str(count)):
            break
        count = len(pieces)
    # As many messages, but of even length: no last message of one lonely sentence.
    step = max(1, room // 20)
    for even in range(utf16_len(body) // len(pieces) + 1, room, step):
        evened = split_text(body, even)
        if len(evened) == len(pieces):
            pieces = evened
            break
    return [f"({n}/{len(pieces)})\n{piece}" for n, piece in enumerate(pieces, 1)]


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
            item.title or f"share.kind_{item.kind}",
            date=catalog.date(language, item.at.astimezone(zone).date()),
        )
        parts.append(f"{title}\n{item.text}")
    return "\n\n".join(parts)


def button_label(catalog: Catalog, language: str, item: Item, zone: ZoneInfo, chosen: bool) -> str:
    """A short button for an item: mark, kind, date and its first words."""
    day = catalog.short_date(language, item.at.astimezone(zone).date())
    kind = short_kind(catalog, language, item.kind)
    words = " ".join((item.gist or item.text).split())
    if len(words) > 28:
        words = words[:27].rstrip() + "…"
    mark = "✓ " if chosen else ""
    return f"{mark}{kind} {day}: {words}"


def kind_of(item: str) -> str:
    """The kind of a shared item, stored with it as ``<ref>:<kind>``."""
    kind = item.partition(":")[2]
    return kind if kind in KINDS else "note"


def _choosing(draft: ShareDraft) -> bool:
    """Whether the client is choosing items (a draft of items exists, not previewed yet)."""
    return draft.version != 0 and draft.body is None and not is_picture(draft)


def _unbutton(pressed: int | None) -> View:
    """The pressed message loses its buttons (they are spent)."""
    return View(unbutton=(pressed,) if pressed is not None else ())


async def deliver(
    shares: ShareStore,
    outbox: Outbox,
    share_id: int,
    client: User,
    to: User,
    says: Sequence[Say],
) -> list[int] | None:
    """One recipient's copy of a share, message by message, each recorded as it arrives (so a
    withdrawal finds it), the last with "Answer Alex"; None if it did not all get there. A
    share arrives whole or not at all: the parts that did arrive are taken back."""
    message_ids: list[int] = []
    answer = Choice(t("relay.answer", name=client.name), AnswerShare(client.id, share_id))
    for number, say in enumerate(says, start=1):
        if number == len(says):
            say = replace(say, rows=(*say.rows, (answer,)))
        try:
            message_id = await outbox.send(to, say)
        except Exception as exc:  # the network, say: this one failed, the others still go
            log.warning("share %s did not reach a recipient: %s", share_id, type(exc).__name__)
            message_id = None
        if message_id is None:
            for sent in message_ids:
                await outbox.delete(to.chat_id, sent)
            return None
        await shares.add_share_message(share_id, to.chat_id, message_id)
        message_ids.append(message_id)
    return message_ids


class Sharing:
    """/share over the narrow ports. What reaches the team goes out through the ``Outbox``.

    Lists of names, short dates and the history's lines are put into words here, in the
    client's language, because they read them: a ``Text`` has no value for a list or a short
    date, and the history is one message of many lines.
    """

    def __init__(
        self,
        shares: ShareStore,
        team: TeamStore,
        people: People,
        checkins: CheckinStore,
        planner: Planner,
        catalog: Catalog,
        dialogs: Mapping[str, Dialog],
        outbox: Outbox,
        messages: MessageStore | None = None,
    ) -> None:
        self._messages = messages  # someone close's words the client put on the agenda
        self._shares = shares
        self._team = team
        self._people = people
        self._checkins = checkins
        self._planner = planner
        self._catalog = catalog
        self._dialogs = dialogs
        self._outbox = outbox

    # --- choosing what, and whom ----------------------------------------------------------

    async def items(self, client: User) -> list[Item]:
        """Everything the client may share, newest first: the agenda for the next meeting
        among them, if anything is on it."""
        notes = await self._people.notes(client.id)
        checkins = await self._checkins.recent_checkins(client.id, RECENT_CHECKINS)
        items = items_of(notes, checkins, self._dialogs, client.language)
        relays = await self._messages.relays(client.id) if self._messages is not None else []
        zone = await self._planner.zone_of(client.id)
        agenda = agenda_item(self._catalog, client.language, checkins, relays, self._dialogs, zone)
        if agenda is None:
            return items
        # The newest first; the agenda before a check-in of the same moment that is in it.
        every = [*items, agenda]
        return sorted(every, key=lambda i: (i.at, is_agenda(i.ref), i.ref), reverse=True)

    async def start(self, client: User, now: datetime, chosen: Sequence[str] = ()) -> View:
        """/share: a fresh draft with ``chosen`` ticked, and the newest items as buttons."""
        previous = await self._shares.shares(client.id)
        history = (Choice(t("team.shared"), SharedHistory()),) if previous else ()
        if not await self._team.team_of(client.id):
            return View.of(Say.of(t("share.no_team"), choices=history))
        items = await self.items(client)
        if not items:
            return View.of(Say.of(t("share.nothing"), choices=history))
        known = {item.ref for item in items}
        draft = ShareDraft(items=tuple(ref for ref in chosen if ref in known))
        draft = await self._shares.save_share_draft(client.id, draft, now)
        return View.of(await self._items_say(client, draft, items, previous, 0))

    async def from_checkin(
        self, client: User, checkin_id: int, now: datetime, pressed: int | None = None
    ) -> View:
        """ "Share this" under a finished check-in of the client's: a draft that starts with it.
        Under getting ready for a meeting ("Share my agenda"), it starts with the agenda as a
        whole, that check-in's answers in it."""
        record = await self._checkins.checkin(checkin_id, client.id)
        if record is None:
            return View.refuse(STALE)
        chosen = f"c{record.id}"
        if record.dialog == AGENDA_DIALOG:
            agenda = next((i for i in await self.items(client) if is_agenda(i.ref)), None)
            chosen = agenda.ref if agenda is not None else chosen
        return _unbutton(pressed) + await self.start(client, now, (chosen,))

    async def toggle_item(self, client: User, ref: str, page: int, now: datetime) -> View:
        """Tick or untick one of the client's items; the same page is shown again, changed
        only in its marks and count, so no button moves."""
        items = await self.items(client)
        draft = await self._shares.share_draft(client.id)
        if ref not in {item.ref for item in items} or not _choosing(draft):
            return View.refuse(STALE)
        chosen = (
            tuple(r for r in draft.items if r != ref)
            if ref in draft.items
            else (*draft.items, ref)
        )
        draft = await self._shares.save_share_draft(client.id, ShareDraft(items=chosen), now)
        previous = await self._shares.shares(client.id)
        return View.of(await self._items_say(client, draft, items, previous, page, edit=True))

    async def turn_page(self, client: User, page: int, older: bool) -> View:
        """The next older page of items, and from the oldest back to the newest (an earlier
        version's "Newer" goes one page back); with one page only, a word that there is none."""
        draft = await self._shares.share_draft(client.id)
        if not _choosing(draft):
            return View.refuse(STALE)
        items = await self.items(client)
        count = pages(len(items))
        if older and count == 1:
            return View.refuse("share.pages.oldest")
        if not older and page <= 0:
            return View.refuse("share.pages.newest")
        target = turn(page, count) if older else min(page - 1, count - 1)
        previous = await self._shares.shares(client.id)
        return View.of(await self._items_say(client, draft, items, previous, target, edit=True))

    async def _items_say(
        self,
        client: User,
        draft: ShareDraft,
        items: Sequence[Item],
        previous: Sequence[Share],
        page: int,
        edit: bool = False,
    ) -> Say:
        """One page of items, then the same rows of actions on every page, whatever is
        ticked: "Older" (if there is more than one page; on the oldest, back to the newest), the
        preview, the history (if any) and Cancel, if it fits in ``MAX_CHOICES`` (nothing is sent
        without the preview, so leaving needs no button)."""
        zone = await self._planner.zone_of(client.id)
        lang, catalog = client.language, self._catalog
        count = pages(len(items))
        page = max(0, min(page, count - 1))
        shown = on_page(items, page)
        rows: list[tuple[Choice, ...]] = [
            (
                Choice(
                    Text.plain(button_label(catalog, lang, item, zone, item.ref in draft.items)),
                    ToggleItem(item.ref, page),
                ),
            )
            for item in shown
        ]
        texts = [t("share.choose")]
        if count > 1:
            more = "share.pages.older" if page + 1 < count else "share.pages.back_to_newest"
            rows.append((Choice(t(more), TurnPage(page, older=True)),))
            newest = catalog.short_date(lang, shown[0].at.astimezone(zone).date())
            oldest = catalog.short_date(lang, shown[-1].at.astimezone(zone).date())
            where = {"page": page + 1, "pages": count}
            texts.append(
                t("share.pages.where_day", day=newest, **where)
                if newest == oldest
                else t("share.pages.where", first=oldest, last=newest, **where)
            )
        texts.append(
            t("share.pages.chosen", count=len(draft.items))
            if draft.items
            else t("share.pages.chosen_none")
        )
        rows.append((Choice(t("share.preview"), Preview()),))
        last = [Choice(t("team.shared"), SharedHistory())] if previous else []
        # Cancel too, if it fits beside a page as full as the first: the same on every page.
        actions = sum(len(row) for row in rows) - len(shown) + len(last)
        if min(len(items), PAGE) + actions < MAX_CHOICES:
            last.append(Choice(t("share.cancel"), CancelShare()))
        if last:
            rows.append(tuple(last))
        return Say(tuple(texts), tuple(rows), edit)

    async def preview(self, client: User, now: datetime) -> View:
        """The exact messages that would be sent, in their order, and the team to pick from
        under the last one (nobody picked yet)."""
        draft = await self._shares.share_draft(client.id)
        if not _choosing(draft):
            return View.refuse(STALE)
        every = await self.items(client)
        chosen = set(draft.items)
        if any(is_agenda(ref) for ref in chosen):  # the agenda as it is now, if it has changed
            chosen |= {item.ref for item in every if is_agenda(item.ref)}
        items = [item for item in every if item.ref in chosen]
        if not items:
            return View.refuse("share.pick_first")
        zone = await self._planner.zone_of(client.id)
        today = now.astimezone(zone).date()
        body = render(self._catalog, client.language, client, zone, today, items)
        parts = parts_of(body)
        if len(parts) > MAX_PARTS:
            return View.refuse("share.too_long", count=MAX_PARTS)
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft(items=tuple(i.ref for i in items), body=body), now
        )
        team = await self._team.team_of(client.id)
        intro = [t("share.exact") if len(parts) == 1 else t("share.pages.exact", count=len(parts))]
        if any(m.person.language != client.language for m in team):
            intro.append(t("share.other_languages"))
        return View.of(
            Say.of(*intro, edit=True),
            *(Say.of(Text.plain(part)) for part in parts[:-1]),
            self._recipients_say(client, team, draft),
        )

    def _recipients_say(
        self,
        client: User,
        team: Sequence[TeamMember],
        draft: ShareDraft,
        page: int = 0,
        edit: bool = False,
    ) -> Say:
        """The people to pick (a big team a page at a time, "More people" to the next), then
        Share, "Change what's included" and Cancel, if it fits in ``MAX_CHOICES`` (nothing is
        sent without Share, so leaving needs no button)."""
        assert draft.body is not None
        lang = client.language
        size = people_page_size(len(team))
        count = pages(len(team), size)
        page = max(0, min(page, count - 1))
        choices = []
        for member in on_page(team, page, size):
            mark = "✓ " if member.person.id in draft.recipients else ""
            role = self._catalog.get(lang, f"roles.{member.role.value}")
            choices.append(
                Choice(
                    Text.plain(f"{mark}{member.person.name} ({role})"),
                    ToggleRecipient(member.person.id, draft.version),
                )
            )
        if count > 1:
            more = "share.pages.more_people" if page + 1 < count else "share.pages.people_again"
            choices.append(Choice(t(more), RecipientPage(draft.version, turn(page, count))))
        chosen = [m for m in team if m.person.id in draft.recipients]
        if len(chosen) == 1:
            go = t("share.go_one", name=chosen[0].person.name)
        elif chosen:
            go = t("share.go_many", count=len(chosen))
        else:
            go = t("share.go_none")
        choices.append(Choice(go, SendShare(draft.version)))
        choices.append(Choice(t("share.change"), ChangeItems()))
        if min(len(team), size) + (1 if count > 1 else 0) + 3 <= MAX_CHOICES:  # every page
            choices.append(Choice(t("share.cancel"), CancelShare()))
        # The buttons go under the last message the share becomes: one decision, at the end.
        return Say.of(Text.plain(parts_of(draft.body)[-1]), choices=choices, edit=edit)

    async def _current_preview(self, client: User, version: int) -> ShareDraft | None:
        """The previewed draft a button belongs to, if it is still the current one."""
        draft = await self._shares.share_draft(client.id)
        if draft.body is None or draft.version != version or is_picture(draft):
            return None
        return draft

    async def toggle_recipient(
        self, client: User, member_id: int, version: int, now: datetime
    ) -> View:
        """Pick or unpick someone who is in the client's team now."""
        draft = await self._current_preview(client, version)
        if draft is None:
            return View.refuse(STALE)
        team = await self._team.team_of(client.id)
        if member_id not in {m.person.id for m in team}:
            return View.refuse("team.not_in_team")
        recipients = (
            tuple(r for r in draft.recipients if r != member_id)
            if member_id in draft.recipients
            else (*draft.recipients, member_id)
        )
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft(draft.items, recipients, draft.body), now
        )
        place = [m.person.id for m in team].index(member_id)
        page = place // people_page_size(len(team))
        return View.of(self._recipients_say(client, team, draft, page, edit=True))

    async def recipient_page(self, client: User, version: int, page: int) -> View:
        """Another page of the people of a big team, under the same preview."""
        draft = await self._current_preview(client, version)
        if draft is None:
            return View.refuse(STALE)
        team = await self._team.team_of(client.id)
        return View.of(self._recipients_say(client, team, draft, page, edit=True))

    async def send(
        self, client: User, version: int, now: datetime, pressed: int | None = None
    ) -> View:
        """Share exactly the previewed messages with exactly the people picked who are still in
        the team. Recorded before sending, so nothing is sent without a trace."""
        draft = await self._current_preview(client, version)
        if draft is None or draft.body is None:
            return View.refuse(STALE)
        team = {m.person.id: m for m in await self._team.team_of(client.id)}
        chosen = [team[r] for r in draft.recipients if r in team]
        if not chosen:
            return View.refuse("share.pick_someone")
        items = {item.ref: item for item in await self.items(client)}
        if any(ref not in items for ref in draft.items):  # changed since it was previewed
            return await self._changed(client, draft, items, now, pressed)
        copies = await self._copies(client, [items[r] for r in draft.items], now)
        share_id = await self._shares.add_share(
            client.id,
            [f"{ref}:{items[ref].kind}" for ref in draft.items],
            draft.body,
            [(m.person.id, m.person.name, m.person.chat_id) for m in chosen],
            now,
            {
                m.person.id: copies[m.person.language]
                for m in chosen
                if m.person.language in copies
            },
        )
        reached: list[str] = []
        missed: list[str] = []
        for member in chosen:
            body = copies.get(member.person.language, draft.body)
            message_ids = await self._deliver(share_id, client, member.person, parts_of(body))
            if message_ids is None:
                await self._shares.set_delivery(share_id, member.person.chat_id, "failed")
                missed.append(member.person.name)
            else:
                await self._shares.set_delivery(
                    share_id, member.person.chat_id, "sent", message_ids[0]
                )
                reached.append(member.person.name)
        view = _unbutton(pressed)  # the preview's buttons are spent
        lang = client.language
        if reached:
            view += View.say("share.sent", names=format_list(reached, locale=lang))
        if missed:
            view += View.say("share.failed", names=format_list(missed, locale=lang))
        return view

    async def _changed(
        self,
        client: User,
        draft: ShareDraft,
        items: Mapping[str, Item],
        now: datetime,
        pressed: int | None,
    ) -> View:
        """Something previewed has changed since (the agenda grew, say): nothing is sent, and
        the items come again, what is still there still ticked, to look at once more."""
        kept = tuple(ref for ref in draft.items if ref in items)
        if any(is_agenda(ref) for ref in draft.items):
            kept += tuple(ref for ref in items if is_agenda(ref) and ref not in kept)
        fresh = await self._shares.save_share_draft(client.id, ShareDraft(items=kept), now)
        previous = await self._shares.shares(client.id)
        say = await self._items_say(client, fresh, list(items.values()), previous, 0)
        return _unbutton(pressed) + View.of(Say.of(t("share_more.changed")), say)

    async def _copies(self, client: User, items: Sequence[Item], now: datetime) -> dict[str, str]:
        """The text in each other language of the team: the same items, the client's own words
        as they are, the lines around them ("From Daan, shared with you on …") in the
        recipient's language. The client's own language is the previewed text itself."""
        zone = await self._planner.zone_of(client.id)
        today = now.astimezone(zone).date()
        languages = {m.person.language for m in await self._team.team_of(client.id)}
        return {
            language: render(self._catalog, language, client, zone, today, items)
            for language in languages - {client.language}
            if language in self._catalog.texts
        }

    async def _deliver(
        self, share_id: int, client: User, to: User, parts: Sequence[str]
    ) -> list[int] | None:
        """One recipient's copy, message by message (see ``deliver``)."""
        says = [Say.of(Text.plain(part)) for part in parts]
        return await deliver(self._shares, self._outbox, share_id, client, to, says)

    async def back(self, client: User, now: datetime, pressed: int | None = None) -> View:
        """From the preview back to the items, still ticked; the people are chosen anew."""
        draft = await self._shares.share_draft(client.id)
        if draft.version == 0 or is_picture(draft):
            return View.refuse(STALE)
        draft = await self._shares.save_share_draft(client.id, ShareDraft(items=draft.items), now)
        items = await self.items(client)
        previous = await self._shares.shares(client.id)
        say = await self._items_say(client, draft, items, previous, 0)
        return _unbutton(pressed) + View.of(say)

    async def cancel(self, client: User, pressed: int | None = None) -> View:
        """Nothing is shared; the draft is gone."""
        await self._shares.drop_share_draft(client.id)
        return _unbutton(pressed) + View.say("share.cancelled")

    # --- what was shared, and withdrawing ---------------------------------------------------

    def _names(self, language: str, share: Share) -> str:
        return format_list([r.name for r in share.recipients], locale=language)

    async def history(self, client: User, page: int = 0, edit: bool = False) -> View:
        """What the client shared, newest first, each with a Withdraw button while it stands;
        a few to a page, "Older" to the next (from the oldest back to the newest), so every
        share can be withdrawn."""
        every = await self._shares.shares(client.id)
        if not every:
            return View.say("share.history_none")
        count = pages(len(every), HISTORY)
        page = max(0, min(page, count - 1))
        shares = on_page(every, page, HISTORY)
        zone = await self._planner.zone_of(client.id)
        lang, catalog = client.language, self._catalog

        def day(at: datetime) -> date:
            return at.astimezone(zone).date()

        lines = [catalog.get(lang, "share.history_title")]
        if count > 1:
            newest = catalog.short_date(lang, day(shares[0].created_at))
            oldest = catalog.short_date(lang, day(shares[-1].created_at))
            where = {"page": page + 1, "pages": count}
            lines.append(
                catalog.get(lang, "share.pages.where_day", day=newest, **where)
                if newest == oldest
                else catalog.get(lang, "share.pages.where", first=oldest, last=newest, **where)
            )
        choices = []
        for share in shares:
            when = catalog.date(lang, day(share.created_at))
            names = self._names(lang, share)
            if share.withdrawn_at is not None:
                withdrawn = catalog.date(lang, day(share.withdrawn_at))
                lines.append(
                    catalog.get(
                        lang,
                        "share.history_withdrawn",
                        date=when,
                        names=names,
                        withdrawn=withdrawn,
                    )
                )
                continue
            kinds = [short_kind(catalog, lang, kind_of(item)) for item in share.items]
            what = format_list(kinds, locale=lang)
            lines.append(
                catalog.get(lang, "share.history_item", date=when, names=names, what=what)
            )
            short = catalog.short_date(lang, day(share.created_at))
            choices.append(
                Choice(t("share.withdraw", date=short, names=names), AskWithdraw(share.id))
            )
        if count > 1:
            more = "share.pages.older" if page + 1 < count else "share.pages.back_to_newest"
            choices.append(Choice(t(more), HistoryPage(turn(page, count))))
        return View.of(Say.of(Text.plain("\n".join(lines)), choices=choices, edit=edit))

    async def _own(self, client: User, share_id: int) -> Share | None:
        found = await self._shares.shares(client.id, share_id)
        return found[0] if found else None

    async def ask_withdraw(self, client: User, share_id: int) -> View:
        """Ask before withdrawing one of the client's own shares."""
        share = await self._own(client, share_id)
        if share is None:
            return View.refuse(STALE)
        if share.withdrawn_at is not None:
            return View.say("share.already_withdrawn")
        zone = await self._planner.zone_of(client.id)
        ask = t(
            "share.withdraw_ask",
            date=share.created_at.astimezone(zone).date(),
            names=self._names(client.language, share),
        )
        return View.of(
            Say.of(
                ask,
                choices=(
                    Choice(t("share.withdraw_yes"), Withdraw(share.id)),
                    Choice(t("share.withdraw_no"), KeepShare()),
                ),
            )
        )

    async def withdraw(self, client: User, share_id: int, now: datetime) -> View:
        """Withdraw one of the client's own shares (see ``_take_back``)."""
        if await self._own(client, share_id) is None:
            return View.refuse(STALE)
        taken = await self._take_back(client, share_id, now)
        if taken is None:
            return View.of(Say.of(t("share.already_withdrawn"), edit=True))
        names = self._names(client.language, taken)
        return View.of(Say.of(t("share.withdrawn", names=names), edit=True))

    def keep(self) -> View:
        """It stays shared."""
        return View.of(Say.of(t("share.kept"), edit=True))

    async def withdraw_all(self, client: User, now: datetime) -> None:
        """Before a client's data is erased: take back everything they shared."""
        for share in await self._shares.shares(client.id):
            if share.withdrawn_at is None:
                await self._take_back(client, share.id, now)

    async def expire(self, client_id: int, share_id: int, now: datetime) -> None:
        """A share reaches the end of the retention period: taken back from every chat it
        reached, its text erased, before its row goes."""
        client = await self._people.get_user(client_id)
        if client is not None:
            await self._take_back(client, share_id, now, note="share.expired_note")

    async def _take_back(
        self, client: User, share_id: int, now: datetime, note: str = "share.withdrawn_note"
    ) -> Share | None:
        """The text is erased at once; each delivered message (every part of a long share) is
        deleted or, once Telegram no longer allows that, replaced by a line saying it was
        withdrawn; the /clients messages that showed it go too (each can be asked for again,
        without it). The share as it was, or None if it is not the client's or was withdrawn
        already."""
        taken = await self._shares.withdraw_share(share_id, client.id, now)
        if taken is None:
            return None
        deletable = now - taken.created_at < DELETE_WINDOW
        delivered: dict[int, list[int]] = {}
        for chat_id, message_id in await self._shares.share_messages(share_id):
            delivered.setdefault(chat_id, []).append(message_id)
        for recipient in taken.recipients:
            # Shares from before parts were recorded know their one message only.
            message_ids = delivered.get(recipient.chat_id) or (
                [recipient.message_id] if recipient.message_id is not None else []
            )
            statuses = [
                await retract(
                    self._outbox,
                    self._people,
                    client,
                    recipient.chat_id,
                    message_id,
                    note,
                    reader_id=recipient.recipient_id,
                    delete=deletable,
                )
                for message_id in message_ids
            ]
            # A failed delivery's parts were taken back when it failed; this only makes sure.
            if statuses and recipient.status != "failed":
                status = next((s for s in ("gone", "edited") if s in statuses), "deleted")
                await self._shares.set_delivery(share_id, recipient.chat_id, status)
        members = [r.recipient_id for r in taken.recipients if r.recipient_id is not None]
        for chat_id, message_id in await self._shares.client_views(client.id, members):
            await retract(
                self._outbox, self._people, client, chat_id, message_id, "clients.view_changed"
            )
            await self._shares.drop_client_view(chat_id, message_id)
        return taken
