"""Sharing the picture of my weeks: the client chooses people of their team, sees the exact
picture and words they would get, and shares it; it is in "What I've shared" and can be
withdrawn like any share (every photo message deleted).

Only the client sees their picture until they share it. The preview is the picture drawn
again, the same PNG bytes that will be sent, with the same caption: what the client saw is what
each person gets. The draft is /share's own (``ShareDraft``), its one item the picture's ref:
"w8" while people are chosen, "w8-<digest>" once previewed, the digest of those bytes and words.
If the picture has changed when Share is pressed (a new day, a new check-in), nothing is sent
and the new one is shown to look at first.

The caption addresses the person who gets it: a line saying whose picture it is, then the words
the client sees under it ("Your last 4 weeks…"), without "Only you can see this".
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

from babel.lists import format_list

from bot.core.actions.myweeks import (
    SendWeeks,
    WeeksPeople,
    WeeksPeoplePage,
    WeeksPerson,
    WeeksPreview,
)
from bot.core.actions.share import CancelShare
from bot.core.i18n import Catalog
from bot.core.model import ShareDraft, TeamMember, User
from bot.core.my_weeks import SPANS, MyWeeks, Weeks, caption
from bot.core.planning import Planner
from bot.core.ports import Outbox, ShareStore, TeamStore
from bot.core.sharing import (
    PICTURE,
    STALE,
    deliver,
    is_picture,
    on_page,
    pages,
    people_page_size,
    picture_weeks,
    turn,
)
from bot.core.views import Attachment, Choice, Say, Text, View, t
from bot.core.wording import Wording

NAMED = 3  # up to this many people, the Share button names them; more, it counts them


def shared_caption(
    catalog: Catalog, language: str, locale: str, client: User, today: date, weeks: Weeks
) -> str:
    """The words under a shared picture, in the client's language (the picture's): whose it
    is and when it was shared, then what the client reads under it, line for line."""
    wording = Wording(catalog)
    header = catalog.get(
        language, "share_more.picture_header", name=client.name, date=catalog.date(language, today)
    )
    since, lines, _only_you = caption(weeks, language, locale)
    parts = (header, wording.text(language, since), wording.text(language, lines))
    return "\n\n".join(part for part in parts if part)


def digest(png: bytes, words: str) -> str:
    """A short digest of a picture and its words, to know them again."""
    return hashlib.sha256(png + words.encode("utf-8")).hexdigest()[:16]


def _unbutton(pressed: int | None) -> View:
    return View(unbutton=(pressed,) if pressed is not None else ())


class WeeksSharing:
    """ "Share this picture" under /myweeks, over /share's store and the client's team."""

    def __init__(
        self,
        weeks: MyWeeks,
        shares: ShareStore,
        team: TeamStore,
        planner: Planner,
        catalog: Catalog,
        outbox: Outbox,
    ) -> None:
        self._weeks = weeks
        self._shares = shares
        self._team = team
        self._planner = planner
        self._catalog = catalog
        self._outbox = outbox

    # --- who gets it ------------------------------------------------------------------------

    async def start(self, client: User, weeks: int, now: datetime) -> View:
        """ "Share this picture": a fresh draft of that picture, and the team to choose from
        (nobody chosen yet)."""
        if not client.role.is_client or weeks not in SPANS:
            return View.refuse(STALE)
        team = await self._team.team_of(client.id)
        if not team:
            return View.say("share.no_team")
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft(items=(f"w{weeks}",)), now
        )
        return View.of(self._people_say(client, team, draft, 0))

    async def _draft(self, client: User, version: int, *, previewed: bool) -> ShareDraft | None:
        """The client's picture draft a button belongs to, if it is still the current one and
        at the step the button is from (choosing people, or previewed)."""
        draft = await self._shares.share_draft(client.id)
        if draft.version != version or not is_picture(draft):
            return None
        if (draft.body is not None) != previewed:
            return None
        return draft

    def _people_say(
        self,
        client: User,
        team: Sequence[TeamMember],
        draft: ShareDraft,
        page: int,
        edit: bool = False,
    ) -> Say:
        """The people of the team to tick (a big team a page at a time, "More people" to the
        next), then "See what they get" and Cancel: at most six buttons on every page."""
        size = people_page_size(len(team))
        count = pages(len(team), size)
        page = max(0, min(page, count - 1))
        choices = []
        for member in on_page(team, page, size):
            mark = "✓ " if member.person.id in draft.recipients else ""
            role = self._catalog.get(client.language, f"roles.{member.role.value}")
            choices.append(
                Choice(
                    Text.plain(f"{mark}{member.person.name} ({role})"),
                    WeeksPerson(member.person.id, draft.version),
                )
            )
        if count > 1:
            more = "share.pages.more_people" if page + 1 < count else "share.pages.people_again"
            choices.append(Choice(t(more), WeeksPeoplePage(draft.version, turn(page, count))))
        choices.append(Choice(t("share_more.picture_see"), WeeksPreview(draft.version)))
        choices.append(Choice(t("share.cancel"), CancelShare()))
        chosen = sum(1 for member in team if member.person.id in draft.recipients)
        counted = t("share.pages.chosen", count=chosen) if chosen else None
        parts = [t("share_more.picture_who")]
        if counted is not None:
            parts.append(counted)
        return Say.of(*parts, choices=choices, edit=edit)

    async def toggle(self, client: User, member_id: int, version: int, now: datetime) -> View:
        """Pick or unpick someone who is in the client's team now; the same page again."""
        draft = await self._draft(client, version, previewed=False)
        if draft is None:
            return View.refuse(STALE)
        team = await self._team.team_of(client.id)
        ids = [member.person.id for member in team]
        if member_id not in ids:
            return View.refuse("team.not_in_team")
        recipients = (
            tuple(r for r in draft.recipients if r != member_id)
            if member_id in draft.recipients
            else (*draft.recipients, member_id)
        )
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft(draft.items, recipients), now
        )
        page = ids.index(member_id) // people_page_size(len(team))
        return View.of(self._people_say(client, team, draft, page, edit=True))

    async def people_page(self, client: User, version: int, page: int) -> View:
        """Another page of the people of a big team."""
        draft = await self._draft(client, version, previewed=False)
        if draft is None:
            return View.refuse(STALE)
        team = await self._team.team_of(client.id)
        return View.of(self._people_say(client, team, draft, page, edit=True))

    # --- the exact picture, and sharing it --------------------------------------------------

    async def _picture(self, client: User, weeks: int, now: datetime) -> tuple[bytes, str]:
        """The picture as it is now, and the words that go under it when shared."""
        summary, png = await self._weeks.drawn(client, weeks, now)
        zone = await self._planner.zone_of(client.id)
        today = now.astimezone(zone).date()
        words = shared_caption(
            self._catalog, client.language, self._weeks.locale, client, today, summary
        )
        return png, words

    def _names(self, client: User, chosen: Sequence[TeamMember]) -> str:
        return format_list([m.person.name for m in chosen], locale=client.language)

    async def preview(self, client: User, version: int, now: datetime) -> View:
        """Exactly what the people picked would get: the same picture, its words, and under it
        "Share with <names>", "Change who gets it" and Cancel."""
        draft = await self._draft(client, version, previewed=False)
        if draft is None:
            return View.refuse(STALE)
        team = await self._team.team_of(client.id)
        chosen = [m for m in team if m.person.id in draft.recipients]
        if not chosen:
            return View.refuse("share.pick_someone")
        return await self._show_preview(client, draft, chosen, now, edit=True)

    async def _show_preview(
        self,
        client: User,
        draft: ShareDraft,
        chosen: Sequence[TeamMember],
        now: datetime,
        *,
        edit: bool,
        changed: bool = False,
    ) -> View:
        weeks = picture_weeks(draft.items[0])
        if weeks is None or weeks not in SPANS:
            return View.refuse(STALE)
        png, words = await self._picture(client, weeks, now)
        ids = tuple(m.person.id for m in chosen)
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft((f"w{weeks}-{digest(png, words)}",), ids, words), now
        )
        names = self._names(client, chosen)
        if len(chosen) <= NAMED:
            go = t("share_more.picture_go", names=names)
        else:
            go = t("share.go_many", count=len(chosen))
        intro = [t("share_more.picture_exact", names=names)]
        if changed:
            intro.insert(0, t("share_more.picture_changed"))
        picture = Say(
            (Text.plain(words),),
            (
                (Choice(go, SendWeeks(draft.version)),),
                (Choice(t("share_more.picture_change"), WeeksPeople(draft.version)),),
                (Choice(t("share.cancel"), CancelShare()),),
            ),
            attachment=Attachment(png),
        )
        return View.of(Say.of(*intro, edit=edit), picture)

    async def back(
        self, client: User, version: int, now: datetime, pressed: int | None = None
    ) -> View:
        """ "Change who gets it": back to the people, those picked still ticked."""
        draft = await self._draft(client, version, previewed=True)
        weeks = picture_weeks(draft.items[0]) if draft is not None else None
        if draft is None or weeks is None:
            return View.refuse(STALE)
        draft = await self._shares.save_share_draft(
            client.id, ShareDraft((f"w{weeks}",), draft.recipients), now
        )
        team = await self._team.team_of(client.id)
        return _unbutton(pressed) + View.of(self._people_say(client, team, draft, 0))

    async def send(
        self, client: User, version: int, now: datetime, pressed: int | None = None
    ) -> View:
        """Share the previewed picture with exactly the people picked who are still in the
        team: the same bytes, the same words. Recorded before sending, so nothing is sent
        without a trace; if the picture is no longer the one previewed, nothing is sent and
        the new one is shown first."""
        draft = await self._draft(client, version, previewed=True)
        weeks = picture_weeks(draft.items[0]) if draft is not None else None
        if draft is None or draft.body is None or weeks is None or weeks not in SPANS:
            return View.refuse(STALE)
        team = {m.person.id: m for m in await self._team.team_of(client.id)}
        chosen = [team[r] for r in draft.recipients if r in team]
        if not chosen:
            return View.refuse("share.pick_someone")
        png, words = await self._picture(client, weeks, now)
        if draft.items[0] != f"w{weeks}-{digest(png, words)}" or words != draft.body:
            view = await self._show_preview(client, draft, chosen, now, edit=False, changed=True)
            return _unbutton(pressed) + view
        share_id = await self._shares.add_share(
            client.id,
            [f"w{weeks}:{PICTURE}"],
            words,
            [(m.person.id, m.person.name, m.person.chat_id) for m in chosen],
            now,
        )
        photo = Say((Text.plain(words),), attachment=Attachment(png))
        reached: list[str] = []
        missed: list[str] = []
        for member in chosen:
            sent = await deliver(
                self._shares, self._outbox, share_id, client, member.person, [photo]
            )
            if sent is None:
                await self._shares.set_delivery(share_id, member.person.chat_id, "failed")
                missed.append(member.person.name)
            else:
                await self._shares.set_delivery(share_id, member.person.chat_id, "sent", sent[0])
                reached.append(member.person.name)
        view = _unbutton(pressed)
        if reached:
            view += View.say("share.sent", names=format_list(reached, locale=client.language))
        if missed:
            view += View.say("share.failed", names=format_list(missed, locale=client.language))
        return view
