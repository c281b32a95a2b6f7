"""The check-in as use cases, without Telegram: real SQLite, the repository's dialogs.

Honest counts (the total is fixed when the check-in starts), "This is too much" moving on,
"Change my last answer", and the human step after an answer that names a need.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.checkins import Checkins, Kind, Result, option_check
from bot.core.dialog_loader import load_dialogs
from bot.core.dialog_model import ASKED, ON_AGENDA, SKIPPED, TEXT, Capacity, Dialog, Need
from bot.core.model import InviteKind, Role, User, hash_code
from bot.core.planning import Planner
from bot.storage.store import SqliteStore
from tests.fakes import DEFAULTS

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
DIALOGS = load_dialogs()


@pytest.fixture
def checkins(store: SqliteStore) -> Checkins:
    return Checkins(store, DIALOGS, store, store, Planner(store, DEFAULTS))


@pytest.fixture
async def alex(store: SqliteStore) -> User:
    return await store.add_client(101, 101, "Alex", "en", NOW)


async def staff(store: SqliteStore, user_id: int, name: str, role: Role) -> User:
    code = hash_code(f"s_{user_id}")
    await store.add_staff_invite(code, role, name, NOW, NOW + timedelta(hours=1))
    _, user = await store.redeem_staff_invite(code, user_id, user_id, "en", NOW)
    assert user is not None
    return user


async def link(store: SqliteStore, member: User, client: User, at: datetime = NOW) -> None:
    """``member`` (staff) invites ``client``, who accepts."""
    code = hash_code(f"c_{member.id}_{client.id}")
    await store.add_team_invite(code, member.id, InviteKind.CLIENT, at, at + timedelta(days=1))
    await store.join_team(code, client.id, client.chat_id, client.name, "en", at)


def step_no(dialog: Dialog, step_id: str) -> int:
    return [step.id for step in dialog.steps].index(step_id)


async def begin(
    checkins: Checkins, user: User, capacity: Capacity, dialog: str = "checkin"
) -> int:
    started = await checkins.start(user, dialog, NOW)
    assert started.checkin is not None
    await checkins.choose_capacity(user, started.checkin.id, capacity, NOW)
    return started.checkin.id


async def say(checkins: Checkins, user: User, checkin_id: int, step: str, value: str) -> Result:
    return await checkins.answer(user, checkin_id, step, value, NOW)


# --- honest counts ------------------------------------------------------------------------------


async def test_the_total_is_fixed_when_the_checkin_starts(checkins: Checkins, alex: User) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    first = await checkins.current(alex)
    assert first.prompt is not None and (first.prompt.index, first.prompt.total) == (1, 4)
    second = await say(checkins, alex, checkin_id, "mood", "okay")
    assert second.prompt is not None and (second.prompt.index, second.prompt.total) == (2, 4)
    third = await say(checkins, alex, checkin_id, "contact", "team")
    assert third.prompt is not None and (third.prompt.index, third.prompt.total) == (3, 4)
    assert third.change == step_no(DIALOGS["checkin"], "contact")


async def test_too_much_lets_the_question_go_and_asks_less_from_then_on(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MOST)
    await say(checkins, alex, checkin_id, "mood", "hard")
    dropped = await checkins.drop(alex, checkin_id, NOW)
    assert dropped.kind is Kind.PROMPT and dropped.dropped
    assert dropped.prompt is not None and dropped.prompt.step_id == "what_helps"  # the next one
    assert (dropped.prompt.index, dropped.prompt.total) == (3, 4)  # the total stays
    assert dropped.left == 2  # "what helps" and "wish", at the middle capacity
    assert len(dropped.prompt.options) <= 4
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None and record.capacity == "middle"
    assert record.answer_values["contact"] == SKIPPED  # never asked again
    assert dropped.change == step_no(DIALOGS["checkin"], "mood")  # the last real answer


async def test_too_much_on_the_last_question_ends_kindly(checkins: Checkins, alex: User) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    ended = await checkins.drop(alex, checkin_id, NOW)  # under "contact": least asks no more
    assert ended.kind is Kind.FINISHED and ended.dropped


async def test_too_much_twice_from_one_old_button_changes_nothing_more(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await checkins.drop(alex, checkin_id, NOW)
    again = await checkins.drop(alex, checkin_id, NOW)
    assert again.kind is Kind.STALE
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None and record.capacity == "least"


# --- change my last answer --------------------------------------------------------------------


async def test_the_last_answer_is_asked_again_and_replaced(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    after = await say(checkins, alex, checkin_id, "mood", "okay")
    assert after.change == 0
    again = await checkins.change_last(alex, checkin_id, 0, NOW)
    assert again.kind is Kind.PROMPT and again.again
    assert again.prompt is not None and again.prompt.step_id == "mood"
    assert (again.prompt.index, again.prompt.total) == (1, 4)
    assert again.change is None  # nothing answered now
    then = await say(checkins, alex, checkin_id, "mood", "hard")
    assert then.prompt is not None and then.prompt.step_id == "contact"
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None and record.answer_values == {"mood": "hard"}


async def test_change_takes_the_human_step_with_the_answer(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    wish = step_no(DIALOGS["checkin"], "wish")
    need = await say(checkins, alex, checkin_id, "wish", "say")
    assert need.kind is Kind.NEED and need.change == wish
    again = await checkins.change_last(alex, checkin_id, wish, NOW)
    assert again.prompt is not None and again.prompt.step_id == "wish"
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None and "wish" not in record.answer_values


async def test_an_old_or_forged_change_changes_nothing(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    blair = await store.add_client(102, 102, "Blair", "en", NOW)
    checkin_id = await begin(checkins, alex, Capacity.LEAST)
    await say(checkins, alex, checkin_id, "mood", "okay")
    assert (await checkins.change_last(alex, checkin_id, 1, NOW)).kind is Kind.STALE  # not last
    assert (await checkins.change_last(blair, checkin_id, 0, NOW)).kind is Kind.STALE  # not hers
    done = await say(checkins, alex, checkin_id, "contact", "close_people")
    assert done.kind is Kind.FINISHED
    assert (await checkins.change_last(alex, checkin_id, 1, NOW)).kind is Kind.STALE  # ended
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None
    assert record.answer_values == {"mood": "okay", "contact": "close_people"}


# --- the human step after an answer that names a need --------------------------------------------


async def test_a_need_to_talk_offers_the_peer_supporter_first(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    kim = await staff(store, 201, "Dr Kim", Role.CLINICIAN)
    sam = await staff(store, 202, "Sam", Role.PEER)
    await link(store, kim, alex)
    await link(store, sam, alex, NOW + timedelta(days=1))
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "hard")
    await say(checkins, alex, checkin_id, "contact", "close_people")
    need = await say(checkins, alex, checkin_id, "what_helps", "talking")
    assert need.kind is Kind.NEED and need.prompt is None  # in the next question's place
    assert need.need is not None and need.need.need is Need.CONTACT
    assert need.contact is not None and need.contact.person.name == "Sam"
    assert (await checkins.current(alex)).kind is Kind.NEED  # shown again, the same step
    # Old buttons of the next question cannot skip past it.
    assert (await say(checkins, alex, checkin_id, "wish", "nothing")).kind is Kind.STALE
    went_on = await checkins.go_on(
        alex, checkin_id, step_no(DIALOGS["checkin"], "what_helps"), NOW
    )
    assert went_on.prompt is not None and went_on.prompt.step_id == "wish"
    assert (await checkins.go_on(alex, checkin_id, 2, NOW)).kind is Kind.STALE  # once only


async def test_once_the_request_is_sent_the_checkin_goes_on(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    sam = await staff(store, 202, "Sam", Role.PEER)
    await link(store, sam, alex)
    assert (await checkins.contact_requested(alex, NOW)).kind is Kind.STALE  # nothing open
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "hard")
    assert (await checkins.contact_requested(alex, NOW)).kind is Kind.STALE  # no such step
    await say(checkins, alex, checkin_id, "contact", "close_people")
    await say(checkins, alex, checkin_id, "what_helps", "talking")
    went_on = await checkins.contact_requested(alex, NOW)
    assert went_on.prompt is not None and went_on.prompt.step_id == "wish"
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None and record.answer_values["what_helps.talking"] == ASKED


async def test_a_need_to_talk_without_a_peer_offers_the_clinician(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    kim = await staff(store, 201, "Dr Kim", Role.CLINICIAN)
    await link(store, kim, alex)
    checkin_id = await begin(checkins, alex, Capacity.LEAST, "after_meeting")
    need = await say(checkins, alex, checkin_id, "heard", "no")
    assert need.kind is Kind.NEED and need.contact is not None
    assert need.contact.person.name == "Dr Kim"


async def test_a_need_to_talk_without_a_team_offers_nobody_by_name(
    checkins: Checkins, alex: User
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.LEAST, "after_meeting")
    need = await say(checkins, alex, checkin_id, "heard", "no")
    assert need.kind is Kind.NEED and need.contact is None


async def test_something_to_say_keeps_the_typed_words_with_the_checkin(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    need = await say(checkins, alex, checkin_id, "wish", "say")
    assert need.need is not None and need.need.need is Need.SAY
    kept = await checkins.answer_text(alex, "I want Jo at the next meeting", NOW)
    assert kept is not None and kept.kind is Kind.FINISHED
    assert kept.kept_words == "I want Jo at the next meeting"
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None
    (words,) = [a for a in record.answers if a.step_id == "wish.say"]
    assert (words.value, words.text) == (TEXT, "I want Jo at the next meeting")
    step = DIALOGS["checkin"].step("wish.say")  # reads as the answer it followed
    assert step.question == "Something to say"


async def test_words_typed_long_after_what_is_it_are_not_taken_for_it(
    checkins: Checkins, alex: User
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    await say(checkins, alex, checkin_id, "wish", "say")
    later = NOW + timedelta(hours=2)
    assert await checkins.answer_text(alex, "a note, much later", later) is None


async def test_words_are_not_taken_by_a_human_step_that_asks_none(
    checkins: Checkins, alex: User
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    await say(checkins, alex, checkin_id, "wish", "decide")
    assert await checkins.answer_text(alex, "just a note", NOW) is None


async def test_what_was_put_on_the_agenda_shows_when_getting_ready(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    await say(checkins, alex, checkin_id, "wish", "decide")
    wish = step_no(DIALOGS["checkin"], "wish")
    asked = await checkins.put_on_agenda(alex, checkin_id, wish, NOW)
    assert asked.kind is Kind.NEED and asked.need is not None and asked.need.words
    added = await checkins.answer_text(alex, "Fewer meetings in the morning", NOW)
    assert added is not None and added.kind is Kind.FINISHED and added.on_agenda
    record = await store.checkin(checkin_id, alex.id)
    assert record is not None and record.answer_values["wish.decide"] == ON_AGENDA
    prep = await checkins.start(alex, "meeting_prep", NOW + timedelta(days=1))
    assert [(i.words, i.on) for i in prep.agenda] == [
        ("Fewer meetings in the morning", date(2026, 3, 2))
    ]
    assert prep.agenda[0].question == "Is there something you want to decide or say?"
    # After the meeting, what came before was for that meeting.
    await checkins.start(alex, "after_meeting", NOW + timedelta(days=2))
    prep = await checkins.start(alex, "meeting_prep", NOW + timedelta(days=3))
    assert prep.agenda == ()


async def test_only_an_agenda_need_can_be_put_on_the_agenda(
    checkins: Checkins, alex: User
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    await say(checkins, alex, checkin_id, "wish", "say")
    wish = step_no(DIALOGS["checkin"], "wish")
    assert (await checkins.put_on_agenda(alex, checkin_id, wish, NOW)).kind is Kind.STALE


async def test_the_open_question_can_be_shown_again(checkins: Checkins, alex: User) -> None:
    assert (await checkins.current(alex)).kind is Kind.STALE  # none open
    checkin_id = await begin(checkins, alex, Capacity.LEAST)
    shown = await checkins.current(alex)
    assert shown.prompt is not None and shown.prompt.step_id == "mood"
    await checkins.decline(alex, checkin_id, NOW)
    assert (await checkins.current(alex)).kind is Kind.STALE
    await checkins.start(alex, "checkin", NOW)
    assert (await checkins.current(alex)).kind is Kind.ASK_CAPACITY


# --- a press handled again after a hard stop -------------------------------------------------


async def test_a_press_handled_again_shows_what_its_first_handling_showed(
    checkins: Checkins, alex: User
) -> None:
    started = await checkins.start(alex, "checkin", NOW)
    assert started.checkin is not None
    checkin_id = started.checkin.id
    first = await checkins.choose_capacity(alex, checkin_id, Capacity.MIDDLE, NOW)
    again = await checkins.choose_capacity(alex, checkin_id, Capacity.MIDDLE, NOW, replayed=True)
    assert (again.kind, again.first, again.prompt) == (Kind.PROMPT, True, first.prompt)

    dialog = DIALOGS["checkin"]
    mood = dialog.steps[step_no(dialog, "mood")]
    check = option_check(mood.id, mood.options[0].id)
    answered = await checkins.answer_option(alex, checkin_id, 0, 0, check, NOW)
    replayed = await checkins.answer_option(alex, checkin_id, 0, 0, check, NOW, replayed=True)
    assert replayed == answered and replayed.prompt is not None
    assert replayed.prompt.index == 2, "the next question, as the first time, not 'already'"
    # Not handled again: the second press of the same button is "already saved".
    twice = await checkins.answer_option(alex, checkin_id, 0, 0, check, NOW)
    assert twice.kind is Kind.ALREADY


async def test_words_handled_again_never_answer_the_next_question(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    first = await checkins.answer_text(alex, "Tired but okay", NOW)
    assert first is not None and first.prompt is not None and first.prompt.index == 2
    again = await checkins.answer_text(alex, "Tired but okay", NOW, replayed=True)
    assert again == first
    (record,) = await store.recent_checkins(alex.id, 1)
    assert record.id == checkin_id
    assert [(a.step_id, a.text) for a in record.answers] == [("mood", "Tired but okay")]


async def test_what_to_decide_handled_again_stays_on_the_agenda_once(
    checkins: Checkins, alex: User, store: SqliteStore
) -> None:
    checkin_id = await begin(checkins, alex, Capacity.MIDDLE)
    await say(checkins, alex, checkin_id, "mood", "okay")
    await say(checkins, alex, checkin_id, "contact", "team")
    await say(checkins, alex, checkin_id, "wish", "decide")
    await checkins.put_on_agenda(alex, checkin_id, step_no(DIALOGS["checkin"], "wish"), NOW)
    first = await checkins.answer_text(alex, "Moving flat", NOW)
    assert first is not None and first.kind is Kind.FINISHED and first.on_agenda
    again = await checkins.answer_text(alex, "Moving flat", NOW, replayed=True)
    assert again is not None and again.kind is Kind.FINISHED
    assert (again.kept_words, again.on_agenda) == ("Moving flat", True)
    (record,) = await store.recent_checkins(alex.id, 1)
    assert [(a.step_id, a.text) for a in record.answers if a.text] == [
        ("wish.decide", "Moving flat")
    ]
