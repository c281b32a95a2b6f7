"""What a client can share, the exact text their team receives (their own words only), and
/share as use cases: choose items, see the exact text, choose people, send; see what was shared
and withdraw it. Every use case acts on the client's own draft and shares only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.lists import format_list

from bot.core.actions.share import (
    AskWithdraw,
    CancelShare,
    ChangeItems,
    KeepShare,
    Preview,
    SendShare,
    SharedHistory,
    TakeSuggested,
    ToggleItem,
    ToggleRecipient,
    Withdraw,
)
from bot.core.dialogs import Dialog, dialog_for
from bot.core.i18n import Catalog
from bot.core.model import CheckinRecord, Note, Share, ShareDraft, TeamMember, User
from bot.core.planning import Planner
from bot.core.ports import CheckinStore, Outbox, People, ShareStore, TeamStore
from bot.core.views import Choice, Say, Text, View, t

log = logging.getLogger(__name__)

# What each dialog's answers are called when shared.
ITEM_KIND = {"checkin": "checkin", "meeting_prep": "agenda", "after_meeting": "reflection"}
KINDS = ("note", "checkin", "agenda", "reflection")
SHOWN_ITEMS = 8  # items offered as buttons in /share, newest first
HISTORY = 10  # shares listed in the history, newest first
MAX_TEXT = 4096  # the longest text one message can carry (Telegram's limit)
DELETE_WINDOW = timedelta(hours=48)  # after this, Telegram lets a bot edit its messages only
RECENT_CHECKINS = 200  # check-ins looked at for items
STALE = "fallback.stale_button"


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


def kind_of(item: str) -> str:
    """The kind of a shared item, stored with it as ``<ref>:<kind>``."""
    kind = item.partition(":")[2]
    return kind if kind in KINDS else "note"


def _choosing(draft: ShareDraft) -> bool:
    """Whether the client is choosing items (a draft exists and was not previewed yet)."""
    return draft.version != 0 and draft.body is None


def _unbutton(pressed: int | None) -> View:
    """The pressed message loses its buttons (they are spent)."""
    return View(unbutton=(pressed,) if pressed is not None else ())


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
    ) -> None:
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
        """Everything the client may share, newest first."""
        notes = await self._people.notes(client.id)
        checkins = await self._checkins.recent_checkins(client.id, RECENT_CHECKINS)
        return items_of(notes, checkins, self._dialogs, client.language)

    async def start(self, client: User, now: datetime, chosen: Sequence[str] = ()) -> View:
        """/share: a fresh draft with ``chosen`` ticked, and the items as buttons."""
        previous = await self._shares.shares(client.id)
        history = (Choice(t("team.shared"), SharedHistory()),) if previous else ()
        if not await self._team.team_of(client.id):
            return View.of(Say.of(t("share.no_team"), choices=history))
        items = await self.items(client)
        if not items:
            return View.of(Say.of(t("share.nothing"), choices=history))
        shown = {item.ref for item in items[:SHOWN_ITEMS]}
        draft = ShareDraft(items=tuple(ref for ref in chosen if ref in shown))
        draft = await self._shares.save_share_draft(client.id, draft, now)
        return View.of(await self._items_say(client, draft, items, previous))

    async def from_checkin(
        self, client: User, checkin_id: int, now: datetime, pressed: int | None = None
    ) -> View:
        """ "Share this" under a finished check-in of the client's: a draft that starts with it."""
        record = await self._checkins.checkin(checkin_id, client.id)
        if record is None:
            return View.refuse(STALE)
        return _unbutton(pressed) + await self.start(client, now, (f"c{record.id}",))

    async def toggle_item(self, client: User, ref: str, now: datetime) -> View:
        """Tick or untick one of the items shown."""
        items = await self.items(client)
        draft = await self._shares.share_draft(client.id)
        if ref not in {item.ref for item in items[:SHOWN_ITEMS]} or not _choosing(draft):
            return View.refuse(STALE)
        chosen = (
            tuple(r for r in draft.items if r != ref)
            if ref in draft.items
            else (*draft.items, ref)
        )
        return await self._choose(client, chosen, items, now)

    async def take_suggested(self, client: User, now: datetime) -> View:
        """Tick what is suggested: everything since the last share."""
        draft = await self._shares.share_draft(client.id)
        if not _choosing(draft):
            return View.refuse(STALE)
        items = await self.items(client)
        previous = await self._shares.shares(client.id)
        suggestion = suggested(items, previous[0].created_at if previous else None)
        return await self._choose(client, tuple(i.ref for i in suggestion), items, now, previous)

    async def _choose(
        self,
        client: User,
        chosen: tuple[str, ...],
        items: Sequence[Item],
        now: datetime,
        previous: Sequence[Share] | None = None,
    ) -> View:
        draft = await self._shares.save_share_draft(client.id, ShareDraft(items=chosen), now)
        if previous is None:
            previous = await self._shares.shares(client.id)
        return View.of(await self._items_say(client, draft, items, previous, edit=True))

    async def _items_say(
        self,
        client: User,
        draft: ShareDraft,
        items: Sequence[Item],
        previous: Sequence[Share],
        edit: bool = False,
    ) -> Say:
        zone = await self._planner.zone_of(client.id)
        lang = client.language
        choices = [
            Choice(
                Text.plain(button_label(self._catalog, lang, item, zone, item.ref in draft.items)),
                ToggleItem(item.ref),
            )
            for item in items[:SHOWN_ITEMS]
        ]
        suggestion = suggested(items, previous[0].created_at if previous else None)
        if suggestion and {i.ref for i in suggestion} != set(draft.items):
            label = t("share.new_since", count=len(suggestion)) if previous else t("share.all_new")
            choices.append(Choice(label, TakeSuggested()))
        choices.append(Choice(t("share.preview"), Preview()))
        if previous:
            choices.append(Choice(t("team.shared"), SharedHistory()))
        choices.append(Choice(t("share.cancel"), CancelShare()))
        return Say.of(t("share.choose"), choices=choices, edit=edit)

    async def preview(self, client: User, now: datetime) -> View:
        """The exact text that would be sent, and the team to pick from (nobody picked yet)."""
        draft = await self._shares.share_draft(client.id)
        if not _choosing(draft):
            return View.refuse(STALE)
        items = [item for item in await self.items(client) if item.ref in draft.items]
        if not items:
            return View.refuse("share.pick_first")
        zone = await self._planner.zone_of(client.id)
        today = now.astimezone(zone).date()
        body = render(self._catalog, client.language, client, zone, today, items)
        if len(body) > MAX_TEXT:
            return View.refuse("share.too_long")
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft(items=tuple(i.ref for i in items), body=body), now
        )
        team = await self._team.team_of(client.id)
        return View.of(
            Say.of(t("share.exact"), edit=True), self._recipients_say(client, team, draft)
        )

    def _recipients_say(
        self, client: User, team: Sequence[TeamMember], draft: ShareDraft, edit: bool = False
    ) -> Say:
        assert draft.body is not None
        lang = client.language
        choices = []
        for member in team:
            mark = "✓ " if member.person.id in draft.recipients else ""
            role = self._catalog.get(lang, f"roles.{member.role.value}")
            choices.append(
                Choice(
                    Text.plain(f"{mark}{member.person.name} ({role})"),
                    ToggleRecipient(member.person.id, draft.version),
                )
            )
        chosen = [m for m in team if m.person.id in draft.recipients]
        if len(chosen) == 1:
            go = t("share.go_one", name=chosen[0].person.name)
        elif chosen:
            go = t("share.go_many", count=len(chosen))
        else:
            go = t("share.go_none")
        choices.append(Choice(go, SendShare(draft.version)))
        choices.append(Choice(t("share.change"), ChangeItems()))
        choices.append(Choice(t("share.cancel"), CancelShare()))
        return Say.of(Text.plain(draft.body), choices=choices, edit=edit)

    async def _current_preview(self, client: User, version: int) -> ShareDraft | None:
        """The previewed draft a button belongs to, if it is still the current one."""
        draft = await self._shares.share_draft(client.id)
        if draft.body is None or draft.version != version:
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
        return View.of(self._recipients_say(client, team, draft, edit=True))

    async def send(
        self, client: User, version: int, now: datetime, pressed: int | None = None
    ) -> View:
        """Share exactly the previewed text with exactly the people picked who are still in the
        team. Recorded before sending, so nothing is sent without a trace."""
        draft = await self._current_preview(client, version)
        if draft is None or draft.body is None:
            return View.refuse(STALE)
        team = {m.person.id: m for m in await self._team.team_of(client.id)}
        chosen = [team[r] for r in draft.recipients if r in team]
        if not chosen:
            return View.refuse("share.pick_someone")
        kinds = {item.ref: item.kind for item in await self.items(client)}
        share_id = await self._shares.add_share(
            client.id,
            [f"{ref}:{kinds.get(ref, 'note')}" for ref in draft.items],
            draft.body,
            [(m.person.id, m.person.name, m.person.chat_id) for m in chosen],
            now,
        )
        reached: list[str] = []
        missed: list[str] = []
        for member in chosen:
            message_id = await self._deliver(share_id, member.person, draft.body)
            if message_id is None:
                await self._shares.set_delivery(share_id, member.person.chat_id, "failed")
                missed.append(member.person.name)
            else:
                await self._shares.set_delivery(
                    share_id, member.person.chat_id, "sent", message_id
                )
                reached.append(member.person.name)
        view = _unbutton(pressed)  # the preview's buttons are spent
        lang = client.language
        if reached:
            view += View.say("share.sent", names=format_list(reached, locale=lang))
        if missed:
            view += View.say("share.failed", names=format_list(missed, locale=lang))
        return view

    async def _deliver(self, share_id: int, to: User, body: str) -> int | None:
        """One recipient's copy; None if it did not get there."""
        try:
            return await self._outbox.send(to, Say.of(Text.plain(body)))
        except Exception as exc:  # the network, say: this one failed, the others still go
            log.warning("share %s did not reach user %s: %s", share_id, to.id, type(exc).__name__)
            return None

    async def back(self, client: User, now: datetime, pressed: int | None = None) -> View:
        """From the preview back to the items, still ticked; the people are chosen anew."""
        draft = await self._shares.share_draft(client.id)
        if draft.version == 0:
            return View.refuse(STALE)
        draft = await self._shares.save_share_draft(client.id, ShareDraft(items=draft.items), now)
        items = await self.items(client)
        previous = await self._shares.shares(client.id)
        return _unbutton(pressed) + View.of(await self._items_say(client, draft, items, previous))

    async def cancel(self, client: User, pressed: int | None = None) -> View:
        """Nothing is shared; the draft is gone."""
        await self._shares.drop_share_draft(client.id)
        return _unbutton(pressed) + View.say("share.cancelled")

    # --- what was shared, and withdrawing ---------------------------------------------------

    def _names(self, language: str, share: Share) -> str:
        return format_list([r.name for r in share.recipients], locale=language)

    async def history(self, client: User) -> View:
        """What the client shared, newest first, each with a Withdraw button while it stands."""
        shares = (await self._shares.shares(client.id))[:HISTORY]
        if not shares:
            return View.say("share.history_none")
        zone = await self._planner.zone_of(client.id)
        lang, catalog = client.language, self._catalog

        def day(at: datetime) -> date:
            return at.astimezone(zone).date()

        lines = [catalog.get(lang, "share.history_title")]
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
            kinds = [catalog.get(lang, f"share.short_{kind_of(item)}") for item in share.items]
            what = format_list(kinds, locale=lang)
            lines.append(
                catalog.get(lang, "share.history_item", date=when, names=names, what=what)
            )
            short = catalog.short_date(lang, day(share.created_at))
            choices.append(
                Choice(t("share.withdraw", date=short, names=names), AskWithdraw(share.id))
            )
        return View.of(Say.of(Text.plain("\n".join(lines)), choices=choices))

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

    async def _take_back(self, client: User, share_id: int, now: datetime) -> Share | None:
        """The text is erased at once; each delivered message is deleted or, once Telegram no
        longer allows that, replaced by a line saying it was withdrawn; the /clients messages
        that showed it go too (each can be asked for again, without it). The share as it was,
        or None if it is not the client's or was withdrawn already."""
        taken = await self._shares.withdraw_share(share_id, client.id, now)
        if taken is None:
            return None
        deletable = now - taken.created_at < DELETE_WINDOW
        for recipient in taken.recipients:
            if recipient.message_id is None:
                continue
            status = await self._retract(
                client,
                recipient.chat_id,
                recipient.message_id,
                "share.withdrawn_note",
                reader_id=recipient.recipient_id,
                delete=deletable,
            )
            await self._shares.set_delivery(share_id, recipient.chat_id, status)
        members = [r.recipient_id for r in taken.recipients if r.recipient_id is not None]
        for chat_id, message_id in await self._shares.client_views(client.id, members):
            await self._retract(client, chat_id, message_id, "clients.view_changed")
            await self._shares.drop_client_view(chat_id, message_id)
        return taken

    async def _retract(
        self,
        client: User,
        chat_id: int,
        message_id: int,
        replacement: str,
        reader_id: int | None = None,
        delete: bool = True,
    ) -> str:
        """Delete a message; where that is not possible, replace its words. The status."""
        if delete and await self._outbox.delete(chat_id, message_id):
            return "deleted"
        found = await self._people.get_user(reader_id if reader_id is not None else chat_id)
        # Someone whose account is gone reads the line in the client's language.
        reader = replace(found or client, chat_id=chat_id)
        say = Say.of(t(replacement, name=client.name))
        if await self._outbox.edit(reader, message_id, say):
            return "edited"
        return "gone"
