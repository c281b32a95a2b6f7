"""Nudges and the messages between a client and their team, as use cases without Telegram:
real SQLite, the real planner, a fake outbox, times injected.

Who may write to whom (a member only to clients whose team they are in now, by their role; a
client only to their own team), when a nudge arrives (contact hours, pause, spacing, "no more
nudges"), and that forged ids change nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.actions import Action
from bot.core.actions.messages import (
    AnswerClient,
    AskContact,
    AskStopNudges,
    CancelNudge,
    ConfirmToClient,
    NudgeTemplate,
    NudgeWhen,
    NudgeWho,
    ReplyToMember,
    Request,
    SendToMember,
    SetAside,
    SetNudges,
    StopNudges,
    ThankMember,
    When,
    WriteToMember,
)
from bot.core.i18n import Catalog
from bot.core.model import InviteKind, Relay, Role, User, hash_code
from bot.core.nudges import Nudges, nominal
from bot.core.planning import RELAY, Planner
from bot.core.policy import Policy
from bot.core.views import Say, Text, View
from bot.core.waits import Wait, WaitKind, Waits
from bot.core.wording import Wording
from bot.storage.store import SqliteStore
from tests.fakes import BIG, DEFAULTS, Outbox

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 in London
LONDON = ZoneInfo("Europe/London")
POLICY = Policy("Riverside", "en", {})


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def make_nudges(
    store: SqliteStore, waits: Waits, outbox: Outbox, catalog: Catalog, policy: Policy = POLICY
) -> Nudges:
    planner = Planner(store, DEFAULTS)
    return Nudges(store, store, store, store, planner, waits, outbox, policy, catalog, store)


@pytest.fixture
def nudges(store: SqliteStore, waits: Waits, outbox: Outbox, catalog: Catalog) -> Nudges:
    return make_nudges(store, waits, outbox, catalog)


async def staff(store: SqliteStore, user_id: int, name: str, role: Role) -> User:
    code = f"s_{user_id}"
    await store.add_staff_invite(hash_code(code), role, name, NOW, NOW + timedelta(hours=1))
    _, user = await store.redeem_staff_invite(hash_code(code), user_id, user_id, "en", NOW)
    assert user is not None
    return user


async def link(store: SqliteStore, member: User, client: User) -> None:
    """``member`` (staff) invites ``client``, who accepts."""
    code = hash_code(f"c_{member.id}_{client.id}")
    await store.add_team_invite(code, member.id, InviteKind.CLIENT, NOW, NOW + timedelta(days=1))
    await store.join_team(code, client.id, client.chat_id, client.name, "en", NOW)


@pytest.fixture
async def alex(store: SqliteStore) -> User:
    """A client who agreed at first contact that the bot may write to them."""
    client = await store.add_client(101, 101, "Alex", "en", NOW)
    await store.set_schedule(client.id, agreed_on="2026-03-02")
    return client


@pytest.fixture
async def blair(store: SqliteStore) -> User:
    return await store.add_client(102, 102, "Blair", "en", NOW)


@pytest.fixture
async def kim(store: SqliteStore, alex: User) -> User:
    kim = await staff(store, 201, "Dr Kim", Role.CLINICIAN)
    await link(store, kim, alex)
    return kim


@pytest.fixture
async def sam(store: SqliteStore, alex: User) -> User:
    sam = await staff(store, 301, "Sam", Role.PEER)
    await link(store, sam, alex)
    return sam


def words(catalog: Catalog, text: Text) -> str:
    """A text as an English reader sees it."""
    return Wording(catalog).text("en", text)


def said(catalog: Catalog, view: View | Say) -> list[str]:
    """Each message of a view (or one message), as read."""
    says = view.says if isinstance(view, View) else (view,)
    return ["\n\n".join(words(catalog, part) for part in say.parts) for say in says]


def buttons(view: View | Say) -> list[Action]:
    says = view.says if isinstance(view, View) else (view,)
    return [choice.action for say in says for row in say.rows for choice in row]


def toast(catalog: Catalog, view: View) -> str | None:
    return words(catalog, view.toast) if view.toast else None


async def draft(nudges: Nudges, member: User, client: User, when: When, now: datetime) -> int:
    """A draft nudge, its time chosen: the draft's id."""
    view = await nudges.pressed(member, NudgeWhen(client.id, when), now)
    (template, *_) = buttons(view)
    assert isinstance(template, NudgeTemplate)
    return template.relay_id


async def nudge(
    nudges: Nudges,
    waits: Waits,
    member: User,
    client: User,
    words_: str,
    now: datetime,
    when: When = When.NOW,
) -> tuple[int, View]:
    """The whole /nudge: when, typed words, Send. The draft's id and what the sender is told."""
    relay_id = await draft(nudges, member, client, when, now)
    wait = await waits.take(member.id, now)
    assert wait is not None and wait.kind is WaitKind.NUDGE_TEXT
    preview = await nudges.typed(member, wait, words_, now)
    assert buttons(preview) == [ConfirmToClient(relay_id, True), ConfirmToClient(relay_id, False)]
    return relay_id, await nudges.pressed(member, ConfirmToClient(relay_id, True), now, 7)


async def relay(store: SqliteStore, relay_id: int) -> Relay:
    found = await store.relay(relay_id)
    assert found is not None
    return found


async def delivered(store: SqliteStore, relay_id: int) -> None:
    """What the dispatcher does once the nudge is out."""
    assert await store.update_relay(relay_id, status="sent", expect="planned")


# --- when it arrives ---------------------------------------------------------------------------


async def test_a_nudge_at_22_00_arrives_at_09_00_the_next_day(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    late = NOW + timedelta(hours=13)  # 22:00 in London; Alex may be written to 09:00-21:00
    relay_id, told = await nudge(nudges, waits, sam, alex, "Thinking of you", late)
    (line,) = said(catalog, told)
    assert line == "Done. Alex will get it tomorrow at 09:00."
    assert told.unbutton == (7,)  # the preview keeps its words, loses its buttons
    assert (await relay(store, relay_id)).status == "planned"
    (send,) = [s for s in await store.sends(alex.id) if s.kind == RELAY]
    assert json.loads(send.payload or "") == {"relay": relay_id}


async def test_the_preview_tells_when_it_will_really_arrive(
    nudges: Nudges, waits: Waits, catalog: Catalog, alex: User, sam: User
) -> None:
    late = NOW + timedelta(hours=13)
    await draft(nudges, sam, alex, When.NOW, late)
    wait = await waits.take(sam.id, late)
    assert wait is not None
    (preview,) = said(catalog, await nudges.typed(sam, wait, "Hello", late))
    assert preview.startswith("Alex will see this tomorrow at 09:00:")
    assert "Sam (peer supporter) wanted to check in:\n\nHello" in preview


async def test_a_nudge_comes_a_few_minutes_after_another_message_the_bot_started(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    await store.plan_send(alex.id, "notice", "n", "2026-03-02", NOW, NOW + timedelta(days=1))
    (claimed,) = await store.claim_due(NOW, 10)
    await store.finish_send(claimed.id, "sent", NOW, message_id=1)
    _, told = await nudge(nudges, waits, sam, alex, "Hello", NOW + timedelta(minutes=1))
    assert said(catalog, told) == ["Done. Alex will get it today at 09:05."]


async def test_during_a_pause_the_nudge_waits_and_the_sender_reads_the_clients_message(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    await store.set_schedule(alex.id, paused=True, pause_message="Taking a break, I'm okay")
    relay_id, told = await nudge(nudges, waits, sam, alex, "Just saying hello", NOW)
    assert said(catalog, told) == [
        "Alex has paused messages, so your nudge will wait until they resume.\n\n"
        "Alex left a message for the team: Taking a break, I'm okay"
    ]
    waiting = await relay(store, relay_id)
    assert waiting.status == "planned" and waiting.held_told  # not told twice by the dispatcher


async def test_a_pause_until_a_date_says_until_when(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    await store.set_schedule(alex.id, paused=True, paused_until="2026-03-05")
    _, told = await nudge(nudges, waits, sam, alex, "Hello", NOW)
    assert said(catalog, told) == [
        "Alex has paused messages until 5 March 2026, so your nudge will wait until then."
    ]


async def preview_of(
    nudges: Nudges, waits: Waits, member: User, client: User, when: When, now: datetime
) -> str:
    """The preview the sender reads after choosing when and typing "Hello"."""
    await draft(nudges, member, client, when, now)
    wait = await waits.take(member.id, now)
    assert wait is not None
    (preview,) = said(
        Catalog.load().with_region("en_GB"), await nudges.typed(member, wait, "Hello", now)
    )
    return preview


async def test_the_preview_never_says_now_when_it_will_arrive_later(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    """Sam at 23:00, and Sam nudging a client who paused: the first choice is still "Now", and
    every message before Send says when it will really arrive."""
    late = NOW + timedelta(hours=14)  # 23:00 in London
    (question,) = said(catalog, await nudges.pressed(sam, NudgeWho(alex.id), late))
    assert question == (
        'When should Alex get it? "Now" means tomorrow at 09:00, inside Alex\'s own hours.'
    )
    preview = await preview_of(nudges, waits, sam, alex, When.NOW, late)
    assert preview.startswith("Alex will see this tomorrow at 09:00:\n\n")
    # Inside the hours, "Now" is now.
    (now_question,) = said(catalog, await nudges.pressed(sam, NudgeWho(alex.id), NOW))
    assert now_question.startswith("When should Alex get it? It only ever arrives inside")
    assert (await preview_of(nudges, waits, sam, alex, When.NOW, NOW)).startswith(
        "Alex will see this now:"
    )
    # "This evening" at 23:00 is tomorrow evening, and says so.
    evening = await preview_of(nudges, waits, sam, alex, When.EVENING, late)
    assert evening.startswith("Alex will see this tomorrow at 19:00:")
    # Paused until they resume: no time at all, and no "now".
    await store.set_schedule(alex.id, paused=True)
    (paused_question,) = said(catalog, await nudges.pressed(sam, NudgeWho(alex.id), NOW))
    assert "Alex has paused messages, so it waits until they resume." in paused_question
    paused = await preview_of(nudges, waits, sam, alex, When.NOW, NOW)
    assert paused.startswith("Alex has paused messages. This waits until they resume:")
    # Paused until a day: the day it really arrives.
    await store.set_schedule(alex.id, paused=True, paused_until="2026-03-05")
    until = await preview_of(nudges, waits, sam, alex, When.NOW, NOW)
    assert until.startswith("Alex will see this on Thursday, 5 March 2026 at 09:00:")


async def test_a_nudge_to_a_client_who_has_not_agreed_waits_and_the_sender_is_told(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    blair: User,
    sam: User,
) -> None:
    """Blair never answered the schedule question: Sam hears so before writing, in the
    preview and after Send, with how long it waits (its send closes a week after its time);
    the nudge waits, nothing is sent."""
    await link(store, sam, blair)
    (question,) = said(catalog, await nudges.pressed(sam, NudgeWho(blair.id), NOW))
    assert question == (
        "When should Blair get it? Blair hasn't said yet that I may write to them. "
        "It waits until they do, for at most 7 days after the time you choose."
    )
    preview = await preview_of(nudges, waits, sam, blair, When.NOW, NOW)
    assert preview.startswith(
        "Blair hasn't said yet that I may write to them. This waits until they do; if they "
        "haven't by Monday, 9 March 2026, 09:00, it is not sent:\n\n"
        "Sam (peer supporter) wanted to check in:\n\nHello"
    )
    relay_id, told = await nudge(nudges, waits, sam, blair, "Thinking of you", NOW)
    assert said(catalog, told) == [
        "Done. Blair hasn't said yet that I may write to them, so it waits until they do. "
        "If they haven't by Monday, 9 March 2026, 09:00, it is not sent. /nudge shows it."
    ]
    (send,) = [s for s in await store.sends(blair.id) if s.kind == RELAY]
    assert send.closes_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC), "as Sam was told"
    assert (await relay(store, relay_id)).status == "planned"
    assert outbox.sent == []
    (upcoming, _who) = (await nudges.nudge_menu(sam, NOW)).says
    assert (
        "• To Blair, once they say I may write to them: Thinking of you"
        in said(catalog, upcoming)[0]
    )
    assert [words(catalog, c.label) for row in upcoming.rows for c in row] == [
        "Cancel the nudge to Blair (waiting)"
    ]
    # Once Blair agrees, the same nudge has a time.
    await store.set_schedule(blair.id, agreed_on="2026-03-02")
    (upcoming, _who) = (await nudges.nudge_menu(sam, NOW)).says
    assert "• To Blair, now: Thinking of you" in said(catalog, upcoming)[0]


async def test_a_nudge_to_a_client_who_chose_only_when_i_ask_waits_for_them_to_write(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, blair: User, sam: User
) -> None:
    """Blair chose "Only when I ask": Sam reads that Blair sees it the next time Blair writes,
    and until when it waits; Blair's next message brings it, as a nudge looks, once."""
    await link(store, sam, blair)
    await store.set_schedule(blair.id, agreed_on=None)  # "Only when I ask"
    preview = await preview_of(nudges, waits, sam, blair, When.NOW, NOW)
    assert preview.startswith(
        "Blair asked me to write only when they write first, so Blair will see this the next "
        "time they write to me. If they don't write by Monday, 9 March 2026, 09:00, it is not "
        "shown:\n\nSam (peer supporter) wanted to check in:\n\nHello"
    )
    relay_id, _ = await nudge(nudges, waits, sam, blair, "Thinking of you", NOW)
    (upcoming, _who) = (await nudges.nudge_menu(sam, NOW)).says
    listed = said(catalog, upcoming)[0]
    assert "• To Blair, the next time they write to me: Thinking of you" in listed
    assert await nudges.held_for(sam, NOW) == View(), "only a client's own"
    later = NOW + timedelta(days=2)
    held = await nudges.held_for(blair, later)
    assert said(catalog, held) == ["Sam (peer supporter) wanted to check in:\n\nThinking of you"]
    assert buttons(held) == [
        ReplyToMember(relay_id),
        ThankMember(relay_id),
        SetAside(relay_id),
        AskStopNudges(relay_id),
    ]
    (say,) = held.says
    assert (await relay(store, relay_id)).status == "planned", "until it is out"
    assert say.on_sent is not None
    await say.on_sent(55)
    assert (await relay(store, relay_id)).status == "sent"
    (send,) = [s for s in await store.sends(blair.id) if s.kind == RELAY]
    assert (send.status, send.message_id) == ("sent", 55)
    assert await nudges.held_for(blair, later) == View(), "once"


async def test_what_is_not_shown_when_a_client_who_chose_only_when_i_ask_writes(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, blair: User, sam: User
) -> None:
    """Not before its time, not during a pause, not once dropped, not from someone Blair
    stopped or who left the team, and never to a client who has not said."""
    await link(store, sam, blair)
    relay_id, _ = await nudge(nudges, waits, sam, blair, "Hello", NOW)
    assert await nudges.held_for(blair, NOW) == View(), "Blair has not said yet"
    await store.set_schedule(blair.id, agreed_on=None)
    assert len((await nudges.held_for(blair, NOW)).says) == 1
    await store.set_schedule(blair.id, paused=True)
    assert await nudges.held_for(blair, NOW) == View()
    paused = await preview_of(nudges, waits, sam, blair, When.NOW, NOW)
    assert "Blair will see this the next time they write to me after their pause ends." in paused
    await store.set_schedule(blair.id, paused=False)
    assert await nudges.held_for(blair, NOW + timedelta(days=7)) == View(), "dropped"
    facts, who = said(catalog, await nudges.nudge_menu(sam, NOW + timedelta(days=7)))
    assert who == "Who would you like to nudge?", "not said to be on its way any more"
    assert facts.endswith(": not sent, its time ran out before Blair could get it.")
    await store.set_no_nudges(blair.id, sam.id, True, NOW)
    assert await nudges.held_for(blair, NOW) == View()
    await store.set_no_nudges(blair.id, sam.id, False, NOW)
    await store.remove_from_team(blair.id, sam.id)
    assert await nudges.held_for(blair, NOW) == View()
    assert (await relay(store, relay_id)).status == "planned"


async def test_a_nudge_for_later_to_a_client_who_chose_only_when_i_ask(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, blair: User, sam: User
) -> None:
    await link(store, sam, blair)
    await store.set_schedule(blair.id, agreed_on=None)
    (question,) = said(catalog, await nudges.pressed(sam, NudgeWho(blair.id), NOW))
    assert question == (
        "When should Blair get it? Blair asked me to write only when they write first. "
        "Blair will see it when they next write to me after that time, if that is within "
        "7 days."
    )
    await nudge(nudges, waits, sam, blair, "Later", NOW, When.IN_DAYS)
    (upcoming, _who) = (await nudges.nudge_menu(sam, NOW)).says
    assert (
        "• To Blair, the first time they write to me after Thursday, 5 March 2026, 09:00: Later"
        in said(catalog, upcoming)[0]
    )
    assert await nudges.held_for(blair, NOW + timedelta(days=2)) == View()
    assert len((await nudges.held_for(blair, NOW + timedelta(days=3))).says) == 1


async def test_an_answer_to_what_the_client_wrote_does_not_wait_for_agreement(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, blair: User, kim: User
) -> None:
    """Blair wrote first, so Dr Kim's answer is asked for: it goes inside Blair's hours."""
    await link(store, kim, blair)
    asked = await nudges.pressed(blair, WriteToMember(kim.id), NOW)
    assert asked.says
    wait = await waits.take(blair.id, NOW)
    assert wait is not None
    preview = await nudges.typed(blair, wait, "Can we talk?", NOW)
    (written,) = {a.relay_id for a in buttons(preview) if isinstance(a, SendToMember)}
    await nudges.pressed(blair, SendToMember(written, True), NOW)
    await nudges.pressed(kim, AnswerClient(written), NOW)
    wait = await waits.take(kim.id, NOW)
    assert wait is not None
    (answer_preview,) = said(catalog, await nudges.typed(kim, wait, "Yes", NOW))
    assert answer_preview.startswith("Blair will see this now:")


def test_quick_choices_name_moments_in_the_clients_zone() -> None:
    late = NOW + timedelta(hours=13)  # 22:00
    assert nominal(When.NOW, late, LONDON) == late
    assert nominal(When.EVENING, NOW, LONDON) == datetime(2026, 3, 2, 19, tzinfo=LONDON)
    assert nominal(When.EVENING, late, LONDON) == datetime(2026, 3, 3, 19, tzinfo=LONDON)
    assert nominal(When.MORNING, NOW, LONDON) == datetime(2026, 3, 3, 9, tzinfo=LONDON)
    assert nominal(When.IN_DAYS, NOW, LONDON) == NOW + timedelta(days=3)


async def test_a_typed_time_after_another_day_and_time_is_applied(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    (ask,) = said(catalog, await nudges.pressed(sam, NudgeWhen(alex.id, When.OTHER), NOW))
    assert ask == "Type the day and time, like 4 March 2026 10:00."
    wait = await waits.take(sam.id, NOW)
    assert wait == Wait(WaitKind.NUDGE_WHEN, str(alex.id), NOW, NOW + timedelta(minutes=30))
    # Something unreadable: said so, and the same question stays open.
    (bad,) = said(catalog, await nudges.typed(sam, wait, "whenever", NOW))
    assert bad.startswith("I didn't understand that") and "Nothing has changed" in bad
    again = await waits.take(sam.id, NOW)
    assert again is not None and again.kind is WaitKind.NUDGE_WHEN
    write = await nudges.typed(sam, again, "18:00", NOW)
    assert said(catalog, write) == ["Write your message to Alex, or pick one of these:"]
    template = buttons(write)[0]
    assert isinstance(template, NudgeTemplate)
    drafted = await relay(store, template.relay_id)
    assert drafted.status == "draft" and drafted.kind == "nudge"
    assert drafted.due_at == datetime(2026, 3, 2, 18, tzinfo=LONDON)
    # A time that has passed today is tomorrow's; a day and time that has passed is not taken.
    await nudges.pressed(sam, NudgeWhen(alex.id, When.OTHER), NOW)
    wait = await waits.take(sam.id, NOW)
    assert wait is not None
    (passed,) = said(catalog, await nudges.typed(sam, wait, "today 08:00", NOW))
    assert passed.startswith("I didn't understand that, or it has passed.")
    again = await waits.take(sam.id, NOW)
    assert again is not None
    tomorrow = buttons(await nudges.typed(sam, again, "8:00", NOW))[0]
    assert isinstance(tomorrow, NudgeTemplate)
    assert (await relay(store, tomorrow.relay_id)).due_at == datetime(2026, 3, 3, 8, tzinfo=LONDON)
    # Days as people type them, in the service's own order: 4/3 is the 4th of March.
    await nudges.pressed(sam, NudgeWhen(alex.id, When.OTHER), NOW)
    wait = await waits.take(sam.id, NOW)
    assert wait is not None
    typed = buttons(await nudges.typed(sam, wait, "4/3 at 10:00", NOW))[0]
    assert isinstance(typed, NudgeTemplate)
    assert (await relay(store, typed.relay_id)).due_at == datetime(2026, 3, 4, 10, tzinfo=LONDON)


async def test_a_template_fills_the_draft_and_the_typing_wait_ends(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    relay_id = await draft(nudges, sam, alex, When.MORNING, NOW)
    view = await nudges.pressed(sam, NudgeTemplate(relay_id, 2), NOW)
    assert "How are you doing? Reply if you like." in said(catalog, view)[0]
    assert await waits.current(sam.id, NOW) is None
    assert (await relay(store, relay_id)).body == "How are you doing? Reply if you like."
    (odd,) = said(catalog, await nudges.pressed(sam, NudgeTemplate(relay_id, 9), NOW))
    assert odd == catalog.get("en", "fallback.stale_button")


# --- who may nudge whom ------------------------------------------------------------------------


async def test_a_peer_outside_the_clients_team_is_refused_and_nothing_is_planned(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    pat = await staff(store, 302, "Pat", Role.PEER)
    (menu,) = said(catalog, await nudges.nudge_menu(pat, NOW))
    assert "nobody to nudge" in menu
    for action in (
        NudgeWho(alex.id),
        NudgeWhen(alex.id, When.NOW),
        NudgeWhen(alex.id, When.OTHER),
        NudgeWho(BIG),
    ):
        (refusal,) = said(catalog, await nudges.pressed(pat, action, NOW))
        assert refusal == "This person is not in your list. Nothing has changed."
    assert await waits.current(pat.id, NOW) is None
    assert await store.planned_relays(member_id=pat.id) == []
    assert await store.relays(alex.id) == []
    # Sam's draft is not Pat's to send, to fill or to cancel.
    relay_id = await draft(nudges, sam, alex, When.NOW, NOW)
    await waits.cancel(sam.id)
    others: tuple[Action, ...] = (
        ConfirmToClient(relay_id, True),
        NudgeTemplate(relay_id, 1),
        CancelNudge(relay_id),
    )
    for other in others:
        await nudges.pressed(pat, other, NOW)
    assert (await relay(store, relay_id)).status == "draft"
    assert (await relay(store, relay_id)).body is None


async def test_a_removed_peer_cannot_send_a_draft_made_before(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    relay_id = await draft(nudges, sam, alex, When.NOW, NOW)
    await nudges.pressed(sam, NudgeTemplate(relay_id, 1), NOW)
    await store.remove_from_team(alex.id, sam.id)
    (refusal,) = said(catalog, await nudges.pressed(sam, ConfirmToClient(relay_id, True), NOW))
    assert refusal == "This person is not in your list. Nothing has changed."
    assert (await relay(store, relay_id)).status == "cancelled"
    assert await store.sends(alex.id) == []


async def test_a_clinician_nudges_only_when_the_service_allows_it(
    store: SqliteStore,
    waits: Waits,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    kim: User,
) -> None:
    strict = make_nudges(store, waits, outbox, catalog)
    assert said(catalog, await strict.nudge_menu(kim, NOW)) == [
        "Nudges are for peer supporters here. Nothing was sent."
    ]
    refused = await strict.pressed(kim, NudgeWho(alex.id), NOW)
    assert refused.says == () and toast(catalog, refused) == catalog.get(
        "en", "fallback.stale_button"
    )
    assert await store.relays(alex.id) == []

    allowing = make_nudges(
        store, waits, outbox, catalog, Policy("R", "en", {}, clinicians_nudge=True)
    )
    menu = await allowing.nudge_menu(kim, NOW)
    assert buttons(menu) == [NudgeWho(alex.id)]
    relay_id, told = await nudge(allowing, waits, kim, alex, "See you Thursday", NOW)
    assert said(catalog, told) == ["Done. Alex will get it now."]
    assert (await relay(store, relay_id)).status == "planned"


async def test_a_network_member_cannot_nudge_and_reads_no_staff_words(
    nudges: Nudges, store: SqliteStore, catalog: Catalog, alex: User
) -> None:
    code = hash_code("n_jo")
    await store.add_team_invite(code, alex.id, InviteKind.NETWORK, NOW, NOW + timedelta(days=1))
    _, _ = await store.join_team(code, 401, 401, "Jo", "en", NOW)
    jo = await store.get_user(401)
    assert jo is not None and jo.role is Role.NETWORK
    assert said(catalog, await nudges.nudge_menu(jo, NOW)) == [
        "This command isn't available for your account."
    ]
    assert (await nudges.pressed(jo, NudgeWhen(alex.id, When.NOW), NOW)).says == ()
    assert await store.relays(alex.id) == []


# --- no more nudges ------------------------------------------------------------------------------


async def test_no_more_nudges_from_sam_blocks_new_ones_and_declines_waiting_ones(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    sam: User,
) -> None:
    first, _ = await nudge(nudges, waits, sam, alex, "Hello", NOW)
    await delivered(store, first)
    later, _ = await nudge(nudges, waits, sam, alex, "Later hello", NOW, When.IN_DAYS)
    draft_id = await draft(nudges, sam, alex, When.NOW, NOW)
    await nudges.pressed(sam, NudgeTemplate(draft_id, 1), NOW)

    ask = await nudges.pressed(alex, AskStopNudges(first), NOW)
    assert said(catalog, ask)[0].startswith("Stop nudges from Sam?")
    assert buttons(ask) == [StopNudges(first, True), StopNudges(first, False)]
    done = await nudges.pressed(alex, StopNudges(first, True), NOW)
    assert said(catalog, done) == ["Okay. No more nudges from Sam."] and done.says[0].edit
    assert await store.no_nudges(alex.id) == {sam.id}
    assert (await relay(store, later)).status == "declined"
    ((told_to, told),) = outbox.sent
    assert told_to == sam.id
    assert said(catalog, told)[0].startswith("Alex would rather not get nudges for now.")
    # Nothing new from Sam: not from /nudge, not from a draft written before.
    (refusal,) = said(catalog, await nudges.pressed(sam, NudgeWho(alex.id), NOW))
    assert refusal.startswith("Alex has asked not to get nudges from you for now.")
    await nudges.pressed(sam, ConfirmToClient(draft_id, True), NOW)
    assert (await relay(store, draft_id)).status == "cancelled"
    assert await store.planned_relays(client_id=alex.id) == []


async def test_nudges_stopped_and_allowed_again_from_team(
    nudges: Nudges, outbox: Outbox, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    stopped = await nudges.pressed(alex, SetNudges(sam.id, True), NOW)
    assert said(catalog, stopped) == ["Okay. No more nudges from Sam."]
    assert await store.no_nudges(alex.id) == {sam.id} and len(outbox.sent) == 1
    allowed = await nudges.pressed(alex, SetNudges(sam.id, False), NOW)
    assert said(catalog, allowed) == ["Okay. Sam can send you nudges again."]
    assert await store.no_nudges(alex.id) == set()


async def test_keep_them_changes_nothing(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    first, _ = await nudge(nudges, waits, sam, alex, "Hello", NOW)
    await delivered(store, first)
    kept = await nudges.pressed(alex, StopNudges(first, False), NOW)
    assert said(catalog, kept) == ["Okay, nothing has changed."]
    assert await store.no_nudges(alex.id) == set()


async def test_the_sender_can_cancel_a_waiting_nudge(
    nudges: Nudges, waits: Waits, store: SqliteStore, catalog: Catalog, alex: User, sam: User
) -> None:
    relay_id, _ = await nudge(nudges, waits, sam, alex, "Later", NOW, When.IN_DAYS)
    (upcoming, _who) = (await nudges.nudge_menu(sam, NOW)).says
    assert said(catalog, upcoming)[0].startswith(
        "Your nudges still to arrive:\n• To Alex, on Thursday, 5 March 2026 at 09:00: Later"
    )
    assert buttons(upcoming) == [CancelNudge(relay_id)]
    done = await nudges.pressed(sam, CancelNudge(relay_id), NOW)
    assert said(catalog, done) == ["Cancelled. Alex won't get it."]
    assert (await relay(store, relay_id)).status == "cancelled"
    again = await nudges.pressed(sam, CancelNudge(relay_id), NOW)
    assert said(catalog, again) == ["That message is no longer waiting. Nothing has changed."]


# --- the channel back ----------------------------------------------------------------------------


async def test_a_reply_reaches_only_its_sender_after_send(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    kim: User,
    sam: User,
) -> None:
    first, _ = await nudge(nudges, waits, sam, alex, "How did it go?", NOW)
    await delivered(store, first)
    ask = await nudges.pressed(alex, ReplyToMember(first), NOW)
    assert said(catalog, ask) == [
        "Write your message to Sam. It goes only to Sam, after you press Send."
    ]
    wait = await waits.take(alex.id, NOW)
    assert wait is not None and wait.kind is WaitKind.WRITE
    preview = await nudges.typed(alex, wait, "Better than I feared", NOW)
    (reply_id,) = {a.relay_id for a in buttons(preview) if isinstance(a, SendToMember)}
    assert outbox.sent == []  # nothing goes until "Send to Sam"
    sent = await nudges.pressed(alex, SendToMember(reply_id, True), NOW, 9)
    assert said(catalog, sent) == ["Sent to Sam. Only Sam can see it."] and sent.unbutton == (9,)
    ((to, message),) = outbox.sent
    assert to == sam.id
    assert said(catalog, message) == ["Alex replied to your nudge:\n\nBetter than I feared"]
    assert buttons(message) == [AnswerClient(reply_id)]
    # A second press sends nothing twice.
    await nudges.pressed(alex, SendToMember(reply_id, True), NOW)
    assert len(outbox.sent) == 1


async def test_a_member_answer_is_planned_for_the_clients_hours(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    kim: User,
    sam: User,
) -> None:
    asked = await nudges.pressed(alex, WriteToMember(kim.id), NOW)
    assert said(catalog, asked)[0].startswith("Write your message to Dr Kim.")
    wait = await waits.take(alex.id, NOW)
    assert wait is not None
    preview = await nudges.typed(alex, wait, "Can we talk about the dose?", NOW)
    (written,) = {a.relay_id for a in buttons(preview) if isinstance(a, SendToMember)}
    await nudges.pressed(alex, SendToMember(written, True), NOW)
    # Sam cannot answer what went to Dr Kim.
    refused = await nudges.pressed(sam, AnswerClient(written), NOW)
    assert refused.says == () and await waits.current(sam.id, NOW) is None
    late = NOW + timedelta(hours=13)
    (told,) = said(catalog, await nudges.pressed(kim, AnswerClient(written), late))
    assert told == "Write your answer to Alex. It reaches Alex inside their own hours."
    wait = await waits.take(kim.id, late)
    assert wait is not None and wait.kind is WaitKind.ANSWER
    preview = await nudges.typed(kim, wait, "Yes, on Thursday", late)
    assert said(catalog, preview) == [
        "Alex will see this tomorrow at 09:00:\n\n"
        "Dr Kim (clinician) answered you:\n\nYes, on Thursday"
    ]
    (answer_id,) = {a.relay_id for a in buttons(preview) if isinstance(a, ConfirmToClient)}
    done = await nudges.pressed(kim, ConfirmToClient(answer_id, True), late)
    assert said(catalog, done) == ["Done. Alex will get it tomorrow at 09:00."]
    assert (await relay(store, answer_id)).status == "planned"


async def test_thanks_and_not_now_under_a_nudge(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    sam: User,
) -> None:
    first, _ = await nudge(nudges, waits, sam, alex, "Hello", NOW)
    await delivered(store, first)
    thanked = await nudges.pressed(alex, ThankMember(first), NOW)
    assert said(catalog, thanked) == ["I told Sam thank you."]
    ((to, message),) = outbox.sent
    assert to == sam.id and said(catalog, message) == ["Alex says thank you for your message."]
    later = await nudges.pressed(alex, SetAside(first), NOW, 5)
    assert said(catalog, later) == ["Okay. Nothing more about it."] and later.unbutton == (5,)
    kept = [(r.kind, r.body) for r in await store.relays(alex.id)]
    assert kept == [("nudge", "Hello"), ("reply", "Thanks")]


async def test_a_request_goes_only_after_send_and_an_unreachable_member_is_said(
    nudges: Nudges,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    kim: User,
) -> None:
    preview = await nudges.pressed(alex, AskContact(kim.id, Request.CALL), NOW)
    assert said(catalog, preview) == ["Dr Kim will get this request:\n\nPlease call me"]
    (request_id,) = {a.relay_id for a in buttons(preview) if isinstance(a, SendToMember)}
    assert outbox.sent == []
    outbox.unreachable.add(kim.id)
    failed = await nudges.pressed(alex, SendToMember(request_id, True), NOW)
    assert said(catalog, failed)[0].startswith("I couldn't reach Dr Kim")
    assert (await relay(store, request_id)).status == "failed"


async def test_cancelling_a_draft_sends_nothing(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    sam: User,
) -> None:
    await nudges.pressed(alex, WriteToMember(sam.id), NOW)
    wait = await waits.take(alex.id, NOW)
    assert wait is not None
    preview = await nudges.typed(alex, wait, "Never mind", NOW)
    (draft_id,) = {a.relay_id for a in buttons(preview) if isinstance(a, SendToMember)}
    dropped = await nudges.pressed(alex, SendToMember(draft_id, False), NOW)
    assert said(catalog, dropped) == ["Okay, nothing was sent."] and dropped.says[0].edit
    assert outbox.sent == [] and (await relay(store, draft_id)).status == "cancelled"


# --- forged ids --------------------------------------------------------------------------------


async def test_forged_relay_ids_change_nothing(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    blair: User,
    kim: User,
    sam: User,
) -> None:
    first, _ = await nudge(nudges, waits, sam, alex, "Hello", NOW)
    await delivered(store, first)
    waiting, _ = await nudge(nudges, waits, sam, alex, "Later", NOW, When.IN_DAYS)
    await nudges.pressed(alex, WriteToMember(sam.id), NOW)
    wait = await waits.take(alex.id, NOW)
    assert wait is not None
    preview = await nudges.typed(alex, wait, "Alex's own words", NOW)
    (alex_draft,) = {a.relay_id for a in buttons(preview) if isinstance(a, SendToMember)}
    before = await store.relays(alex.id), await store.no_nudges(alex.id)

    # Blair presses buttons that carry Alex's messages.
    for action in (
        ReplyToMember(first),
        ThankMember(first),
        AskStopNudges(first),
        StopNudges(first, True),
        SendToMember(alex_draft, True),
        SendToMember(alex_draft, False),
        ReplyToMember(BIG),
    ):
        view = await nudges.pressed(blair, action, NOW)
        assert view.says == () and toast(catalog, view) == catalog.get(
            "en", "fallback.stale_button"
        )
    # Blair's team has nobody: Alex's team members are not hers to write to.
    team_buttons: tuple[Action, ...] = (
        WriteToMember(sam.id),
        AskContact(sam.id, Request.CALL),
        SetNudges(sam.id, True),
    )
    for pressed in team_buttons:
        view = await nudges.pressed(blair, pressed, NOW)
        assert said(catalog, view) == ["That person is not in your team. Nothing has changed."]
    # Dr Kim is in Alex's team, but Sam's nudges are not his.
    not_his: tuple[Action, ...] = (
        CancelNudge(waiting),
        AnswerClient(first),
        AnswerClient(alex_draft),
    )
    for pressed in not_his:
        await nudges.pressed(kim, pressed, NOW)
    # Typed words with a forged subject fill nobody's draft.
    for kind in (WaitKind.WRITE, WaitKind.NUDGE_TEXT, WaitKind.ANSWER):
        forged = Wait(kind, str(alex_draft), NOW, NOW + timedelta(minutes=30))
        (gone,) = said(catalog, await nudges.typed(blair, forged, "Blair's words", NOW))
        assert gone == "That message is no longer waiting. Nothing has changed."
    forged = Wait(WaitKind.NUDGE_TEXT, str(waiting), NOW, NOW + timedelta(minutes=30))
    await nudges.typed(kim, forged, "Kim's words", NOW)

    assert (await store.relays(alex.id), await store.no_nudges(alex.id)) == before
    assert (await relay(store, alex_draft)).body == "Alex's own words"
    assert outbox.sent == []
    assert await waits.current(kim.id, NOW) is None
    assert await waits.current(blair.id, NOW) is None


async def test_a_member_removed_from_the_team_gets_nothing_from_the_client(
    nudges: Nudges,
    waits: Waits,
    store: SqliteStore,
    outbox: Outbox,
    catalog: Catalog,
    alex: User,
    sam: User,
) -> None:
    first, _ = await nudge(nudges, waits, sam, alex, "Hello", NOW)
    await delivered(store, first)
    await store.remove_from_team(alex.id, sam.id)
    for action in (ReplyToMember(first), ThankMember(first), StopNudges(first, True)):
        view = await nudges.pressed(alex, action, NOW)
        assert toast(catalog, view) == "That person is not in your team. Nothing has changed."
    assert outbox.sent == [] and await store.no_nudges(alex.id) == set()
