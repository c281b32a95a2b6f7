"""The care team as use cases: invites, Accept or Decline, /team, /clients and meeting dates.

Every action checks the team table as it is now: a member acts only on clients whose team they
are in, a clinician alone sets a client's meeting date, and a client only ever acts on their own
team. Old or forged ids are refused calmly and change nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno

from bot.core.actions.messages import AskContactMenu, SetNudges, WriteToMember
from bot.core.actions.share import SharedHistory
from bot.core.actions.team import (
    AcceptInvite,
    AskMeeting,
    AskRemove,
    ClientList,
    DeclineInvite,
    DeclineWaiting,
    InviteClose,
    KeepMember,
    MeetingLater,
    MeetingSlot,
    MeetingStart,
    NoMeeting,
    RemoveMember,
    ShowClient,
    ShowMember,
)
from bot.core.i18n import Catalog
from bot.core.model import InviteKind, Role, TeamMember, User, hash_code, new_invite_code
from bot.core.nudges import may_nudge
from bot.core.planning import Planner
from bot.core.policy import Policy
from bot.core.ports import MessageStore, Outbox, People, Sends, ShareStore, TeamJoin, TeamStore
from bot.core.schedule import parse_date
from bot.core.views import Attachment, Choice, Say, Text, View, t
from bot.core.waits import Wait, WaitKind, Waits

MAX_TEXT = 4096
"""The longest text one message may carry (Telegram's limit)."""

MEETING_DIALOGS = {MeetingSlot.PREP: "meeting_prep", MeetingSlot.AFTER: "after_meeting"}
"""The questions each meeting invitation starts."""


def qr_png(link: str) -> bytes:
    """A QR code of ``link`` as a PNG image, big enough to scan across a table."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


async def create_team_invite(
    store: TeamStore, inviter: User, now: datetime, valid: timedelta
) -> str:
    """A one-time code for someone to join a team: staff ask a client, a client asks someone
    close to them. Only the hash is stored."""
    if inviter.role.is_staff:
        kind = InviteKind.CLIENT
    elif inviter.role is Role.CLIENT:
        kind = InviteKind.NETWORK
    else:
        raise ValueError("only staff and clients make team invites")
    code = new_invite_code(kind.prefix)
    await store.add_team_invite(hash_code(code), inviter.id, kind, now, now + valid)
    return code


def meeting_invitation(catalog: Catalog, language: str, slot: MeetingSlot, day: date) -> Say:
    """The message the bot sends before (``prep``) or after (``after``) a network meeting."""
    if slot is MeetingSlot.PREP:
        text = t("meeting.prep_invite", date=catalog.weekday_date(language, day))
        start = t("meeting.prep_start")
    else:
        text, start = t("meeting.after_invite"), t("meeting.after_start")
    return Say.of(
        text,
        choices=[
            Choice(start, MeetingStart(slot)),
            Choice(t("common.not_now"), MeetingLater(slot)),
        ],
    )


@dataclass(frozen=True)
class Caller:
    """Someone who opened a link or pressed under it, as Telegram names them; they may have no
    account yet (someone close to a client needs none to say yes or no)."""

    id: int
    chat_id: int
    name: str
    language_code: str | None


@dataclass(frozen=True)
class InviteReply:
    """What follows opening or answering an invite, in the language of whoever did it."""

    view: View
    language: str
    menu: Role | None = None  # the command menu they should have now, when it changed


class _Lines:
    """Lines of one message, one under another, in one language (a view's parts are a blank
    line apart; a list is not)."""

    def __init__(self, catalog: Catalog, language: str) -> None:
        self._catalog = catalog
        self.language = language
        self._lines: list[str] = []

    def add(self, key: str, /, **values: object) -> None:
        self._lines.append(self._catalog.get(self.language, key, **values))

    def blank(self) -> None:
        self._lines.append("")

    def body(self) -> str:
        return "\n".join(self._lines)


class Team:
    """Use cases of the care team."""

    def __init__(
        self,
        people: People,
        teams: TeamStore,
        shares: ShareStore,
        messages: MessageStore,
        sends: Sends,
        planner: Planner,
        waits: Waits,
        outbox: Outbox,
        policy: Policy,
        catalog: Catalog,
        bot_name: str,
    ) -> None:
        self._people = people
        self._teams = teams
        self._shares = shares
        self._messages = messages
        self._sends = sends
        self._planner = planner
        self._waits = waits
        self._outbox = outbox
        self.policy = policy
        self._catalog = catalog
        self._bot_name = bot_name

    # --- invites ---------------------------------------------------------------------------

    def link(self, code: str) -> str:
        """The ``start=`` link that opens the bot with ``code``."""
        return f"https://t.me/{self._bot_name}?start={code}"

    @property
    def _hours(self) -> int:
        return int(self.policy.invite_valid.total_seconds() // 3600)

    def _role(self, language: str, role: Role) -> str:
        return self._catalog.get(language, f"roles.{role.value}")

    async def _invite(self, inviter: User, now: datetime) -> View:
        """A one-time link, and its QR code, for someone to join the inviter's team."""
        code = await create_team_invite(self._teams, inviter, now, self.policy.invite_valid)
        link = self.link(code)
        if inviter.role.is_staff:
            text = t("invite.staff_link", hours=self._hours, link=link)
            caption = t("invite.qr_caption", name=inviter.name, role=inviter.role)
        else:
            text = t("invite.network_link", hours=self._hours, link=link)
            caption = t("invite.network_qr_caption", name=inviter.name)
        return View.of(Say.of(text), Say((caption,), attachment=Attachment(qr_png(link))))

    async def invite_client(self, user: User, now: datetime) -> View:
        """/invite: staff make a link for a client."""
        if not user.role.is_staff:
            return View.say("invite.not_for_you")
        return await self._invite(user, now)

    async def invite_close(self, user: User, now: datetime) -> View:
        """From /team: a client makes a link for someone close to them."""
        if not user.role.is_client:
            return View.refuse("fallback.stale_button")
        return await self._invite(user, now)

    async def _language(self, caller: Caller) -> tuple[User | None, str]:
        me = await self._people.get_user(caller.id)
        return me, me.language if me else self._catalog.language_for(caller.language_code)

    async def open_invite(self, caller: Caller, code: str, now: datetime) -> InviteReply | None:
        """A team link opened: who asks and what the person will (and won't) see; Accept or
        Decline. None if ``code`` is not a usable team code."""
        kind = InviteKind.of_code(code)
        if kind is None or len(code) > 60:
            return None
        found = await self._teams.team_invite(hash_code(code), now)
        if found is None or found[1] is not kind:
            return None
        inviter = found[0]
        me, lang = await self._language(caller)
        if inviter.id == caller.id:
            return InviteReply(View.say("invite.own_link"), lang)
        org = self.policy.organisation
        if kind is InviteKind.CLIENT:
            if me is not None and not me.role.is_client:
                return InviteReply(View.say("invite.for_clients"), lang)
            text = t("invite.ask_client", name=inviter.name, role=inviter.role, org=org)
            accept = t("invite.accept", name=inviter.name)
        else:
            if me is not None and me.role.is_staff:
                return InviteReply(View.say("invite.for_network"), lang)
            text = t("invite.ask_network", name=inviter.name, org=org)
            accept = t("invite.accept_network")
        choices = [
            Choice(accept, AcceptInvite(code)),
            Choice(t("invite.decline"), DeclineInvite(code)),
        ]
        return InviteReply(View.of(Say.of(text, choices=choices)), lang)

    async def decline(self, caller: Caller, code: str, now: datetime) -> InviteReply:
        """Decline: the code is used up, nobody is linked."""
        _, lang = await self._language(caller)
        if await self._teams.decline_team_invite(hash_code(code), caller.id, now):
            kind = InviteKind.of_code(code)
            key = "invite.declined" if kind is InviteKind.CLIENT else "invite.declined_network"
        else:
            key = "start.code_invalid"
        return InviteReply(_settled(key), lang)

    async def accept(self, caller: Caller, code: str, now: datetime) -> InviteReply:
        """Accept: the code is used once, by whoever presses first; the other person hears of
        it (staff at once, a client at a time the bot may write to them)."""
        _, lang = await self._language(caller)
        kind = InviteKind.of_code(code)
        outcome, other = await self._teams.join_team(
            hash_code(code), caller.id, caller.chat_id, caller.name, lang, now
        )
        if outcome is TeamJoin.OK and other is not None:
            if kind is InviteKind.CLIENT:
                await self._outbox.send(other, Say.of(t("invite.staff_told", name=caller.name)))
                return InviteReply(_settled("invite.client_joined", name=other.name), lang)
            await self.notify(
                other,
                "team.notice_joined",
                now,
                name=caller.name,
                role=self._role(other.language, Role.NETWORK),
            )
            view = _settled("invite.network_joined", name=other.name)
            return InviteReply(view, lang, menu=Role.NETWORK)
        if outcome is TeamJoin.ALREADY:
            key = "invite.already"
        elif outcome is TeamJoin.OWN_LINK:
            key = "invite.own_link"
        elif outcome is TeamJoin.WRONG_KIND:
            key = "invite.for_clients" if kind is InviteKind.CLIENT else "invite.for_network"
        else:
            key = "start.code_invalid"
        return InviteReply(_settled(key), lang)

    async def notify(self, client: User, key: str, now: datetime, /, **values: object) -> None:
        """Tell a client something about their team, at a time they may be written to.

        ``values`` are plain words in the client's language: the notice waits as stored data.
        """
        await self._planner.plan_notice(client.id, key, values, now)

    # --- /team -----------------------------------------------------------------------------

    async def team(self, user: User, now: datetime) -> View:
        """/team: who is in the client's team, what each has, what waits to reach the client,
        the next meeting; and what the client can change."""
        if not user.role.is_client:
            return View.say("fallback.not_for_role")
        catalog, lang = self._catalog, user.language
        team = await self._teams.team_of(user.id)
        every_share = await self._shares.shares(user.id)
        live = [s for s in every_share if s.withdrawn_at is None]
        lines = _Lines(catalog, lang)
        choices: list[Choice] = []
        if team:
            lines.add("team.title")
            for member in team:
                values = {
                    "name": member.person.name,
                    "role": self._role(lang, member.role),
                    "since": catalog.date(lang, member.since.date()),
                }
                dates = sorted(
                    {
                        catalog.short_date(lang, s.created_at.date())
                        for s in live
                        if any(r.recipient_id == member.person.id for r in s.recipients)
                    }
                )
                if dates:
                    lines.add("team.member_received", dates=", ".join(dates), **values)
                else:
                    lines.add("team.member", **values)
                choices.append(
                    Choice(Text.plain(member.person.name), ShowMember(member.person.id))
                )
        else:
            lines.add("team.empty")
        waiting = await self._messages.planned_relays(client_id=user.id)
        if waiting:
            lines.blank()
            lines.add("team_people.upcoming_title")
            zone = await self._planner.zone_of(user.id)
            own = await self._sends.schedule(user.id)
            for relay in waiting:
                due = relay.due_at or now
                if own is not None and own.paused:
                    key = "team_people.upcoming_paused"
                elif due > now:
                    key = "team_people.upcoming_line"
                else:
                    key = "team_people.upcoming_soon"
                lines.add(
                    key,
                    name=relay.member_name,
                    when=catalog.datetime(lang, due.astimezone(zone)),
                    written=catalog.datetime(lang, relay.created_at.astimezone(zone)),
                )
                short = catalog.short_date(lang, due.astimezone(zone).date())
                label = t("team_people.decline", name=relay.member_name, when=short)
                choices.append(Choice(label, DeclineWaiting(relay.id)))
        meeting = await self._teams.next_meeting(user.id)
        lines.blank()
        if meeting:
            lines.add("team.meeting", date=catalog.weekday_date(lang, date.fromisoformat(meeting)))
        else:
            lines.add("team.no_meeting")
        choices.append(Choice(t("team.invite"), InviteClose()))
        choices.append(Choice(t("team.set_meeting"), AskMeeting(None)))
        if every_share:
            choices.append(Choice(t("team.shared"), SharedHistory()))
        return View.of(Say.of(Text.plain(lines.body()), choices=choices))

    async def _member(self, user: User, member_id: int) -> TeamMember | None:
        """``member_id``'s place in ``user``'s own team now, if they have one."""
        team = await self._teams.team_of(user.id) if user.role.is_client else []
        return next((m for m in team if m.person.id == member_id), None)

    async def member(self, user: User, member_id: int) -> View:
        """One person of the client's team: write to them, ask them to get in touch, nudges
        from them, remove them."""
        member = await self._member(user, member_id)
        if member is None:
            return _settled("team.not_in_team")
        name, pid = member.person.name, member.person.id
        choices = [
            Choice(t("team_people.write", name=name), WriteToMember(pid)),
            Choice(t("team_people.ask", name=name), AskContactMenu(pid)),
        ]
        if may_nudge(self.policy, member.role):
            if pid in await self._messages.no_nudges(user.id):
                choices.append(Choice(t("nudge.allow", name=name), SetNudges(pid, stop=False)))
            else:
                choices.append(Choice(t("nudge.stop", name=name), SetNudges(pid, stop=True)))
        choices.append(Choice(t("team.remove", name=name), AskRemove(pid)))
        text = t("team_people.person", name=name, role=member.role)
        return View.of(Say.of(text, choices=choices))

    async def ask_remove(self, user: User, member_id: int) -> View:
        """ "Remove <name>": ask first; removing comes first, keeping second."""
        member = await self._member(user, member_id)
        if member is None:
            return _settled("team.not_in_team")
        name, pid = member.person.name, member.person.id
        choices = [
            Choice(t("team.remove_yes", name=name), RemoveMember(pid)),
            Choice(t("team.remove_no", name=name), KeepMember(pid)),
        ]
        return View.of(Say.of(t("team.remove_ask", name=name), choices=choices))

    async def remove(self, user: User, member_id: int) -> View:
        """Take someone out of the client's team: nothing new reaches them from now on."""
        member = await self._member(user, member_id)
        if member is None or not await self._teams.remove_from_team(user.id, member_id):
            return _settled("team.not_in_team")
        return _settled("team.removed", name=member.person.name)

    async def keep(self, user: User, member_id: int) -> View:
        """They stay in the team."""
        member = await self._member(user, member_id)
        if member is None:
            return _settled("team.not_in_team")
        return _settled("team.kept", name=member.person.name)

    async def decline_waiting(self, user: User, relay_id: int) -> View:
        """The client declines a message from their team that has not reached them yet."""
        relay = await self._messages.relay(relay_id)
        if relay is None or relay.client_id != user.id or not relay.to_client:
            return _settled("fallback.stale_button")
        if await self._messages.update_relay(relay.id, status="declined", expect="planned"):
            return View.say("team_people.declined")
        return View.say("nudge.gone")

    # --- the next network meeting ------------------------------------------------------------

    async def _clinicians_client(self, user: User, client_id: int) -> User | None:
        """The client, if ``user`` is a clinician in their team now."""
        if await self._teams.team_role(client_id, user.id) is not Role.CLINICIAN:
            return None
        return await self._people.get_user(client_id)

    async def _whose_meeting(self, user: User, client_id: int | None) -> User | None:
        """Whose meeting ``user`` may set: their own (a client), or a client of theirs (a
        clinician in that client's team now)."""
        if client_id is None:
            return user if user.role.is_client else None
        return await self._clinicians_client(user, client_id)

    @staticmethod
    def _example(now: datetime) -> date:
        """A date to show how one is typed: a week from today."""
        return now.date() + timedelta(days=7)

    async def ask_meeting(self, user: User, client_id: int | None, now: datetime) -> View:
        """Ask for the date of the next meeting: typed words answer it."""
        client = await self._whose_meeting(user, client_id)
        if client is None:
            return _not_theirs(client_id)
        wait = await self._waits.ask(user.id, WaitKind.MEETING, now, subject=client_id)

        async def asked(message_id: int) -> None:
            await self._waits.asked_in(user.id, wait, message_id)

        example = self._example(now)
        if client_id is None:
            text = t("meeting.ask", example=example)
        else:
            text = t("meeting.ask_for", name=client.name, example=example)
        clear = NoMeeting(client_id, int(now.timestamp()))
        return View.of(Say.of(text, choices=[Choice(t("meeting.clear"), clear)], on_sent=asked))

    async def no_meeting(
        self, user: User, client_id: int | None, asked: int, now: datetime
    ) -> View:
        """ "No date": the date is cleared, if the question is still open."""
        client = await self._whose_meeting(user, client_id)
        if client is None:
            return _not_theirs(client_id)
        age = now.timestamp() - asked
        if not 0 <= age <= self._waits.valid.total_seconds():
            return View.refuse("fallback.stale_button")
        await self._waits.cancel(user.id)
        return await self._set_meeting(user, client, None, now)

    async def typed(self, user: User, wait: Wait, text: str, now: datetime) -> View:
        """Typed words answering a question this capability asked (``WaitKind.MEETING``)."""
        if wait.kind is not WaitKind.MEETING:
            return View()
        if wait.subject is not None and wait.subject_id is None:
            return View.say("clients.not_linked")
        client = await self._whose_meeting(user, wait.subject_id)
        if client is None:
            return View.say("clients.not_linked")
        zone = await self._planner.zone_of(client.id)
        day = parse_date(text, now.astimezone(zone).date(), user.language)
        if day is None:
            await self._waits.again(user.id, wait, now)
            return View.say("meeting.bad_date", example=self._example(now))
        view = await self._set_meeting(user, client, day, now)
        return View(view.says, view.toast, (wait.message_id,) if wait.message_id else ())

    async def _set_meeting(self, by: User, client: User, day: date | None, now: datetime) -> View:
        """Store the date, plan the invitations around it, tell whoever needs to know."""
        await self._teams.set_next_meeting(client.id, day.isoformat() if day else None)
        prep = await self._planner.plan_meeting(client.id, day, now)
        if day is None:
            return View.say("meeting.cleared")
        when = self._catalog.weekday_date(by.language, day)
        if by.id != client.id:
            await self.notify(
                client,
                "team.notice_meeting",
                now,
                name=by.name,
                date=self._catalog.weekday_date(client.language, day),
            )
            return View.say("meeting.saved_for", name=client.name, date=when)
        if prep is not None:
            zone = await self._planner.zone_of(client.id)
            prep_day = self._catalog.weekday_date(by.language, prep.astimezone(zone).date())
            return View.say("meeting.saved_prep", date=when, prep=prep_day)
        return View.say("meeting.saved", date=when)

    @staticmethod
    def meeting_later(slot: MeetingSlot) -> View:
        """ "Not now" under a meeting invitation: nothing owed."""
        return View.say(
            "meeting.later_ok" if slot is MeetingSlot.PREP else "meeting.after_later_ok"
        )

    # --- /clients ------------------------------------------------------------------------------

    async def clients(self, user: User) -> View:
        """/clients: the clients whose team this person is in, with their next meeting."""
        catalog, lang = self._catalog, user.language
        linked = await self._teams.clients_of(user.id)
        staff = user.role.is_staff
        if not linked:
            return View.say("clients.none" if staff else "clients.none_network")
        lines = _Lines(catalog, lang)
        lines.add("clients.title" if staff else "clients.title_network")
        choices: list[Choice] = []
        for client in linked:
            name = client.person.name
            if client.next_meeting:
                day = catalog.weekday_date(lang, date.fromisoformat(client.next_meeting))
                lines.add("clients.line", name=name, date=day)
            else:
                lines.add("clients.line_no_meeting", name=name)
            choices.append(Choice(Text.plain(name), ShowClient(client.person.id)))
        return View.of(Say.of(Text.plain(lines.body()), choices=choices))

    async def client(self, user: User, client_id: int, now: datetime) -> View:
        """One client: the next meeting, and what they shared with this person, newest first.

        A message that shows shared words is remembered, so a withdrawal takes it back too.
        """
        role = await self._teams.team_role(client_id, user.id)
        client = await self._people.get_user(client_id) if role is not None else None
        if client is None or role is None:
            return View.say("clients.not_linked")
        catalog, lang = self._catalog, user.language
        lines = _Lines(catalog, lang)
        lines.add("clients.detail_title", name=client.name)
        meeting = await self._teams.next_meeting(client.id)
        if meeting:
            day = catalog.weekday_date(lang, date.fromisoformat(meeting))
            lines.add("clients.detail_meeting", date=day)
        else:
            lines.add("clients.detail_no_meeting")
        shares = await self._shares.shared_with(user.id, client.id)
        lines.blank()
        lines.add(
            "clients.detail_shared" if shares else "clients.detail_nothing", name=client.name
        )
        text = lines.body()
        more = catalog.get(lang, "clients.detail_more")
        for share in shares:
            body = share.body or ""
            if len(text) + len(body) + len(more) + 4 > MAX_TEXT:
                text += "\n\n" + more
                break
            text += "\n\n" + body
        choices = []
        if role is Role.CLINICIAN:
            label = t("clients.set_meeting", name=client.name)
            choices.append(Choice(label, AskMeeting(client.id)))
        choices.append(Choice(t("clients.back"), ClientList()))

        async def shown(message_id: int) -> None:
            await self._shares.add_client_view(user.id, client.id, user.chat_id, message_id, now)

        say = Say.of(Text.plain(text), choices=choices, on_sent=shown if shares else None)
        return View.of(say)


def _settled(key: str, /, **values: object) -> View:
    """The pressed question replaced by its outcome."""
    return View((Say((t(key, **values),), edit=True),))


def _not_theirs(client_id: int | None) -> View:
    """A meeting button for a client the presser may not set it for: their own button pressed
    by someone without a team of their own is merely old; anyone else's client is not theirs."""
    return (
        View.refuse("fallback.stale_button")
        if client_id is None
        else View.say("clients.not_linked")
    )
