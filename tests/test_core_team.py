"""The care team as use cases, without Telegram: real SQLite, the real planner, a fake outbox.

Who may act on whom: a client only on their own team; a member only on clients whose team they
are in now; a removed member's old buttons change nothing; forged ids are refused calmly.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest

from bot.core.actions import Action
from bot.core.actions.messages import (
    AskContactMenu,
    NudgeWho,
    SetNudges,
    StartReflection,
    WriteToMember,
)
from bot.core.actions.share import SharedHistory
from bot.core.actions.team import (
    AcceptInvite,
    AnswerProposal,
    AskMeeting,
    AskRemove,
    ClientList,
    ConfirmMeeting,
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
from bot.core.copies import Copies
from bot.core.i18n import Catalog
from bot.core.model import Meeting, Relay, Role, User, hash_code
from bot.core.nudges import client_message
from bot.core.planning import NOTICE, RELAY, Planner
from bot.core.policy import Policy
from bot.core.team import (
    Caller,
    Meetings,
    Team,
    draft_check,
    may_nudge,
    meeting_invitation,
    meetings_on,
)
from bot.core.views import Text, View
from bot.core.waits import Wait, WaitKind, Waits
from bot.core.wording import Wording
from bot.storage.store import SqliteStore
from tests.fakes import BIG, DEFAULTS, Outbox

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 in London
POLICY = Policy("Riverside", "en", {}, invite_valid=timedelta(hours=24))


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def make_team(
    store: SqliteStore, waits: Waits, outbox: Outbox, catalog: Catalog, policy: Policy = POLICY
) -> Team:
    planner = Planner(store, DEFAULTS)
    copies = Copies(store, store, outbox)
    return Team(
        store, store, store, store, store, planner, waits, outbox, policy, catalog, "bt", copies
    )


@pytest.fixture
def team(store: SqliteStore, waits: Waits, outbox: Outbox, catalog: Catalog) -> Team:
    return make_team(store, waits, outbox, catalog)


async def staff(store: SqliteStore, user_id: int, name: str, role: Role) -> User:
    code = f"s_{user_id}"
    await store.add_staff_invite(hash_code(code), role, name, NOW, NOW + timedelta(hours=1))
    _, user = await store.redeem_staff_invite(hash_code(code), user_id, user_id, "en", NOW)
    assert user is not None
    return user


def caller(user: User | int, name: str = "Jo") -> Caller:
    if isinstance(user, User):
        return Caller(user.id, user.chat_id, user.name, "en")
    return Caller(user, user, name, "en")


@pytest.fixture
async def alex(store: SqliteStore) -> User:
    return await store.add_client(101, 101, "Alex", "en", NOW)


@pytest.fixture
async def blair(store: SqliteStore) -> User:
    return await store.add_client(102, 102, "Blair", "en", NOW)


@pytest.fixture
async def kim(store: SqliteStore) -> User:
    return await staff(store, 201, "Dr Kim", Role.CLINICIAN)


@pytest.fixture
async def lee(store: SqliteStore) -> User:
    return await staff(store, 202, "Dr Lee", Role.CLINICIAN)


@pytest.fixture
async def sam(store: SqliteStore) -> User:
    return await staff(store, 301, "Sam", Role.PEER)


def words(catalog: Catalog, text: Text) -> str:
    """A text as an English reader sees it."""
    return Wording(catalog).text("en", text)


def said(catalog: Catalog, view: View) -> str:
    return "\n\n".join(words(catalog, part) for say in view.says for part in say.parts)


def buttons(view: View) -> list[Action]:
    return [choice.action for say in view.says for row in say.rows for choice in row]


def labels(catalog: Catalog, view: View) -> list[str]:
    return [words(catalog, c.label) for say in view.says for row in say.rows for c in row]


def code_in(catalog: Catalog, view: View) -> str:
    text = said(catalog, view)
    return text.split("?start=")[1].split()[0]


async def link(team: Team, catalog: Catalog, member: User, client: User) -> None:
    """``member`` (staff) invites ``client``, who accepts."""
    code = code_in(catalog, await team.invite_client(member, NOW))
    reply = await team.accept(caller(client), code, NOW)
    assert said(catalog, reply.view).endswith("/team shows your team."), said(catalog, reply.view)


async def network(
    team: Team, catalog: Catalog, store: SqliteStore, client: User, user_id: int = 401
) -> User:
    """Someone close to ``client`` joins through the client's link."""
    code = code_in(catalog, await team.invite_close(client, NOW))
    reply = await team.accept(caller(user_id), code, NOW)
    assert reply.menu is Role.NETWORK
    found = await store.get_user(user_id)
    assert found is not None
    return found


# --- invites -------------------------------------------------------------------------------------


async def test_staff_make_a_client_link_with_a_qr_code_and_clients_a_network_link(
    team: Team, catalog: Catalog, alex: User, kim: User
) -> None:
    view = await team.invite_client(kim, NOW)
    first, picture = view.says
    assert "It works once, for 24 hours" in said(catalog, View.of(first))
    assert code_in(catalog, view).startswith("c_")
    assert "https://t.me/bt?start=c_" in said(catalog, view)
    assert picture.attachment is not None and picture.attachment.data.startswith(b"\x89PNG")
    assert picture.attachment.filename is None
    assert "Dr Kim (clinician)" in said(catalog, View.of(picture))
    # A client's link is for someone close; only from /team, never from /invite.
    assert said(catalog, await team.invite_client(alex, NOW)).startswith("Only staff")
    assert code_in(catalog, await team.invite_close(alex, NOW)).startswith("n_")
    refused = await team.invite_close(kim, NOW)
    assert refused.says == () and refused.toast is not None


async def test_opening_a_link_says_who_asks_and_what_they_will_see(
    team: Team, catalog: Catalog, alex: User, kim: User, sam: User
) -> None:
    code = code_in(catalog, await team.invite_client(kim, NOW))
    reply = await team.open_invite(caller(alex), code, NOW)
    assert reply is not None and reply.language == "en"
    text = said(catalog, reply.view)
    assert "Dr Kim (clinician, Riverside)" in text
    assert "won't see your check-ins, notes or answers" in text
    assert labels(catalog, reply.view) == ["Accept Dr Kim", "Decline"]
    assert buttons(reply.view) == [AcceptInvite(code), DeclineInvite(code)]
    # The inviter's own link; a client link opened by staff.
    own = await team.open_invite(caller(kim), code, NOW)
    assert own is not None and "your own link" in said(catalog, own.view)
    wrong = await team.open_invite(caller(sam), code, NOW)
    assert wrong is not None and "can't be used from this account" in said(catalog, wrong.view)
    # A network link opened by staff.
    close = code_in(catalog, await team.invite_close(alex, NOW))
    wrong = await team.open_invite(caller(sam), close, NOW)
    assert wrong is not None and "can't be used from a staff account" in said(catalog, wrong.view)
    # Someone new may open it: they need no account to say yes or no.
    new = await team.open_invite(caller(401), close, NOW)
    assert new is not None and said(catalog, new.view).startswith("Alex would like you")


async def test_unknown_forged_expired_and_mislabelled_codes_are_not_team_codes(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, kim: User
) -> None:
    code = code_in(catalog, await team.invite_client(kim, NOW))
    for forged in ("c_" + "A" * 32, "n_" + code[2:], "x_nothing", "c_" + "A" * 70, ""):
        assert await team.open_invite(caller(alex), forged, NOW) is None
    later = NOW + timedelta(hours=25)
    assert await team.open_invite(caller(alex), code, later) is None
    reply = await team.accept(caller(alex), code, later)
    assert "doesn't work any more" in said(catalog, reply.view)
    assert await store.team_of(alex.id) == []


async def test_accept_links_once_and_tells_the_staff_member_at_once(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    outbox: Outbox,
    alex: User,
    blair: User,
    kim: User,
) -> None:
    code = code_in(catalog, await team.invite_client(kim, NOW))
    reply = await team.accept(caller(alex), code, NOW)
    (say,) = reply.view.says
    assert say.edit and said(catalog, reply.view).startswith("Dr Kim is now in your team.")
    assert reply.menu is None
    ((to, told),) = outbox.sent
    assert to == kim.id and said(catalog, View.of(told)).startswith("Alex accepted your invite")
    # The code is used: the second person is refused, and so is the first, again.
    for other in (blair, alex):
        again = await team.accept(caller(other), code, NOW)
        assert "doesn't work any more" in said(catalog, again.view)
    assert [m.person.id for m in await store.team_of(alex.id)] == [kim.id]
    assert await store.team_of(blair.id) == []
    # Already linked: a second link from the same person changes nothing.
    code = code_in(catalog, await team.invite_client(kim, NOW))
    already = await team.accept(caller(alex), code, NOW)
    assert said(catalog, already.view).startswith("You're already in a team together")


async def test_someone_close_joins_without_an_account_and_the_client_is_told_in_time(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, kim: User
) -> None:
    code = code_in(catalog, await team.invite_close(alex, NOW))
    reply = await team.accept(Caller(401, 401, "Jo", "nl"), code, NOW)
    assert said(catalog, reply.view).startswith("Thank you. You're now in Alex's team.")
    assert reply.menu is Role.NETWORK
    jo = await store.get_user(401)
    assert jo is not None and jo.role is Role.NETWORK
    (notice,) = [s for s in await store.sends(alex.id) if s.kind == NOTICE]
    payload = json.loads(notice.payload or "")
    assert payload == {
        "key": "team.notice_joined",
        "values": {"name": "Jo", "role": "someone close"},
    }
    # Staff cannot take a network link.
    close = code_in(catalog, await team.invite_close(alex, NOW))
    wrong = await team.accept(caller(kim), close, NOW)
    assert "can't be used from a staff account" in said(catalog, wrong.view)


async def test_decline_uses_the_code_up_and_links_nobody(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, kim: User
) -> None:
    code = code_in(catalog, await team.invite_client(kim, NOW))
    reply = await team.decline(caller(alex), code, NOW)
    assert said(catalog, reply.view).startswith("Okay. Nobody was added")
    assert reply.view.says[0].edit
    again = await team.accept(caller(alex), code, NOW)
    assert "doesn't work any more" in said(catalog, again.view)
    forged = await team.decline(caller(alex), "c_" + "A" * 32, NOW)
    assert "doesn't work any more" in said(catalog, forged.view)
    # The inviter cannot decline their own link away.
    code = code_in(catalog, await team.invite_client(kim, NOW))
    own = await team.decline(caller(kim), code, NOW)
    assert "doesn't work any more" in said(catalog, own.view)
    assert await team.open_invite(caller(alex), code, NOW) is not None
    assert await store.team_of(alex.id) == []


# --- /team ---------------------------------------------------------------------------------------


async def test_team_shows_the_members_the_meeting_and_what_the_client_can_do(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, kim: User
) -> None:
    empty = await team.team(alex, NOW)
    assert said(catalog, empty).startswith("Nobody is in your team yet.")
    assert buttons(empty) == [InviteClose(), AskMeeting(None)]
    await link(team, catalog, kim, alex)
    await store.add_share(alex.id, ["n1"], "words", [(kim.id, kim.name, kim.chat_id)], NOW)
    await store.set_next_meeting(alex.id, "2026-03-12")
    view = await team.team(alex, NOW)
    assert said(catalog, view) == (
        "Your team:\n"
        "• Dr Kim, clinician, since 2 March 2026. Has what you shared on: 2 Mar.\n"
        "\n"
        "Your next network meeting: Thursday, 12 March 2026."
    )
    assert buttons(view) == [ShowMember(kim.id), InviteClose(), AskMeeting(None), SharedHistory()]
    assert labels(catalog, view)[0] == "Dr Kim"
    # Only clients have a team.
    assert said(catalog, await team.team(kim, NOW)).startswith("This command isn't available")


async def test_a_client_acts_only_on_their_own_team(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, blair: User, kim: User, sam: User
) -> None:
    await link(team, catalog, kim, alex)
    for presser, member_id in ((blair, kim.id), (kim, kim.id), (sam, kim.id), (alex, BIG)):
        remove = partial(team.remove, now=NOW)
        for act in (team.member, team.ask_remove, remove, team.keep):
            view = await act(presser, member_id)
            assert said(catalog, view) == "That person is not in your team. Nothing has changed."
    assert [m.person.id for m in await store.team_of(alex.id)] == [kim.id]


async def test_a_member_s_screen_offers_nudge_buttons_by_role_and_policy(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    waits: Waits,
    outbox: Outbox,
    alex: User,
    kim: User,
    sam: User,
) -> None:
    await link(team, catalog, kim, alex)
    await link(team, catalog, sam, alex)
    view = await team.member(alex, sam.id)
    assert said(catalog, view) == "Sam, peer supporter."
    assert buttons(view) == [
        WriteToMember(sam.id),
        AskContactMenu(sam.id),
        SetNudges(sam.id, stop=True),
        AskRemove(sam.id),
    ]
    assert labels(catalog, view) == [
        "Write to Sam",
        "Ask Sam to get in touch",
        "No more nudges from Sam",
        "Remove Sam",
    ]
    await store.set_no_nudges(alex.id, sam.id, True, NOW)
    assert SetNudges(sam.id, stop=False) in buttons(await team.member(alex, sam.id))
    assert [type(a) for a in buttons(await team.member(alex, kim.id))] == [
        WriteToMember,
        AskContactMenu,
        AskRemove,
    ]
    allowing = make_team(store, waits, outbox, catalog, replace(POLICY, clinicians_nudge=True))
    assert SetNudges(kim.id, stop=True) in buttons(await allowing.member(alex, kim.id))


def test_who_may_nudge() -> None:
    allowing = replace(POLICY, clinicians_nudge=True)
    assert may_nudge(POLICY, Role.PEER) and may_nudge(allowing, Role.PEER)
    assert not may_nudge(POLICY, Role.CLINICIAN) and may_nudge(allowing, Role.CLINICIAN)
    for role in (Role.CLIENT, Role.NETWORK):
        assert not may_nudge(allowing, role)


async def test_removing_asks_first_and_a_removed_member_s_old_buttons_change_nothing(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, kim: User
) -> None:
    await link(team, catalog, kim, alex)
    await store.set_next_meeting(alex.id, "2026-03-12")
    ask = await team.ask_remove(alex, kim.id)
    assert buttons(ask) == [RemoveMember(kim.id), KeepMember(kim.id)]
    assert labels(catalog, ask) == ["Remove Dr Kim", "Keep Dr Kim"]
    kept = await team.keep(alex, kim.id)
    assert said(catalog, kept) == "Okay. Dr Kim stays in your team." and kept.says[0].edit
    removed = await team.remove(alex, kim.id, NOW)
    assert said(catalog, removed) == "Dr Kim is no longer in your team."
    assert said(catalog, await team.remove(alex, kim.id, NOW)).startswith("That person is not in")
    # Dr Kim's old buttons and his question for a date: nothing changes.
    assert said(catalog, await team.client(kim, alex.id, NOW)).startswith("This person is not")
    assert said(catalog, await team.ask_meeting(kim, alex.id, NOW)).startswith("This person")
    assert said(catalog, await team.clients(kim, NOW)).startswith("No client has added you")
    assert await store.next_meeting(alex.id) == "2026-03-12"


async def test_declining_a_waiting_nudge_is_the_client_s_own(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, blair: User, sam: User
) -> None:
    await link(team, catalog, sam, alex)
    due = NOW + timedelta(days=3)
    relay = await store.add_relay(alex.id, sam.id, "Sam", "nudge", "See you", NOW, due)
    await store.update_relay(relay, status="planned")
    # Before Alex said the bot may write first, a nudge waits for that, and /team says so.
    waiting = said(catalog, await team.team(alex, NOW))
    assert "• From Sam, written Monday, 2 March 2026, 09:00: waits until you let me write" in (
        waiting
    )
    await store.set_schedule(alex.id, agreed_on="2026-03-02")
    view = await team.team(alex, NOW)
    assert (
        "Nudges waiting for you:\n"
        "• From Sam, written Monday, 2 March 2026, 09:00: arrives on Thursday, 5 March 2026 "
        "at 09:00"
    ) in said(catalog, view)
    assert DeclineWaiting(relay) in buttons(view)
    assert "Decline the nudge from Sam (5 Mar)" in labels(catalog, view)
    for presser, relay_id in ((blair, relay), (sam, relay), (alex, BIG)):
        stale = await team.decline_waiting(presser, relay_id)
        assert said(catalog, stale).startswith("This button is no longer active")
    assert [r.id for r in await store.planned_relays(client_id=alex.id)] == [relay]
    assert said(catalog, await team.decline_waiting(alex, relay)) == (
        "Okay. You won't get that nudge."
    )
    assert said(catalog, await team.decline_waiting(alex, relay)).startswith("That message is")
    assert await store.planned_relays(client_id=alex.id) == []


# --- /clients ------------------------------------------------------------------------------------


async def test_clients_show_each_member_only_what_was_shared_with_them(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, blair: User, kim: User, sam: User
) -> None:
    await link(team, catalog, kim, alex)
    await link(team, catalog, sam, alex)
    jo = await network(team, catalog, store, alex)
    await store.add_share(alex.id, ["n1"], "FOR-KIM", [(kim.id, kim.name, kim.chat_id)], NOW)
    await store.add_share(
        alex.id,
        ["n2"],
        "FOR-SAM-AND-JO",
        [(sam.id, "Sam", sam.chat_id), (jo.id, "Jo", jo.id)],
        NOW,
    )
    await store.set_next_meeting(alex.id, "2026-03-12")
    listed = await team.clients(kim, NOW)
    assert said(catalog, listed) == "Your clients:\n• Alex: next meeting Thursday, 12 March 2026"
    assert buttons(listed) == [ShowClient(alex.id)]
    assert said(catalog, await team.clients(jo, NOW)).startswith("People who share with you:")
    seen = await team.client(kim, alex.id, NOW)
    text = said(catalog, seen)
    assert "FOR-KIM" in text and "FOR-SAM-AND-JO" not in text
    assert text.startswith("Alex\nNext network meeting: Thursday, 12 March 2026.")
    assert buttons(seen) == [AskMeeting(alex.id), ClientList()]
    # The message is remembered once it is out, so a withdrawal takes it back too.
    (say,) = seen.says
    assert say.on_sent is not None
    await say.on_sent(77)
    assert await store.client_views(alex.id, [kim.id]) == [(kim.chat_id, 77)]
    assert labels(catalog, seen) == ["Propose a meeting date to Alex", "All clients"]
    for member in (sam, jo):
        view = await team.client(member, alex.id, NOW)
        assert "FOR-SAM-AND-JO" in said(catalog, view) and "FOR-KIM" not in said(catalog, view)
    # Words for each role: a peer can nudge from here; someone close reads no staff words.
    peer_view = await team.client(sam, alex.id, NOW)
    assert buttons(peer_view) == [AskMeeting(alex.id), NudgeWho(alex.id), ClientList()]
    assert labels(catalog, peer_view) == [
        "Propose a meeting date to Alex",
        "Nudge Alex",
        "All clients",
    ]
    close_view = await team.client(jo, alex.id, NOW)
    assert buttons(close_view) == [AskMeeting(alex.id), StartReflection(alex.id), ClientList()]
    assert labels(catalog, close_view) == [
        "Propose a meeting date to Alex",
        "Write something for Alex's meeting",
        "Back to the list",
    ]
    assert "client" not in said(catalog, close_view).lower()
    assert said(catalog, await team.invite_client(jo, NOW)) == (
        "This command isn't available for your account."
    )
    # Nobody sees a client whose team they are not in, nor a made-up one.
    for presser, client_id in ((kim, blair.id), (blair, alex.id), (kim, BIG), (kim, kim.id)):
        view = await team.client(presser, client_id, NOW)
        assert said(catalog, view) == "This person is not in your list. Nothing has changed."
        assert view.says[0].on_sent is None


async def test_a_long_history_is_cut_to_one_message(
    team: Team, catalog: Catalog, store: SqliteStore, alex: User, kim: User
) -> None:
    await link(team, catalog, kim, alex)
    for n in range(5):
        body = f"SHARE-{n} " + "x" * 1500
        await store.add_share(alex.id, [f"n{n}"], body, [(kim.id, kim.name, kim.chat_id)], NOW)
    text = said(catalog, await team.client(kim, alex.id, NOW))
    assert len(text) <= 4096
    assert "SHARE-4" in text and "SHARE-0" not in text  # newest first
    assert text.endswith("(Older ones are further up in this chat.)")


# --- the next network meeting: with the client, not for them ------------------------------------


async def propose(
    team: Team, waits: Waits, by: User, client: User, typed: str, now: datetime
) -> View:
    """``by`` asks to propose a date, types it, and confirms the date read back in words."""
    await team.ask_meeting(by, client.id, now)
    wait = await waits.take(by.id, now)
    assert wait is not None
    check = await team.typed(by, wait, typed, now)
    confirm = buttons(check)[0]
    assert isinstance(confirm, ConfirmMeeting)
    return await team.confirm_meeting(by, confirm.client_id, confirm.day, now, confirm.check)


async def proposal_of(store: SqliteStore, client: User) -> Relay:
    found = await store.meeting_proposal(client.id)
    assert found is not None
    return found


async def test_a_clinician_proposes_a_date_read_back_in_words_and_the_client_confirms(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    waits: Waits,
    outbox: Outbox,
    alex: User,
    kim: User,
) -> None:
    await store.set_schedule(alex.id, agreed_on="2026-03-02")
    await link(team, catalog, kim, alex)
    outbox.sent.clear()  # Dr Kim heard that Alex accepted
    ask = await team.ask_meeting(kim, alex.id, NOW)
    assert said(catalog, ask) == (
        "Which day would you like to propose to Alex for the next network meeting? "
        "Type the date, like 9 March 2026. Add the time and place if you know them: "
        "9 March 2026 14:00 Maple Centre, or a video link."
    )
    assert buttons(ask) == []
    (say,) = ask.says
    assert say.on_sent is not None
    await say.on_sent(55)
    wait = await waits.take(kim.id, NOW)
    assert wait is not None and wait.kind is WaitKind.MEETING and wait.subject_id == alex.id
    bad = await team.typed(kim, wait, "someday", NOW)
    assert said(catalog, bad).startswith("I didn't understand that date")
    again = await waits.take(kim.id, NOW)  # still waiting for a date
    assert again is not None and again.message_id == 55
    # Dr Kim types 12/3: read day first, as the service reads dates, and said back in words.
    check = await team.typed(kim, again, "12/3", NOW)
    assert said(catalog, check).startswith(
        "Propose Thursday, 12 March 2026 to Alex for the next network meeting?\n\n"
        "If you know the time and place, type them now"
    )
    assert buttons(check) == [
        ConfirmMeeting(alex.id, "2026-03-12", draft_check("2026-03-12")),
        AskMeeting(alex.id),
    ]
    assert labels(catalog, check) == ["Propose it to Alex", "Another date"]
    assert check.unbutton == (55,)
    assert await store.meeting_proposal(alex.id) is None  # nothing counts before the press
    proposed = await team.confirm_meeting(kim, alex.id, "2026-03-12", NOW)
    assert said(catalog, proposed) == (
        "Proposed to Alex: Thursday, 12 March 2026.\n\n"
        "Alex will get it now and can say if it works. I'll tell you the answer."
    )
    assert proposed.says[0].edit
    # A proposal is not a meeting: nothing is planned around it, nothing is "next".
    assert await store.next_meeting(alex.id) is None
    assert not [s for s in await store.sends(alex.id) if s.kind == "meeting"]
    relay = await proposal_of(store, alex)
    assert relay.kind == "meeting" and relay.status == "planned" and relay.member_id == kim.id
    (send,) = [s for s in await store.sends(alex.id) if s.kind == RELAY]
    assert json.loads(send.payload or "") == {"relay": relay.id}
    assert send.closes_at == datetime(2026, 3, 13, 0, 0, tzinfo=UTC)  # never after the day
    listed = said(catalog, await team.clients(kim, NOW))
    assert listed == (
        "Your clients:\n• Alex: Thursday, 12 March 2026 proposed, waiting for Alex's answer"
    )
    assert "Dr Kim proposed Thursday, 12 March 2026 for the next network meeting." in said(
        catalog, await team.client(kim, alex.id, NOW)
    )
    # What Alex gets: one message from Dr Kim by name, the date in words, two answers.
    message = View.of(client_message(relay, Role.CLINICIAN))
    assert said(catalog, message) == (
        "Dr Kim (clinician) proposes a date for your next network meeting: "
        "Thursday, 12 March 2026.\n\n"
        "Does that day work for you?"
    )
    assert buttons(message) == [AnswerProposal(relay.id, True), AnswerProposal(relay.id, False)]
    assert labels(catalog, message) == ["That works", "Another day"]
    # /team shows it, and answering from there shows the same message.
    team_view = await team.team(alex, NOW)
    assert (
        "No date is set for your next network meeting.\n"
        "Dr Kim proposed Thursday, 12 March 2026 for your next network meeting."
    ) in said(catalog, team_view)
    assert "Answer Dr Kim's proposed date" in labels(catalog, team_view)
    assert buttons(await team.ask_meeting(alex, None, NOW)) == buttons(message)
    assert await waits.current(alex.id, NOW) is None  # nothing to type
    # "That works": the next meeting, the invitation to prepare, and Dr Kim told at once.
    works = await team.answer_proposal(alex, relay.id, True, NOW)
    assert said(catalog, works) == (
        "Thank you. Your next network meeting is on Thursday, 12 March 2026. I told Dr Kim.\n\n"
        "I'll ask on Monday, 9 March 2026 at 18:00 if you'd like to get ready for it.\n\n"
        "On the day, I'll remind you and Dr Kim."
    )
    assert works.says[0].edit
    ((to, told),) = outbox.sent
    assert to == kim.id
    assert said(catalog, View.of(told)) == (
        "Alex said yes to the next network meeting on Thursday, 12 March 2026."
    )
    assert await store.next_meeting(alex.id) == "2026-03-12"
    assert sorted(s.slot for s in await store.sends(alex.id) if s.kind == "meeting") == [
        "after",
        "prep",
    ]
    assert (await store.relay(relay.id)) == replace(relay, status="accepted")
    assert await store.meeting_proposal(alex.id) is None
    # A second press changes nothing.
    again_pressed = await team.answer_proposal(alex, relay.id, True, NOW)
    assert said(catalog, again_pressed).startswith("That date is no longer proposed.")
    assert len(outbox.sent) == 1
    assert said(catalog, await team.clients(kim, NOW)) == (
        "Your clients:\n• Alex: next meeting Thursday, 12 March 2026"
    )


async def test_the_client_asks_for_another_day_and_the_clinician_is_told_plainly(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    waits: Waits,
    outbox: Outbox,
    alex: User,
    kim: User,
) -> None:
    await store.set_schedule(alex.id, agreed_on="2026-03-02")
    await link(team, catalog, kim, alex)
    outbox.sent.clear()  # Dr Kim heard that Alex accepted
    await propose(team, waits, kim, alex, "12 March", NOW)
    relay = await proposal_of(store, alex)
    other = await team.answer_proposal(alex, relay.id, False, NOW)
    assert said(catalog, other) == (
        "Okay. I told Dr Kim you'd like another day. You can write to Dr Kim which days suit you."
    )
    assert buttons(other) == [WriteToMember(kim.id)] and other.says[0].edit
    ((to, told),) = outbox.sent
    assert to == kim.id
    assert said(catalog, View.of(told)) == (
        "Alex would like another day than Thursday, 12 March 2026 for the next network "
        "meeting. You can propose another in /clients."
    )
    assert await store.next_meeting(alex.id) is None
    assert not [s for s in await store.sends(alex.id) if s.kind == "meeting"]
    assert (await store.relay(relay.id)) == replace(relay, status="declined")
    assert said(catalog, await team.clients(kim, NOW)) == (
        "Your clients:\n• Alex: no meeting date set"
    )
    # Dr Kim proposes another; the same day again from the same clinician is said plainly.
    second = await propose(team, waits, kim, alex, "19 March", NOW)
    assert said(catalog, second).startswith("Proposed to Alex: Thursday, 19 March 2026.")
    same = await team.confirm_meeting(kim, alex.id, "2026-03-19", NOW)
    assert said(catalog, same) == (
        "You have proposed Thursday, 19 March 2026 to Alex already. I'll tell you the answer."
    )
    # A newer proposal replaces an older one: the old message's buttons change nothing.
    older = await proposal_of(store, alex)
    await propose(team, waits, kim, alex, "26 March", NOW)
    assert (await store.relay(older.id)) == replace(older, status="cancelled")
    stale = await team.answer_proposal(alex, older.id, True, NOW)
    assert said(catalog, stale).startswith("That date is no longer proposed.")
    assert await store.next_meeting(alex.id) is None


async def test_a_past_meeting_is_never_next(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    waits: Waits,
    alex: User,
    kim: User,
) -> None:
    await link(team, catalog, kim, alex)
    jo = await network(team, catalog, store, alex)
    await store.set_next_meeting(alex.id, "2026-03-12")
    on_the_day = datetime(2026, 3, 12, 23, 30, tzinfo=UTC)  # still the 12th in London
    assert "Your next network meeting: Thursday, 12 March 2026." in said(
        catalog, await team.team(alex, on_the_day)
    )
    after = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)
    team_view = said(catalog, await team.team(alex, after))
    assert "next network meeting: Thursday" not in team_view
    assert (
        "Your last network meeting was on Thursday, 12 March 2026. "
        "No date is set for the next one."
    ) in team_view
    assert said(catalog, await team.clients(kim, after)) == (
        "Your clients:\n• Alex: no date set for the next meeting "
        "(the last was Thursday, 12 March 2026)"
    )
    assert said(catalog, await team.clients(jo, after)).endswith(
        "• Alex: no date set for the next meeting (the last was Thursday, 12 March 2026)"
    )
    detail = said(catalog, await team.client(kim, alex.id, after))
    assert "No date set for the next network meeting. The last was on Thursday, 12 March 2026" in (
        detail
    )
    # A proposal whose day has passed unanswered is gone, and its buttons say so.
    await propose(team, waits, kim, alex, "16 March", after)
    relay = await proposal_of(store, alex)
    later = datetime(2026, 3, 17, 10, 0, tzinfo=UTC)
    assert "proposed" not in said(catalog, await team.team(alex, later))
    assert said(catalog, await team.clients(kim, later)).endswith(
        "(the last was Thursday, 12 March 2026)"
    )
    passed = await team.answer_proposal(alex, relay.id, True, later)
    assert said(catalog, passed) == "That day has passed. Nothing has changed."
    assert await store.next_meeting(alex.id) == "2026-03-12"
    # An old "Propose it" or "Yes, save it" for a day that has passed changes nothing.
    late = await team.confirm_meeting(alex, None, "2026-03-16", later)
    assert said(catalog, late) == "That day has passed. Nothing has changed."


def test_which_meeting_is_next_is_decided_by_today() -> None:
    today = date(2026, 3, 12)
    assert meetings_on(today, Meeting(date(2026, 3, 12)), None).next == today
    passed = meetings_on(today, Meeting(date(2026, 3, 11)), None)
    assert passed.next is None and passed.last == date(2026, 3, 11)
    assert meetings_on(today, None, None) == Meetings()
    offer = Relay(1, 101, 201, "Dr Kim", "meeting", "2026-03-20", NOW, NOW, "sent")
    assert meetings_on(today, None, offer).proposed == date(2026, 3, 20)
    old = replace(offer, body="2026-03-10")
    assert meetings_on(today, None, old).proposal is None


async def test_only_someone_in_the_client_s_team_now_may_propose(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    waits: Waits,
    outbox: Outbox,
    alex: User,
    blair: User,
    kim: User,
    lee: User,
    sam: User,
) -> None:
    await link(team, catalog, kim, alex)
    await link(team, catalog, sam, alex)
    jo = await network(team, catalog, store, alex)
    stamp = int(NOW.timestamp())
    for presser, client_id in ((lee, alex.id), (kim, BIG)):
        asked = await team.ask_meeting(presser, client_id, NOW)
        assert said(catalog, asked) == "This person is not in your list. Nothing has changed."
        assert await waits.current(presser.id, NOW) is None
        proposed = await team.confirm_meeting(presser, client_id, "2026-03-12", NOW)
        assert said(catalog, proposed) == "This person is not in your list. Nothing has changed."
    # Anyone in Alex's team may propose a date: a peer supporter, someone close.
    for presser in (sam, jo):
        asked = await team.ask_meeting(presser, alex.id, NOW)
        assert said(catalog, asked).startswith("Which day would you like to propose to Alex")
        await waits.take(presser.id, NOW)
    # Members propose; nobody clears a client's date from an old "No date" for them.
    for presser in (kim, lee, sam):
        cleared = await team.no_meeting(presser, alex.id, stamp, NOW)
        assert cleared.says == () and cleared.toast is not None
    # A client's own question, pressed by someone who is not a client.
    for presser in (kim, jo):
        refused = await team.ask_meeting(presser, None, NOW)
        assert refused.says == () and refused.toast is not None
        assert (await team.confirm_meeting(presser, None, "2026-03-12", NOW)).says == ()
    # A clinician removed while the question was open: the typed date changes nothing.
    await team.ask_meeting(kim, alex.id, NOW)
    wait = await waits.take(kim.id, NOW)
    assert wait is not None
    await team.remove(alex, kim.id, NOW)
    late = await team.typed(kim, wait, "12 March", NOW)
    assert said(catalog, late).startswith("This person is not in your list")
    # A forged subject, or a client who is not theirs.
    forged = Wait(WaitKind.MEETING, "abc", NOW, NOW + timedelta(minutes=30))
    assert said(catalog, await team.typed(lee, forged, "12 March", NOW)).startswith("This person")
    other = replace(forged, subject=str(blair.id))
    assert said(catalog, await team.typed(lee, other, "12 March", NOW)).startswith("This person")
    assert await store.next_meeting(alex.id) is None
    assert await store.meeting_proposal(alex.id) is None
    # A proposal from a clinician who has left the team no longer stands.
    await link(team, catalog, lee, alex)
    await propose(team, waits, lee, alex, "12 March", NOW)
    relay = await proposal_of(store, alex)
    await team.remove(alex, lee.id, NOW)
    assert "proposed" not in said(catalog, await team.team(alex, NOW))
    gone = await team.answer_proposal(alex, relay.id, True, NOW)
    assert said(catalog, gone) == "That person is not in your team. Nothing has changed."
    assert await store.next_meeting(alex.id) is None
    # Someone else's proposal, a nudge's id or a made-up one: refused calmly.
    await link(team, catalog, lee, alex)
    await propose(team, waits, lee, alex, "12 March", NOW)
    relay = await proposal_of(store, alex)
    nudge = await store.add_relay(alex.id, sam.id, "Sam", "nudge", "Hi", NOW, NOW)
    for presser, relay_id in ((blair, relay.id), (alex, nudge), (alex, BIG)):
        refused = await team.answer_proposal(presser, relay_id, True, NOW)
        assert refused.says == () and refused.toast is not None
    assert (await proposal_of(store, alex)).status == "planned"
    # Forged button data: not a date.
    assert (await team.confirm_meeting(lee, alex.id, "soon", NOW)).says == ()


async def test_a_proposal_waits_for_agreement_and_a_pause_and_says_so(
    team: Team, catalog: Catalog, store: SqliteStore, waits: Waits, alex: User, kim: User
) -> None:
    await link(team, catalog, kim, alex)
    waiting = await propose(team, waits, kim, alex, "12 March", NOW)
    assert said(catalog, waiting) == (
        "Proposed to Alex: Thursday, 12 March 2026.\n\n"
        "Alex hasn't said yet that I may write to them, so it waits until they do. "
        "Alex can also answer in /team."
    )
    await store.set_schedule(
        alex.id, agreed_on="2026-03-02", paused=True, pause_message="Back next week"
    )
    paused = await propose(team, waits, kim, alex, "19 March", NOW)
    assert said(catalog, paused) == (
        "Proposed to Alex: Thursday, 19 March 2026.\n\n"
        "Alex has paused messages, so it waits until they resume. I'll tell you the answer.\n\n"
        "Alex left a message for the team: Back next week"
    )
    assert (await proposal_of(store, alex)).held_told  # Dr Kim is not told twice
    await store.set_schedule(alex.id, paused=False)
    late = NOW + timedelta(hours=13)  # 22:00 in London
    tomorrow = await propose(team, waits, kim, alex, "26 March", late)
    assert said(catalog, tomorrow).endswith(
        "Alex will get it tomorrow at 09:00 and can say if it works. I'll tell you the answer."
    )


async def test_a_client_sets_and_clears_their_own_date_read_back_first(
    team: Team,
    catalog: Catalog,
    store: SqliteStore,
    waits: Waits,
    outbox: Outbox,
    alex: User,
    kim: User,
) -> None:
    await store.set_schedule(alex.id, agreed_on="2026-03-02")
    ask = await team.ask_meeting(alex, None, NOW)
    assert said(catalog, ask).startswith("When is your next network meeting?")
    wait = await waits.take(alex.id, NOW)
    assert wait is not None and wait.subject is None
    check = await team.typed(alex, wait, "20/3", NOW)
    assert said(catalog, check).startswith(
        "Is your next network meeting on Friday, 20 March 2026?\n\nIf you know the time"
    )
    assert buttons(check) == [
        ConfirmMeeting(None, "2026-03-20", draft_check("2026-03-20")),
        AskMeeting(None),
    ]
    assert labels(catalog, check) == ["Yes, save it", "Another date"]
    assert await store.next_meeting(alex.id) is None
    saved = await team.confirm_meeting(alex, None, "2026-03-20", NOW)
    assert said(catalog, saved) == (
        "Saved: your next network meeting is on Friday, 20 March 2026.\n\n"
        "I'll ask on Tuesday, 17 March 2026 at 18:00 if you'd like to get ready for it.\n\n"
        "On the day, I'll remind you."
    )
    assert saved.says[0].edit
    planned = [s.slot for s in await store.sends(alex.id) if s.kind == "meeting"]
    assert sorted(planned) == ["after", "prep"]
    assert not [s for s in await store.sends(alex.id) if s.kind == NOTICE]  # nobody to tell
    assert outbox.sent == []
    # "No date" under a question still open clears it; under an old one, nothing changes.
    (button,) = buttons(await team.ask_meeting(alex, None, NOW))
    assert isinstance(button, NoMeeting)
    late = NOW + timedelta(hours=1)
    old = await team.no_meeting(alex, None, button.asked, late)
    assert old.says == () and old.toast is not None
    assert words(catalog, old.toast).startswith("This button is no longer active")
    assert await store.next_meeting(alex.id) == "2026-03-20"
    cleared = await team.no_meeting(alex, None, button.asked, NOW + timedelta(minutes=5))
    assert said(catalog, cleared) == "Okay, no meeting date is set."
    assert await store.next_meeting(alex.id) is None
    assert await waits.current(alex.id, NOW) is None
    # With a clinician in the team: Dr Kim's open proposal gives way, and Dr Kim is told.
    await link(team, catalog, kim, alex)
    await propose(team, waits, kim, alex, "19 March", NOW)
    relay = await proposal_of(store, alex)
    outbox.sent.clear()
    own = await team.confirm_meeting(alex, None, "2026-03-20", NOW)
    assert said(catalog, own).endswith("I told Dr Kim.\n\nOn the day, I'll remind you and Dr Kim.")
    ((to, told),) = outbox.sent
    assert to == kim.id
    assert said(catalog, View.of(told)) == (
        "Alex set the date of their next network meeting: Friday, 20 March 2026."
    )
    assert (await store.relay(relay.id)) == replace(relay, status="cancelled")
    already = await team.confirm_meeting(kim, alex.id, "2026-03-20", NOW)
    assert said(catalog, already) == (
        "That is already Alex's next network meeting: Friday, 20 March 2026. Nothing has changed."
    )


def test_meeting_invitations_offer_the_questions_or_nothing_owed(catalog: Catalog) -> None:
    prep = View.of(meeting_invitation(catalog, "en", MeetingSlot.PREP, date(2026, 3, 12)))
    assert said(catalog, prep).startswith("Your next network meeting is on Thursday, 12 March")
    assert labels(catalog, prep) == ["Get ready now", "Not now"]
    assert buttons(prep) == [MeetingStart(MeetingSlot.PREP), MeetingLater(MeetingSlot.PREP)]
    after = View.of(meeting_invitation(catalog, "en", MeetingSlot.AFTER, date(2026, 3, 12)))
    assert said(catalog, after).startswith("How was your network meeting?")
    assert buttons(after) == [MeetingStart(MeetingSlot.AFTER), MeetingLater(MeetingSlot.AFTER)]
    assert said(catalog, Team.meeting_later(MeetingSlot.PREP)).startswith("Okay. /agenda")
    assert said(catalog, Team.meeting_later(MeetingSlot.AFTER)) == "Okay. Nothing more about it."
