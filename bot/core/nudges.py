"""Nudges and the messages between a client and their team: who may write to whom, when it
arrives, and what each person sees before anything goes.

Member to client (a nudge, an answer, a proposed meeting date) is planned, and the dispatcher
delivers it inside the client's contact hours, never during a pause, a few minutes after another
message the bot started; what a member starts unasked (a nudge, a proposed date) waits until the
client has agreed that the bot may write first. A client who chose "Only when I ask" sees a
waiting nudge the next time they write to the bot, before the answer to what they wrote
(``held_for``), never unasked. Anything waiting is dropped once its send closes
(``kept_until``). Whoever sends is told when it will really arrive, by that same rule
(``arrival``). Client to member (a reply, a message, a request, a thank-you)
goes at once through the ``Outbox``, and only after the client pressed Send. Every message is
kept for the client's /mydata. A press or typed answer acts only on messages of the person
who made it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import partial, reduce

from bot.core.actions import Action
from bot.core.actions.messages import (
    AnswerClient,
    AnswerShare,
    AskContact,
    AskContactMenu,
    AskStopNudges,
    CancelNudge,
    ConfirmToClient,
    NudgeTemplate,
    NudgeWhen,
    NudgeWho,
    PromiseCall,
    ReflectDraft,
    ReflectFor,
    ReplyToMember,
    Request,
    SendToMember,
    SetAside,
    SetNudges,
    SkipReflectionStep,
    StartReflection,
    StopNudges,
    TalkAtMeeting,
    ThankMember,
    When,
    WriteToMember,
)
from bot.core.actions.team import AnswerProposal
from bot.core.copies import give_staff
from bot.core.dates import read_moment, say_day, speech_locale
from bot.core.dialog_model import UNSURE_IDS, Capacity, Dialog, Step, dialog_for
from bot.core.i18n import Catalog
from bot.core.lengths import MESSAGE_MAX, utf16_len
from bot.core.meetings import meeting_words, proposed
from bot.core.model import ClientSchedule, Relay, Role, User
from bot.core.planning import RELAY_LIFETIME, Planner
from bot.core.policy import Policy
from bot.core.ports import MessageStore, Outbox, People, Sends, ShareStore, TeamStore
from bot.core.views import Choice, Say, Text, View, t
from bot.core.waits import Wait, WaitKind, Waits

# What a message is, as stored: the first two go to the client, the others to a member.
NUDGE = "nudge"
ANSWER = "answer"
REPLY = "reply"
MESSAGE = "message"
REQUEST = "request"
CALL = "call"  # "Please call me": the member can say when they will call
RECENT_NUDGES = timedelta(days=14)
"""How far back /nudge tells a sender what became of their nudges."""
MEETING = "meeting"  # a clinician's proposed meeting date (the body: the day, ISO)
REFLECTION = "reflection"  # someone close's words to the client (and, if chosen, their staff)
UNASKED = frozenset({NUDGE, MEETING, REFLECTION})
"""What a member starts unasked: it reaches the client only once they agreed that the bot may
write first. An answer to what the client wrote does not wait for that."""

TEMPLATES = (1, 2, 3)
WHEN_CHOICES = (
    ("now", When.NOW),
    ("evening", When.EVENING),
    ("morning", When.MORNING),
    ("in_days", When.IN_DAYS),
    ("other", When.OTHER),
)
EVENING = time(19)
MORNING = time(9)
IN_DAYS = timedelta(days=3)
SOON = timedelta(minutes=1)  # due within this is "now" to the person told
TYPED = frozenset({WaitKind.NUDGE_WHEN, WaitKind.NUDGE_TEXT, WaitKind.WRITE, WaitKind.ANSWER})
"""The typed answers this capability reads."""

# Which kinds of draft each typed answer may fill.
_DRAFTS = {
    WaitKind.NUDGE_TEXT: (NUDGE,),
    WaitKind.WRITE: (REPLY, MESSAGE),
    WaitKind.ANSWER: (ANSWER,),
}
STALE = View.refuse("fallback.stale_button")


def may_nudge(policy: Policy, role: Role) -> bool:
    """Peer supporters nudge; clinicians too if the service allows it."""
    return role is Role.PEER or (role is Role.CLINICIAN and policy.clinicians_nudge)


def lines(first: Text, *more: Text) -> Text:
    """Texts one under another in one paragraph."""
    return reduce(lambda above, below: t("nudge.lines", first=above, then=below), more, first)


def needs_agreement(kind: str) -> bool:
    """Whether a member's message of ``kind`` waits until the client agreed that the bot may
    write first (the dispatcher holds it; the sender is told so)."""
    return kind in UNASKED


class Hold(StrEnum):
    """Why a member's message has no time to arrive yet."""

    NOT_AGREED = "not_agreed"  # the client has not agreed that the bot may write first
    PAUSED = "paused"  # paused until they resume


@dataclass(frozen=True)
class Arrival:
    """When a member's message will really reach the client: ``at``, or held for a reason.

    ``on_ask``: the client chose "Only when I ask", so a nudge is held (``hold``: NOT_AGREED, or
    PAUSED while they are paused) until the next time they write to the bot, from ``after`` if
    that is later than now.
    """

    at: datetime | None
    hold: Hold | None
    zone: tzinfo  # the client's
    on_ask: bool = False
    after: datetime | None = None


def kept_until(due: datetime) -> datetime:
    """Until when a member's message due at ``due`` may still reach the client: its send
    closes then (``Planner.plan_relay``), and what has not arrived is dropped."""
    return due + RELAY_LIFETIME


async def arrival(
    planner: Planner, client_id: int, kind: str, due: datetime, now: datetime
) -> Arrival:
    """When a message of ``kind`` due at ``due`` reaches the client, by the dispatcher's rule:
    only once they agreed (for what a member starts unasked), never during a pause, inside their
    contact hours, a little after the last message the bot started."""
    zone = await planner.zone_of(client_id)
    if needs_agreement(kind) and await planner.schedule_of(client_id) is None:
        return Arrival(None, Hold.NOT_AGREED, zone)
    at = await planner.deliverable_at(client_id, max(due, now))
    return Arrival(at, None if at is not None else Hold.PAUSED, zone)


def when_words(catalog: Catalog, language: str, at: datetime, now: datetime, zone: tzinfo) -> Text:
    """ "now", "today at 21:00", "tomorrow at 09:00" or "on <day> at 09:00", on the client's
    clock."""
    if at <= now + SOON:
        return t("arrival.now")
    local = at.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return t("arrival.today", time=clock)
    if local.date() == today + timedelta(days=1):
        return t("arrival.tomorrow", time=clock)
    return t("arrival.on", day=catalog.weekday_date(language, local.date()), time=clock)


def client_message(relay: Relay, role: Role) -> Say:
    """A nudge, an answer or a proposed meeting date as the client sees it, from a named person.

    Under a nudge or an answer: Reply first, then Thanks, Not now, and (under a nudge) a way to
    stop nudges from that person. Under a proposed date: it works, or another day.
    """
    name = relay.member_name
    if relay.kind == MEETING:
        answers = [
            Choice(t("meeting_date.works"), AnswerProposal(relay.id, True)),
            Choice(t("meeting_date.other_day"), AnswerProposal(relay.id, False)),
        ]
        meeting = proposed(relay)
        when = meeting_words(meeting) if meeting is not None else Text.plain("")
        text = t("meeting_date.proposal", name=name, role=role, date=when)
        return Say.of(text, choices=answers)
    if relay.kind == REFLECTION:
        choices = [
            Choice(t("nudge.reply", name=name), ReplyToMember(relay.id)),
            Choice(t("reflection.at_meeting"), TalkAtMeeting(relay.id)),
            Choice(t("nudge.thanks"), ThankMember(relay.id)),
        ]
        text = t("reflection.to_client", name=name, role=role, text=relay.body or "")
        return Say.of(text, choices=choices)
    key = "nudge.to_client" if relay.kind == NUDGE else "nudge.answer_to_client"
    choices = [
        Choice(t("nudge.reply", name=name), ReplyToMember(relay.id)),
        Choice(t("nudge.thanks"), ThankMember(relay.id)),
        Choice(t("nudge.not_now"), SetAside(relay.id)),
    ]
    if relay.kind == NUDGE:
        choices.append(Choice(t("nudge.stop", name=name), AskStopNudges(relay.id)))
    return Say.of(t(key, name=name, role=role, text=relay.body or ""), choices=choices)


def _written_question(step: Step) -> str:
    """A question of a dialog for someone close, as asked: its variant for typing (``most``)."""
    variant = step.at.get(Capacity.MOST)
    return (variant.question if variant else step.question).strip()


def staff_copy(client: User, relay: Relay) -> Say:
    """Someone close's words, for the client's staff, as they reached the client."""
    text = t("reflection.to_staff", name=relay.member_name, client=client.name)
    return Say.of(text, Text.plain(relay.body or ""))


def pause_note(name: str, own: ClientSchedule | None, *, held: bool) -> Say | None:
    """A paused client, for a member: until when (or, for a message that was already waiting,
    that it is held), and the client's own message for the team if they left one. None if the
    client is not paused."""
    if own is None or not own.paused:
        return None
    if held:
        first = t("nudge.held_paused", name=name)
    elif own.paused_until:
        first = t("nudge.paused_until", name=name, until=date.fromisoformat(own.paused_until))
    else:
        first = t("nudge.paused", name=name)
    if own.pause_message:
        return Say.of(first, t("nudge.pause_message", name=name, text=own.pause_message))
    return Say.of(first)


def nominal(when: When, now: datetime, zone: tzinfo) -> datetime:
    """The moment a quick choice names, in the client's zone, before their hours apply."""
    local = now.astimezone(zone)
    if when is When.EVENING:
        evening = datetime.combine(local.date(), EVENING, zone)
        return evening if evening > now else evening + timedelta(days=1)
    if when is When.MORNING:
        return datetime.combine(local.date() + timedelta(days=1), MORNING, zone)
    if when is When.IN_DAYS:
        return now + IN_DAYS
    return now


def _settled(say: Say) -> View:
    """The pressed question replaced by its outcome."""
    return View.of(dataclasses.replace(say, edit=True))


def _settle(key: str, /, **values: object) -> View:
    return _settled(Say.of(t(key, **values)))


def _unbuttoned(message_id: int | None, *says: Say) -> View:
    """New messages, and the pressed one keeps its words but loses its buttons."""
    return View(says, unbutton=(message_id,) if message_id is not None else ())


class Nudges:
    """Nudges, and the messages between a client and their team, as use cases."""

    def __init__(
        self,
        people: People,
        teams: TeamStore,
        messages: MessageStore,
        sends: Sends,
        planner: Planner,
        waits: Waits,
        outbox: Outbox,
        policy: Policy,
        catalog: Catalog,
        shares: ShareStore,
        dialogs: Mapping[str, Dialog] | None = None,
    ) -> None:
        self._people = people
        self._shares = shares
        self._dialogs = dialogs or {}  # for the questions someone close may answer
        self._teams = teams
        self._messages = messages
        self._sends = sends
        self._planner = planner
        self._waits = waits
        self._outbox = outbox
        self._policy = policy
        self._catalog = catalog  # ready words (templates, requests) are kept as words

    # --- who may do what ---------------------------------------------------------------------

    def _nudger(self, user: User) -> bool:
        return user.role.is_staff and may_nudge(self._policy, user.role)

    async def _nudgeable(self, member: User, client_id: int) -> User | View:
        """The client, if ``member`` may nudge them now; otherwise what to say instead."""
        role = await self._teams.team_role(client_id, member.id)
        client = await self._people.get_user(client_id) if role is not None else None
        if client is None or role is None or not may_nudge(self._policy, role):
            return View.say("clients.not_linked")
        if member.id in await self._messages.no_nudges(client_id):
            return View.say("nudge.declined_by_client", name=client.name)
        return client

    async def _own(self, user: User, relay_id: int | None, *, as_member: bool) -> Relay | None:
        """A message by id, only if ``user`` is its member (or, ``as_member=False``, its
        client). Anyone else's id finds nothing."""
        relay = await self._messages.relay(relay_id) if relay_id is not None else None
        if relay is None:
            return None
        owner = relay.member_id if as_member else relay.client_id
        return relay if owner == user.id else None

    async def _from_team(self, client: User, relay_id: int) -> tuple[Relay, User] | View:
        """The client's own message and the member of their team it is with."""
        relay = await self._own(client, relay_id, as_member=False)
        if relay is None or relay.member_id is None:
            return STALE
        member = await self._people.get_user(relay.member_id)
        if member is None or await self._teams.team_role(client.id, member.id) is None:
            return View.refuse("team.not_in_team")
        return relay, member

    async def _team_member(self, client: User, member_id: int) -> User | None:
        """A person in the client's team now, by id."""
        for member in await self._teams.team_of(client.id):
            if member.person.id == member_id:
                return member.person
        return None

    # --- telling the truth about time --------------------------------------------------------

    async def _arrival(
        self, client_id: int, kind: str, due: datetime | None, now: datetime
    ) -> Arrival:
        """When a member's message of ``kind`` will really reach the client; for a nudge to a
        client who chose "Only when I ask", the next time they write (``held_for``); so too
        someone close's words."""
        found = await arrival(self._planner, client_id, kind, due or now, now)
        if (
            found.hold is not Hold.NOT_AGREED
            or kind not in (NUDGE, REFLECTION)
            or not await self._sends.only_when_asked(client_id)
        ):
            return found
        schedule = await self._planner.contact_schedule(client_id)
        paused = schedule is not None and schedule.paused_at(now)
        later = due if due is not None and due > now + SOON else None
        hold = Hold.PAUSED if paused else Hold.NOT_AGREED
        return dataclasses.replace(found, hold=hold, on_ask=True, after=later)

    @staticmethod
    def _seen(found: Arrival) -> Text:
        """When a client who chose "Only when I ask" sees it: the next time they write."""
        if found.hold is Hold.PAUSED:
            return t("arrival.next_write_paused")
        if found.after is not None:
            return t("arrival.next_write_after", after=found.after.astimezone(found.zone))
        return t("arrival.next_write")

    @staticmethod
    def _until(found: Arrival, due: datetime) -> datetime:
        """Until when a message due at ``due`` waits, on the client's clock."""
        return kept_until(due).astimezone(found.zone)

    def _when(self, reader: User, found: Arrival, now: datetime) -> Text:
        """When it arrives, in words for ``reader``: a time, or what it waits for."""
        if found.on_ask:
            return self._seen(found)
        if found.hold is Hold.NOT_AGREED:
            return t("arrival.agreed")
        if found.at is None:
            return t("arrival.resumed")
        return when_words(self._catalog, reader.language, found.at, now, found.zone)

    def _short_when(self, reader: User, found: Arrival) -> Text:
        """The same, short enough for a button: the day, or "waiting"."""
        if found.at is None:
            return t("arrival.waiting")
        day = found.at.astimezone(found.zone).date()
        return Text.plain(self._catalog.short_date(reader.language, day))

    def _heading(
        self, reader: User, client: User, found: Arrival, due: datetime, now: datetime
    ) -> Text:
        """Above a preview: when the client will see it, or what it waits for (and until when,
        if that may never come)."""
        until = self._until(found, due)
        if found.on_ask:
            seen = self._seen(found)
            return t("arrival.preview_on_ask", name=client.name, seen=seen, until=until)
        if found.hold is Hold.NOT_AGREED:
            return t("arrival.preview_not_agreed", name=client.name, until=until)
        if found.hold is Hold.PAUSED:
            return t("arrival.preview_paused", name=client.name)
        return t("arrival.preview_at", name=client.name, when=self._when(reader, found, now))

    @staticmethod
    def _example(now: datetime) -> Text:
        return t("nudge.day_time", day=now.date() + timedelta(days=2), time="10:00")

    def _asking(self, user: User, wait: Wait, *parts: Text, choices: Sequence[Choice] = ()) -> Say:
        """A message that asks to type: the wait remembers which message asked."""
        return Say.of(
            *parts, choices=tuple(choices), on_sent=partial(self._waits.asked_in, user.id, wait)
        )

    # --- /nudge --------------------------------------------------------------------------------

    async def nudge_menu(self, user: User, now: datetime) -> View:
        """/nudge: what is still to arrive (each can be cancelled), then whom to nudge."""
        if not self._nudger(user):
            # Someone close to a client never reads staff words.
            key = "nudge.not_for_you" if user.role.is_staff else "fallback.not_for_role"
            return View.say(key)
        says: list[Say] = []
        planned = await self._messages.planned_relays(member_id=user.id)
        # One whose send closed never arrives: it is not "still to arrive".
        waiting = [
            relay
            for relay in planned
            if relay.kind == NUDGE and (relay.due_at is None or kept_until(relay.due_at) > now)
        ]
        if waiting:
            shown = [t("nudge.upcoming_title")]
            cancels = []
            for relay in waiting:
                client = await self._people.get_user(relay.client_id)
                name = client.name if client else "?"
                found = await self._arrival(relay.client_id, relay.kind, relay.due_at, now)
                when = self._when(user, found, now)
                shown.append(t("nudge.upcoming_line", name=name, when=when, text=relay.body or ""))
                short = self._short_when(user, found)
                cancels.append(
                    Choice(t("nudge.cancel", name=name, when=short), CancelNudge(relay.id))
                )
            says.append(Say.of(lines(*shown), choices=cancels))
        linked_clients = await self._teams.clients_of(user.id)
        recent = await self._recent(user, {c.person.id: c.person for c in linked_clients}, now)
        if recent is not None:
            says.append(Say.of(recent))
        clients = [linked for linked in linked_clients if may_nudge(self._policy, linked.role)]
        if clients:
            choices = [Choice(Text.plain(c.person.name), NudgeWho(c.person.id)) for c in clients]
            says.append(Say.of(t("nudge.who"), choices=choices))
        else:
            says.append(Say.of(t("nudge.nobody")))
        return View(tuple(says))

    async def _recent(self, user: User, clients: Mapping[int, User], now: datetime) -> Text | None:
        """What became of the sender's nudges of the last two weeks, as facts: arrived, could
        not be delivered, not sent (its time ran out, or, without a reason, the client said no
        to it: nobody is pressed for a no). Never a rate or a count: a fact for each, newest
        first, five at most."""
        facts: list[tuple[datetime, Text]] = []
        for relay in await self._messages.written_by(user.id, NUDGE, now - RECENT_NUDGES):
            client = clients.get(relay.client_id)  # only clients whose team they are in now
            waiting = relay.due_at is None or kept_until(relay.due_at) > now
            key = {
                "sent": "nudge.recent_arrived",
                "failed": "nudge.recent_failed",
                "declined": "nudge.recent_declined",
                "planned": None if waiting else "nudge.recent_dropped",
            }.get(relay.status)
            if client is None or key is None:
                continue
            written = relay.created_at.astimezone(await self._planner.zone_of(client.id)).date()
            facts.append((relay.created_at, t(key, name=client.name, written=written)))
        if not facts:
            return None
        facts.sort(key=lambda fact: fact[0], reverse=True)
        return lines(t("nudge.recent_title"), *(text for _, text in facts[:5]))

    async def choose_client(self, user: User, client_id: int, now: datetime) -> View:
        """Whom to nudge: then when, saying first if "Now" would not be now (outside the
        client's hours, paused, or not agreed to messages yet)."""
        if not self._nudger(user):
            return STALE
        client = await self._nudgeable(user, client_id)
        if isinstance(client, View):
            return client
        found = await self._arrival(client.id, NUDGE, now, now)
        lifetime = RELAY_LIFETIME
        if found.on_ask:
            question = t("arrival.ask_when_on_ask", name=client.name, duration=lifetime)
        elif found.hold is Hold.NOT_AGREED:
            question = t("arrival.ask_when_not_agreed", name=client.name, duration=lifetime)
        elif found.hold is Hold.PAUSED:
            question = t("arrival.ask_when_paused", name=client.name)
        elif found.at is not None and found.at > now + SOON:
            question = t(
                "arrival.ask_when_later", name=client.name, when=self._when(user, found, now)
            )
        else:
            question = t("nudge.when", name=client.name)
        choices = [Choice(t(f"nudge.{key}"), NudgeWhen(client.id, w)) for key, w in WHEN_CHOICES]
        return View.of(Say.of(question, choices=choices))

    async def choose_when(self, user: User, client_id: int, when: When, now: datetime) -> View:
        """When: a quick choice keeps a draft and asks for the words; "other" asks for a day and
        time to be typed."""
        if not self._nudger(user):
            return STALE
        client = await self._nudgeable(user, client_id)
        if isinstance(client, View):
            return client
        if when is When.OTHER:
            wait = await self._waits.ask(user.id, WaitKind.NUDGE_WHEN, now, subject=client.id)
            return View.of(
                self._asking(user, wait, t("nudge.ask_when", example=self._example(now)))
            )
        zone = await self._planner.zone_of(client.id)
        return await self._ask_words(user, client, nominal(when, now, zone), now)

    async def _ask_words(self, member: User, client: User, due: datetime, now: datetime) -> View:
        """The time is chosen: a draft is kept, and the sender writes or picks the words."""
        relay_id = await self._messages.add_relay(
            client.id, member.id, member.name, NUDGE, None, now, due
        )
        wait = await self._waits.ask(member.id, WaitKind.NUDGE_TEXT, now, subject=relay_id)
        choices = [Choice(t(f"nudge.template_{n}"), NudgeTemplate(relay_id, n)) for n in TEMPLATES]
        return View.of(
            self._asking(member, wait, t("nudge.write", name=client.name), choices=choices)
        )

    async def pick_template(self, user: User, relay_id: int, number: int, now: datetime) -> View:
        """Ready words for the draft: then the preview."""
        if not self._nudger(user):
            return STALE
        relay = await self._own(user, relay_id, as_member=True)
        if relay is None or relay.status != "draft" or relay.kind != NUDGE:
            return View.say("nudge.gone")
        if number not in TEMPLATES:
            return View.say("fallback.stale_button")
        await self._waits.cancel(user.id)
        words = self._catalog.get(user.language, f"nudge.template_{number}")
        return await self._preview(user, relay, words, now)

    async def _drafted(self, member: User, relay: Relay, words: str) -> tuple[User, Text] | None:
        """Keep the member's words on the draft; the client, and exactly what they will see."""
        await self._messages.update_relay(relay.id, body=words, expect="draft")
        client = await self._people.get_user(relay.client_id)
        if client is None:
            return None
        role = await self._teams.team_role(client.id, member.id) or member.role
        drafted = dataclasses.replace(relay, body=words, member_name=member.name)
        return client, client_message(drafted, role).parts[0]

    async def _preview(self, member: User, relay: Relay, words: str, now: datetime) -> View:
        """The member's words as the client will see them, when they will arrive, then Send."""
        drafted = await self._drafted(member, relay, words)
        if drafted is None:
            return View.say("nudge.gone")
        client, shown = drafted
        choices = [
            Choice(t("nudge.send"), ConfirmToClient(relay.id, True)),
            Choice(t("relay.cancel"), ConfirmToClient(relay.id, False)),
        ]
        due = max(relay.due_at or now, now)  # as it will be planned
        found = await self._arrival(client.id, relay.kind, due, now)
        heading = self._heading(member, client, found, due, now)
        return View.of(Say.of(heading, shown, choices=choices))

    async def confirm(
        self, user: User, relay_id: int, send: bool, now: datetime, message_id: int | None = None
    ) -> View:
        """Send (plan) or drop a member's draft to a client: a nudge or an answer."""
        relay = await self._own(user, relay_id, as_member=True)
        if relay is not None and relay.kind == NUDGE:
            return await self._confirm_nudge(user, relay, send, now, message_id)
        client = await self._people.get_user(relay.client_id) if relay is not None else None
        if relay is None or client is None:
            return STALE
        if await self._teams.team_role(client.id, user.id) is None:
            return View.refuse("nudge.not_linked", name=client.name)
        if relay.kind not in (ANSWER, REFLECTION) or relay.status != "draft":
            return View.say("nudge.gone")
        if not send:
            await self._messages.update_relay(relay.id, status="cancelled", expect="draft")
            return _settle("relay.cancelled")
        told = await self._plan(user, client, relay, now, "relay.answer_planned", now)
        return _settled(told) if told is not None else _settle("nudge.gone")

    async def _confirm_nudge(
        self, user: User, relay: Relay, send: bool, now: datetime, message_id: int | None
    ) -> View:
        if not self._nudger(user):
            return STALE
        if relay.status != "draft":
            return View.say("nudge.gone")
        if not send:
            await self._messages.update_relay(relay.id, status="cancelled", expect="draft")
            return _settle("relay.cancelled")
        client = await self._nudgeable(user, relay.client_id)
        if isinstance(client, View) or relay.body is None:
            await self._messages.update_relay(relay.id, status="cancelled", expect="draft")
            return client if isinstance(client, View) else View.say("nudge.gone")
        told = await self._plan(
            user, client, relay, max(relay.due_at or now, now), "nudge.scheduled", now
        )
        if told is None:
            return _settle("nudge.gone")
        return _unbuttoned(message_id, told)

    async def _plan(
        self, member: User, client: User, relay: Relay, due: datetime, key: str, now: datetime
    ) -> Say | None:
        """Plan a member's draft for the client; what the member is told (when it arrives, or
        that the client is paused). None if the draft was sent or cancelled meanwhile."""
        if not await self._messages.update_relay(
            relay.id, status="planned", due_at=due, expect="draft"
        ):
            return None
        await self._planner.plan_relay(client.id, relay.id, due)
        found = await self._arrival(client.id, relay.kind, due, now)
        until = self._until(found, due)
        if found.on_ask:
            seen = self._seen(found)
            return Say.of(t("arrival.planned_on_ask", name=client.name, seen=seen, until=until))
        if found.hold is Hold.NOT_AGREED:
            return Say.of(t("arrival.planned_not_agreed", name=client.name, until=until))
        paused = pause_note(client.name, await self._sends.schedule(client.id), held=False)
        if paused is not None:
            await self._messages.update_relay(relay.id, held_told=True)
            return paused
        return Say.of(t(key, name=client.name, when=self._when(member, found, now)))

    async def cancel_nudge(self, user: User, relay_id: int) -> View:
        """Take back a nudge that has not arrived yet."""
        if not self._nudger(user):
            return STALE
        relay = await self._own(user, relay_id, as_member=True)
        if (
            relay is None
            or relay.kind != NUDGE
            or not await self._messages.update_relay(
                relay.id, status="cancelled", expect="planned"
            )
        ):
            return _settle("nudge.gone")
        client = await self._people.get_user(relay.client_id)
        return _settle("nudge.cancelled", name=client.name if client else "?")

    # --- a member answers what a client wrote ------------------------------------------------

    async def answer(self, user: User, relay_id: int, now: datetime) -> View:
        """ "Answer Alex": only the person it was written to, while in Alex's team."""
        relay = await self._own(user, relay_id, as_member=True)
        client = await self._people.get_user(relay.client_id) if relay is not None else None
        if relay is None or client is None:
            return STALE
        if await self._teams.team_role(client.id, user.id) is None:
            return View.refuse("nudge.not_linked", name=client.name)
        if relay.to_client:
            return View.say("fallback.stale_button")
        return await self._start_answer(user, client, now)

    async def _start_answer(self, user: User, client: User, now: datetime) -> View:
        """The member's answer to the client, as a draft: their words come next."""
        answer_id = await self._messages.add_relay(
            client.id, user.id, user.name, ANSWER, None, now
        )
        wait = await self._waits.ask(user.id, WaitKind.ANSWER, now, subject=answer_id)
        return View.of(self._asking(user, wait, t("relay.write_answer", name=client.name)))

    async def answer_share(self, user: User, client_id: int, share_id: int, now: datetime) -> View:
        """ "Answer Alex" under what Alex shared: only someone it was shared with, while the
        share stands (not withdrawn) and they are in Alex's team."""
        client = await self._people.get_user(client_id)
        found = await self._shares.shares(client_id, share_id) if client is not None else []
        if client is None or not found or found[0].body is None:
            return View.say("relay.share_gone")
        if user.id not in {r.recipient_id for r in found[0].recipients}:
            return STALE
        if await self._teams.team_role(client.id, user.id) is None:
            return View.refuse("nudge.not_linked", name=client.name)
        return await self._start_answer(user, client, now)

    async def promise_call(self, user: User, relay_id: int, days: int, now: datetime) -> View:
        """ "I'll call today" / "I'll call tomorrow" under "Alex asks: Please call me": the
        words the client will get, with the day named (they may arrive on another day), shown
        with when they arrive, then Send."""
        relay = await self._own(user, relay_id, as_member=True)
        client = await self._people.get_user(relay.client_id) if relay is not None else None
        if relay is None or client is None or relay.kind != CALL or days not in (0, 1):
            return STALE
        if await self._teams.team_role(client.id, user.id) is None:
            return View.refuse("nudge.not_linked", name=client.name)
        today = now.astimezone(await self._planner.zone_of(client.id)).date()
        day = say_day(today + timedelta(days=days), today, client.language, self._policy.locale)
        words = self._catalog.get(client.language, "relay.call_promise", day=day)
        answer_id = await self._messages.add_relay(
            client.id, user.id, user.name, ANSWER, None, now
        )
        answer = await self._messages.relay(answer_id)
        if answer is None:
            return STALE
        return await self._preview(user, answer, words, now)

    # --- someone close writes to the client ---------------------------------------------------

    async def offer_reflection(self, member: User, note_id: int) -> View:
        """After someone close typed words (kept as their own note): would they like the client
        to read them? The client always reads them first, or at the same moment as their staff
        (if the writer chooses so), never after: nothing about the client goes to staff
        alone."""
        if member.role is not Role.NETWORK or not note_id:
            return View()
        clients = [linked.person for linked in await self._teams.clients_of(member.id)]
        if not clients:
            return View()
        if len(clients) == 1:
            return self._audience(clients[0], note_id, edit=False)
        choices = [Choice(Text.plain(c.name), ReflectFor(c.id, note_id)) for c in clients[:5]]
        return View.of(Say.of(t("reflection.offer_whom"), choices=choices))

    def _audience(self, client: User, note_id: int, *, edit: bool) -> View:
        choices = (
            Choice(t("reflection.to", name=client.name), ReflectFor(client.id, note_id, False)),
            Choice(
                t("reflection.to_with_team", name=client.name),
                ReflectFor(client.id, note_id, True),
            ),
        )
        say = Say.of(t("reflection.offer", name=client.name), choices=choices, edit=edit)
        return View.of(say)

    async def reflect_for(
        self, member: User, client_id: int, note_id: int, team: bool | None, now: datetime
    ) -> View:
        """Someone close's note for a client: whom else (``team`` None), then the preview that
        says when the client reads it and who else gets it at that same moment, then Send."""
        client = await self._people.get_user(client_id)
        if (
            member.role is not Role.NETWORK
            or client is None
            or await self._teams.team_role(client.id, member.id) is None
        ):
            return STALE
        note = next((n for n in await self._people.notes(member.id) if n.id == note_id), None)
        if note is None:
            return View.say("reflection.note_gone")
        if team is None:
            return self._audience(client, note_id, edit=True)
        relay_id = await self._messages.add_relay(
            client.id, member.id, member.name, REFLECTION, None, now,
            audience="team" if team else None,
        )  # fmt: skip
        relay = await self._messages.relay(relay_id)
        if relay is None:
            return STALE
        return await self._reflection_preview(member, client, relay, note.text, now)

    async def _reflection_preview(
        self, member: User, client: User, relay: Relay, words: str, now: datetime
    ) -> View:
        """Someone close's words as the client will see them, when, and (``audience`` team)
        which of the client's staff get them at that same moment; then Send."""
        view = await self._preview(member, relay, words, now)
        if relay.audience != "team":
            return view
        staff = [m.person.name for m in await self._teams.team_of(client.id) if m.role.is_staff]
        also = (
            t("reflection.team_too", names=tuple(staff), count=len(staff))
            if staff
            else t("reflection.no_staff", name=client.name)
        )
        first, *rest = view.says
        return View((dataclasses.replace(first, parts=(*first.parts, also)), *rest))

    # --- a few questions for the meeting (dialogs/reflection.yaml) ----------------------------

    async def _close_to(self, member: User, client_id: int) -> User | None:
        """The client, if ``member`` is someone close in their team now."""
        client = await self._people.get_user(client_id)
        if member.role is not Role.NETWORK or client is None:
            return None
        return client if await self._teams.team_role(client.id, member.id) else None

    async def start_reflection(self, member: User, client_id: int, now: datetime) -> View:
        """ "Write something for the meeting": the questions one by one, each answered by
        typing or skipped; nothing goes anywhere until the end, and only then as chosen."""
        client = await self._close_to(member, client_id)
        dialog = dialog_for(self._dialogs, REFLECTION, member.language)
        if client is None or dialog is None or not dialog.steps:
            return STALE
        relay_id = await self._messages.add_relay(
            client.id, member.id, member.name, REFLECTION, None, now
        )
        return await self._reflection_step(member, client, relay_id, dialog, 0, now)

    async def _reflection_step(
        self,
        member: User,
        client: User,
        relay_id: int,
        dialog: Dialog,
        index: int,
        now: datetime,
        *,
        edit: bool = False,
    ) -> View:
        """The ``index``-th question, or, past the last, whom the words go to."""
        if index >= len(dialog.steps):
            return await self._reflection_written(member, client, relay_id, edit=edit)
        step = dialog.steps[index]
        question = _written_question(step)
        skip = next((o.label for o in step.options if o.id in UNSURE_IDS), None)
        choices = [Choice(Text.plain(skip), SkipReflectionStep(relay_id, index))] if skip else []
        text = t("reflection.question", number=index + 1, total=len(dialog.steps))
        wait = await self._waits.ask(
            member.id, WaitKind.REFLECTION, now, subject=f"{relay_id}.{index}"
        )
        say = self._asking(member, wait, text, Text.plain(question), choices=choices)
        return View.of(dataclasses.replace(say, edit=edit))

    async def _reflection_written(
        self, member: User, client: User, relay_id: int, *, edit: bool
    ) -> View:
        relay = await self._messages.relay(relay_id)
        if relay is None or relay.status != "draft":
            return View.say("nudge.gone")
        if not relay.body:
            await self._messages.update_relay(relay_id, status="cancelled", expect="draft")
            return View.of(Say.of(t("reflection.nothing"), edit=edit))
        choices = (
            Choice(t("reflection.to", name=client.name), ReflectDraft(relay_id, False)),
            Choice(t("reflection.to_with_team", name=client.name), ReflectDraft(relay_id, True)),
        )
        say = Say.of(t("reflection.offer", name=client.name), choices=choices, edit=edit)
        return View.of(say)

    async def _reflection_of(
        self, member: User, relay_id: int
    ) -> tuple[Relay, User, Dialog] | None:
        relay = await self._own(member, relay_id, as_member=True)
        if relay is None or relay.kind != REFLECTION or relay.status != "draft":
            return None
        client = await self._close_to(member, relay.client_id)
        dialog = dialog_for(self._dialogs, REFLECTION, member.language)
        return (relay, client, dialog) if client is not None and dialog is not None else None

    async def reflection_words(self, member: User, wait: Wait, text: str, now: datetime) -> View:
        """Typed words answering one of the questions: kept under it, then the next."""
        relay_part, _, step_part = (wait.subject or "").partition(".")
        found = (
            await self._reflection_of(member, int(relay_part)) if relay_part.isdigit() else None
        )
        if found is None or not step_part.isdigit():
            return View.say("nudge.gone")
        relay, client, dialog = found
        index = int(step_part)
        if index < len(dialog.steps):
            answered = f"{_written_question(dialog.steps[index])}\n{text.strip()}"
            body = f"{relay.body}\n\n{answered}" if relay.body else answered
            if utf16_len(body) > MESSAGE_MAX:
                await self._waits.again(member.id, wait, now)
                return View.say("relay.too_long", limit=MESSAGE_MAX)
            await self._messages.update_relay(relay.id, body=body, expect="draft")
        return await self._reflection_step(member, client, relay.id, dialog, index + 1, now)

    async def skip_reflection_step(
        self, member: User, relay_id: int, index: int, now: datetime
    ) -> View:
        found = await self._reflection_of(member, relay_id)
        if found is None:
            return STALE
        relay, client, dialog = found
        return await self._reflection_step(
            member, client, relay.id, dialog, index + 1, now, edit=True
        )

    async def reflect_draft(self, member: User, relay_id: int, team: bool, now: datetime) -> View:
        found = await self._reflection_of(member, relay_id)
        if found is None or not found[0].body:
            return STALE
        relay, client, _ = found
        audience = "team" if team else None
        await self._messages.update_relay(relay.id, audience=audience, expect="draft")
        relay = dataclasses.replace(relay, audience=audience)
        return await self._reflection_preview(member, client, relay, relay.body or "", now)

    # --- the client's side ---------------------------------------------------------------------

    async def start_writing(self, client: User, member: User, kind: str, now: datetime) -> View:
        """The client writes to someone in their team: a draft, then their words, then Send."""
        relay_id = await self._messages.add_relay(
            client.id, member.id, member.name, kind, None, now
        )
        wait = await self._waits.ask(client.id, WaitKind.WRITE, now, subject=relay_id)
        return View.of(self._asking(client, wait, t("relay.write_to", name=member.name)))

    async def write_to(self, client: User, member_id: int, now: datetime) -> View:
        """ "Write to Sam" from /team."""
        member = await self._team_member(client, member_id)
        if member is None:
            return _settle("team.not_in_team")
        return await self.start_writing(client, member, MESSAGE, now)

    async def ask_menu(self, client: User, member_id: int) -> View:
        """ "Ask Sam to get in touch": the kinds of request."""
        member = await self._team_member(client, member_id)
        if member is None:
            return _settle("team.not_in_team")
        choices = [
            Choice(t(f"relay.ask_{request.value}"), AskContact(member.id, request))
            for request in Request
        ]
        return View.of(Say.of(t("relay.ask_title", name=member.name), choices=choices))

    async def ask_contact(
        self, client: User, member_id: int, request: Request, now: datetime
    ) -> View:
        """A request ("Please call me") as a draft the client confirms."""
        member = await self._team_member(client, member_id)
        if member is None:
            return _settle("team.not_in_team")
        words = self._catalog.get(client.language, f"relay.ask_{request.value}")
        kind = CALL if request is Request.CALL else REQUEST
        relay_id = await self._messages.add_relay(
            client.id, member.id, member.name, kind, words, now
        )
        return self._confirm_write(relay_id, member.name, words, "relay.ask_preview")

    def _confirm_write(self, relay_id: int, name: str, words: str, key: str) -> View:
        choices = [
            Choice(t("relay.send", name=name), SendToMember(relay_id, True)),
            Choice(t("relay.cancel"), SendToMember(relay_id, False)),
        ]
        return View.of(Say.of(t(key, name=name, text=words), choices=choices))

    async def set_nudges(self, client: User, member_id: int, stop: bool, now: datetime) -> View:
        """From /team: no more nudges from this person, or allow them again."""
        member = await self._team_member(client, member_id)
        if member is None:
            return _settle("team.not_in_team")
        if stop:
            await self.stop_nudges(client, member, now)
            return View.say("nudge.stopped", name=member.name)
        await self._messages.set_no_nudges(client.id, member.id, False, now)
        return View.say("nudge.allowed", name=member.name)

    async def stop_nudges(self, client: User, member: User, now: datetime) -> None:
        """No more nudges from this person: recorded, waiting ones declined, the person told."""
        await self._messages.set_no_nudges(client.id, member.id, True, now)
        for waiting in await self._messages.planned_relays(client_id=client.id):
            if waiting.member_id == member.id and waiting.kind == NUDGE:
                await self._messages.update_relay(waiting.id, status="declined", expect="planned")
        await self._outbox.send(member, Say.of(t("nudge.stop_told", name=client.name)))

    async def under_message(
        self, client: User, action: Action, now: datetime, message_id: int | None = None
    ) -> View:
        """A client's button under a message from their team, or under their own draft."""
        relay_id = getattr(action, "relay_id", None)
        if not isinstance(relay_id, int):
            return STALE
        found = await self._from_team(client, relay_id)
        if isinstance(found, View):
            return found
        relay, member = found
        name = member.name
        if isinstance(action, SendToMember):
            return await self._send_draft(client, member, relay, action.send, message_id)
        if not relay.to_client:
            return STALE
        match action:
            case ReplyToMember():
                # "replied to your nudge" only under a nudge; to anything else, a message
                kind = REPLY if relay.kind == NUDGE else MESSAGE
                return await self.start_writing(client, member, kind, now)
            case ThankMember():
                words = self._catalog.get(client.language, "nudge.thanks")
                thanks_id = await self._messages.add_relay(
                    client.id, member.id, name, REPLY, words, now
                )
                thanked = t("relay.thanks_from_client", name=client.name)
                if await self._deliver(client, member, thanks_id, thanked):
                    return View.say("nudge.thanks_sent", name=name)
                return View.say("relay.failed", name=name)
            case SetAside():
                return _unbuttoned(message_id, Say.of(t("nudge.not_now_ok")))
            case TalkAtMeeting() if relay.kind == REFLECTION:
                if relay.agenda_at is None:
                    await self._messages.update_relay(relay.id, agenda_at=now)
                view = View.say("reflection.on_agenda", name=name)
                if message_id is not None:  # done: the message keeps Reply and Thanks
                    kept = tuple(
                        choice
                        for choice in client_message(relay, Role.NETWORK).choices
                        if not isinstance(choice.action, TalkAtMeeting)
                    )
                    view = View(rebutton=((message_id, kept),)) + view
                return view
            case AskStopNudges() if relay.kind == NUDGE:
                choices = [
                    Choice(t("nudge.stop_yes", name=name), StopNudges(relay.id, True)),
                    Choice(t("nudge.stop_no"), StopNudges(relay.id, False)),
                ]
                return View.of(Say.of(t("nudge.stop_ask", name=name), choices=choices))
            case StopNudges(stop=True) if relay.kind == NUDGE:
                await self.stop_nudges(client, member, now)
                return _settle("nudge.stopped", name=name)
            case StopNudges(stop=False):
                return _settle("nudge.kept")
        return STALE

    async def _send_draft(
        self, client: User, member: User, relay: Relay, send: bool, message_id: int | None
    ) -> View:
        """The client's Send (or Cancel) under what they wrote: only now does it go."""
        if relay.status != "draft" or relay.to_client or relay.body is None:
            return View.say("fallback.stale_button")
        if not send:
            await self._messages.update_relay(relay.id, status="cancelled", expect="draft")
            return _settle("relay.cancelled")
        # Claimed first, so a second press never sends it twice.
        if not await self._messages.update_relay(relay.id, status="sent", expect="draft"):
            return View.say("fallback.stale_button")
        key = {
            REQUEST: "relay.request_from_client",
            CALL: "relay.request_from_client",
            REPLY: "relay.reply_from_client",
        }.get(relay.kind, "relay.from_client")
        words = t(key, name=client.name, text=relay.body)
        if await self._deliver(client, member, relay.id, words, relay.kind):
            return _unbuttoned(message_id, Say.of(t("relay.sent", name=member.name)))
        return _unbuttoned(message_id, Say.of(t("relay.failed", name=member.name)))

    async def _deliver(
        self, client: User, member: User, relay_id: int, words: Text, kind: str = REPLY
    ) -> bool:
        """The client's words to the member now, attributed, with a button to answer; under
        "Please call me", when the member will call, or "Write instead"."""
        answers = [Choice(t("relay.answer", name=client.name), AnswerClient(relay_id))]
        if kind == CALL:
            answers = [
                Choice(t("relay.call_today"), PromiseCall(relay_id, 0)),
                Choice(t("relay.call_tomorrow"), PromiseCall(relay_id, 1)),
                Choice(t("relay.write_instead"), AnswerClient(relay_id)),
            ]
        sent = await self._outbox.send(member, Say.of(words, choices=answers))
        if sent is None:
            await self._messages.update_relay(relay_id, status="failed")
            return False
        # Where it arrived: it is taken back if the client erases their data or the member
        # leaves their team.
        await self._messages.update_relay(
            relay_id, status="sent", chat_id=member.chat_id, message_id=sent
        )
        return True

    # --- a client who chose "Only when I ask" writes ------------------------------------------

    async def held_for(self, client: User, now: datetime) -> View:
        """What waited for a client who chose "Only when I ask", to show now that they wrote to
        the bot, before the answer to what they wrote: each nudge whose time has come, as it
        always looks ("Sam wanted to check in: …", its buttons), unless it was withdrawn,
        declined or dropped (``kept_until``), its sender left the team, or the client is
        paused. Nothing for anyone else.

        Each is marked as arrived once it is out (``on_sent``), so it is shown once. Handled
        again after a stop between the two, it is shown again, and the adapter does not send a
        message that already went for the same update.
        """
        if not client.role.is_client or not await self._sends.only_when_asked(client.id):
            return View()
        schedule = await self._planner.contact_schedule(client.id)
        if schedule is not None and schedule.paused_at(now):
            return View()
        declined = await self._messages.no_nudges(client.id)
        says: list[Say] = []
        for relay, send_id in await self._messages.held_relays(client.id, now):
            if relay.kind not in (NUDGE, REFLECTION) or relay.member_id is None:
                continue
            if relay.kind == NUDGE and relay.member_id in declined:
                continue  # (the dispatcher drops what no longer goes when it next looks)
            role = await self._teams.team_role(client.id, relay.member_id)
            if role is None:
                continue
            arrived = partial(self._arrived, client, relay, send_id, now)
            says.append(dataclasses.replace(client_message(relay, role), on_sent=arrived))
        return View(tuple(says))

    async def _arrived(
        self, client: User, relay: Relay, send_id: int, now: datetime, message_id: int
    ) -> None:
        """A waiting nudge (or someone close's words) reached the client, who had written: it
        is sent, never again; the client's staff get someone close's words now, if chosen."""
        first = await self._messages.update_relay(relay.id, status="sent", expect="planned")
        await self._sends.finish_send(send_id, "sent", now, reason="asked", message_id=message_id)
        if first and relay.kind == REFLECTION and relay.audience == "team":
            say = staff_copy(client, relay)
            await give_staff(
                self._teams, self._messages, self._outbox.send, client, relay, say, now
            )

    # --- one entry for presses, one for typed words --------------------------------------------

    async def pressed(
        self, user: User, action: Action, now: datetime, message_id: int | None = None
    ) -> View:
        """Any button of this capability, pressed by ``user`` (``message_id``: the message
        that carried it)."""
        match action:
            case NudgeWho(client_id=client_id):
                return await self.choose_client(user, client_id, now)
            case NudgeWhen(client_id=client_id, when=when):
                return await self.choose_when(user, client_id, when, now)
            case NudgeTemplate(relay_id=relay_id, number=number):
                return await self.pick_template(user, relay_id, number, now)
            case ConfirmToClient(relay_id=relay_id, send=send):
                return await self.confirm(user, relay_id, send, now, message_id)
            case CancelNudge(relay_id=relay_id):
                return await self.cancel_nudge(user, relay_id)
            case AnswerClient(relay_id=relay_id):
                return await self.answer(user, relay_id, now)
            case AnswerShare(client_id=client_id, share_id=share_id):
                return await self.answer_share(user, client_id, share_id, now)
            case PromiseCall(relay_id=relay_id, days=days):
                return await self.promise_call(user, relay_id, days, now)
            case ReflectFor(client_id=client_id, note_id=note_id, team=team):
                return await self.reflect_for(user, client_id, note_id, team, now)
            case StartReflection(client_id=client_id):
                return await self.start_reflection(user, client_id, now)
            case SkipReflectionStep(relay_id=relay_id, step=step):
                return await self.skip_reflection_step(user, relay_id, step, now)
            case ReflectDraft(relay_id=relay_id, team=team):
                return await self.reflect_draft(user, relay_id, team, now)
            case WriteToMember(member_id=member_id):
                return await self.write_to(user, member_id, now)
            case AskContactMenu(member_id=member_id):
                return await self.ask_menu(user, member_id)
            case AskContact(member_id=member_id, request=request):
                return await self.ask_contact(user, member_id, request, now)
            case SetNudges(member_id=member_id, stop=stop):
                return await self.set_nudges(user, member_id, stop, now)
            case (
                ReplyToMember()
                | ThankMember()
                | SetAside()
                | TalkAtMeeting()
                | AskStopNudges()
                | StopNudges()
                | SendToMember()
            ):
                return await self.under_message(user, action, now, message_id)
        return STALE

    async def typed(self, user: User, wait: Wait, text: str, now: datetime) -> View:
        """Words the bot asked for here (the wait, already taken): a nudge's day and time or
        words, a client's message to someone in their team, a member's answer."""
        if wait.kind is WaitKind.NUDGE_WHEN:
            return await self._typed_when(user, wait, text, now)
        if wait.kind is WaitKind.REFLECTION:
            return await self.reflection_words(user, wait, text, now)
        kinds = _DRAFTS.get(wait.kind)
        if kinds is None:
            raise ValueError(f"{wait.kind} is not a wait of this capability")
        relay = await self._own(user, wait.subject_id, as_member=wait.kind is not WaitKind.WRITE)
        if relay is None or relay.status != "draft" or relay.kind not in kinds:
            return View.say("nudge.gone")
        if utf16_len(text) > MESSAGE_MAX:
            await self._waits.again(user.id, wait, now)
            if user.role.is_client:  # nothing a client writes is lost
                await self._people.add_note(user.id, text, now)
                return View.say("relay.too_long_kept", limit=MESSAGE_MAX)
            return View.say("relay.too_long", limit=MESSAGE_MAX)
        if wait.kind is WaitKind.WRITE:
            await self._messages.update_relay(relay.id, body=text, expect="draft")
            return self._confirm_write(relay.id, relay.member_name, text, "relay.preview")
        if relay.kind == NUDGE and not self._nudger(user):
            return View.say("nudge.gone")
        return await self._preview(user, relay, text, now)

    async def _typed_when(self, user: User, wait: Wait, text: str, now: datetime) -> View:
        if not self._nudger(user):
            return View.say("nudge.not_for_you")
        client = await self._nudgeable(user, wait.subject_id or -1)
        if isinstance(client, View):
            return client
        zone = await self._planner.zone_of(client.id)
        # Read as the nudger means it ("half 7"), numbers in the order of the service's country.
        locale = speech_locale(user.language, self._policy.locale)
        due = read_moment(text, now.astimezone(zone), locale)
        if due is None:
            await self._waits.again(user.id, wait, now)
            return View.say("nudge.bad_when", example=self._example(now))
        return await self._ask_words(user, client, due, now)
