""" "Did you feel heard?" to the people who were there (issue 22, point 3), through the real
stack: the questions after a meeting end with "Share this" (``Sharing.from_checkin``, as every
check-in with answers does when the client has a team); one tap leads to the answers ticked,
then the exact text, the people, Share. What it put on the agenda is for the next meeting."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import ManualClock
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, join, make_staff, services
from tests.test_checkin_needs import after_the_meeting

SAVED = "Saved. Only you can see this until you choose to share it."


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def _team(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person]:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(kim, alex)
    await join(sam, alex)
    return kim, sam


async def _how_it_went(alex: Person) -> ChatMessage:
    """The questions after the meeting at some energy: heard partly (in Alex's words), nothing
    decided against Alex's will, something different next time, put on the agenda."""
    await after_the_meeting(alex, "Some")
    sent = await alex.send("Partly. Nobody asked about my sleep.")
    assert sent[-1].body.startswith("2 of 3\nWas anything decided that you did not agree with?")
    await alex.press("No")
    await alex.press("Yes")  # "Would you like anything to be different next time?"
    await alex.press("Put it on the agenda")
    sent = await alex.send("Shorter meetings, please")
    end = sent[-1]
    assert end.body.endswith(SAVED)
    return end


async def test_alex_shares_how_the_meeting_went_with_the_people_who_were_there(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _team(app, api, alex)
    end = await _how_it_went(alex)
    assert labels(end) == ["Share this"]

    (menu,) = await alex.press("Share this")
    ticked = [label for label in labels(menu) if label.startswith("✓ ")]
    assert ticked == ["✓ After meeting 2 Mar: Partly. Nobody asked about…"]
    (preview,) = await alex.press("See what would be sent")
    assert preview.body == (
        "From Alex, shared with you on 2 March 2026:\n\n"
        "After the meeting, 2 March 2026\n"
        "Did you feel heard at the meeting?\nPartly. Nobody asked about my sleep.\n\n"
        "Was anything decided that you did not agree with?\nNo\n\n"
        "Would you like anything to be different next time?\nYes\nShorter meetings, please"
    )
    before = {p.id: len(api.messages(p.id)) for p in (kim, sam)}
    await alex.press("Dr Kim (clinician)")
    await alex.press("Sam (peer supporter)")
    sent = await alex.press("Share with 2 people")
    assert sent[-1].body.startswith("Shared with Dr Kim and Sam. Only they can see it.")
    for member in (kim, sam):
        (delivered,) = api.messages(member.id)[before[member.id] :]
        assert delivered.body == preview.body
        assert labels(delivered) == ["Answer Alex"]

    await alex.send("/share")
    (history,) = await alex.press("What I've shared")
    assert "• 2 March 2026, with Dr Kim and Sam: After meeting" in history.body
    await alex.press("Withdraw 2 Mar (Dr Kim and Sam)")
    await alex.press("Withdraw it")
    for member in (kim, sam):
        (gone,) = api.messages(member.id, include_deleted=True)[before[member.id] :]
        assert gone.deleted


async def test_what_the_questions_after_a_meeting_put_on_the_agenda_is_for_the_next_one(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await _team(app, api, alex)
    await alex.send("/checkin")  # before the meeting: something for that meeting
    await alex.press("Some")
    await alex.press("Okay")
    await alex.press("My team")
    await alex.press("Something to decide")
    await alex.press("Put it on the agenda")
    await alex.send("Whether to stop the evening pill")
    clock.advance(timedelta(days=1))
    await _how_it_went(alex)

    sent = await alex.send("/agenda")
    assert "On your agenda so far:\n• Shorter meetings, please (3 March 2026)" in sent[-1].body
    assert "evening pill" not in sent[-1].body
    await alex.press("Not now")
    (menu,) = await alex.send("/share")
    agenda = next(label for label in labels(menu) if "Everything on my agenda" in label)
    await alex.press(agenda)
    (preview,) = await alex.press("See what would be sent")
    assert preview.body == (
        "From Alex, shared with you on 3 March 2026:\n\n"
        "My agenda for the next meeting (last changed on 3 March 2026)\n"
        "I'd like to talk about:\n• Shorter meetings, please"
    )
    assert (await services(app).db.share_draft(alex.id)).body == preview.body
