"""Sharing the picture of my weeks (issue 22, point 4), through the real stack (PTB, the SQLite
store, the stand-in): "Share this picture" under /myweeks, then who gets it, then the exact
picture (the same PNG bytes, with the words that go with it) and "Share with <names>"; only the
people picked get it, it is in "What I've shared", and withdrawing it takes the photo back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.core.actions.myweeks import SendWeeks, WeeksPreview
from bot.core.actions.share import ChangeItems, Preview, SendShare
from bot.core.clock import ManualClock
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, make_staff, services, speaking
from tests.test_myweeks import picture_of, png_size

HEADER = (
    "From Alex, shared with you on 2 March 2026: the picture of their last weeks, with the "
    "words Alex sees under it."
)


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def photos(api: FakeBotAPI, person: Person) -> list[ChatMessage]:
    """The pictures Alex shared with ``person`` (not the QR code of their own invite link)."""
    return [
        m
        for m in api.messages(person.id, include_deleted=True)
        if m.photo is not None and not (m.caption or "").startswith("Scan this")
    ]


def toast(api: FakeBotAPI) -> str:
    return str(list(api.callback_answers.values())[-1]["text"])


async def _team(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person]:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(kim, alex)
    await join(sam, alex)
    return kim, sam


async def _draft_version(app: App, alex: Person) -> int:
    return (await services(app).db.share_draft(alex.id)).version


async def test_alex_shares_the_exact_picture_with_dr_kim_alone_and_withdraws_it(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _team(app, api, alex)
    await alex.send("Slept badly again")
    mine = picture_of(await alex.send("/myweeks"))
    assert labels(mine) == ["8 weeks", "12 weeks", "Share this picture"]
    assert mine.caption is not None and mine.caption.endswith("Only you can see this.")

    (who,) = await alex.press("Share this picture")
    assert who.body.startswith("Who should get this picture? Tap to choose.")
    assert labels(who) == [
        "Dr Kim (clinician)",
        "Sam (peer supporter)",
        "See what they get",
        "Cancel",
    ]
    # Nobody chosen yet: nothing to see, nothing changes.
    assert await alex.press("See what they get") == []
    assert toast(api) == "Choose at least one person first. Nothing was sent."
    await alex.press("Dr Kim (clinician)")
    assert alex.last().message_id == who.message_id  # ticked in place
    assert labels(alex.last())[0] == "✓ Dr Kim (clinician)"
    assert "Chosen: 1" in alex.last().body

    (preview,) = await alex.press("See what they get")
    # The people's message now says what follows (the stand-in's record of it, as it is now).
    assert who.body == "This is exactly what Dr Kim would get: the picture below, with its words."
    assert who.buttons() == []
    assert preview.photo == mine.photo  # the very picture Alex was looking at, byte for byte
    assert preview.caption == (
        f"{HEADER}\n\nYour last 4 weeks, since 9 February 2026.\n\nYou wrote 1 note."
    )
    assert labels(preview) == ["Share with Dr Kim", "Change who gets it", "Cancel"]
    assert photos(api, kim) == [] and photos(api, sam) == []  # nothing went anywhere yet

    sent = await alex.press("Share with Dr Kim")
    assert sent[-1].body.startswith("Shared with Dr Kim. Only they can see it.")
    (delivered,) = photos(api, kim)
    assert delivered.photo == preview.photo and delivered.caption == preview.caption
    assert labels(delivered) == ["Answer Alex"]
    assert photos(api, sam) == []
    assert preview.buttons() == []  # spent
    (share,) = await services(app).db.shares(alex.id)
    assert share.items == ("w4:picture",)
    assert [(r.name, r.status) for r in share.recipients] == [("Dr Kim", "sent")]
    # Pressing Share again sends nothing more.
    await alex.press_data(preview.message_id, encode(SendWeeks(await _draft_version(app, alex))))
    assert len(photos(api, kim)) == 1

    await alex.send("/share")
    (history,) = await alex.press("What I've shared")
    assert "• 2 March 2026, with Dr Kim: Picture of my weeks" in history.body
    await alex.press("Withdraw 2 Mar (Dr Kim)")
    await alex.press("Withdraw it")
    assert alex.last().body.startswith("Withdrawn.")
    assert delivered.deleted
    (share,) = await services(app).db.shares(alex.id)
    assert share.body is None and share.withdrawn_at is not None


async def test_an_old_picture_is_replaced_when_it_can_no_longer_be_deleted(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("/myweeks")
    await alex.press("Share this picture")
    await alex.press("Dr Kim (clinician)")
    await alex.press("See what they get")
    await alex.press("Share with Dr Kim")
    (delivered,) = photos(api, kim)
    shared = delivered.photo
    clock.advance(timedelta(days=3))  # Telegram deletes bot messages only for 48 hours
    await alex.send("/share")
    await alex.press("What I've shared")
    await alex.press("Withdraw 2 Mar (Dr Kim)")
    await alex.press("Withdraw it")
    assert not delivered.deleted
    assert delivered.caption == "Alex withdrew what they shared here."
    assert delivered.photo is not None and delivered.photo != shared  # nothing of it stays
    assert png_size(delivered.photo) == (320, 80)
    (share,) = await services(app).db.shares(alex.id)
    assert [r.status for r in share.recipients] == ["edited"]


async def test_a_picture_that_changed_is_shown_again_before_anything_is_sent(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("/myweeks")
    await alex.press("Share this picture")
    await alex.press("Dr Kim (clinician)")
    (first,) = await alex.press("See what they get")
    await alex.send("A walk by the river")  # a note: the picture is no longer the same

    intro, again = await alex.press("Share with Dr Kim")
    assert photos(api, kim) == []
    assert first.buttons() == []
    assert intro.body.startswith("Your picture has changed since you saw it")
    assert intro.photo is None
    assert again.caption is not None and again.caption.endswith("You wrote 1 note.")
    assert again.photo != first.photo
    await alex.press("Share with Dr Kim")
    (delivered,) = photos(api, kim)
    assert (delivered.photo, delivered.caption) == (again.photo, again.caption)


async def test_old_and_forged_buttons_change_nothing(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    kim, sam = await _team(app, api, alex)
    await alex.send("A note of mine")
    await alex.send("/myweeks")
    await alex.press("Share this picture")
    await alex.press("Sam (peer supporter)")
    (preview,) = await alex.press("See what they get")
    version = await _draft_version(app, alex)
    # /share's own buttons, pressed with this draft's version, never send or change it.
    for action in (SendShare(version), Preview(), ChangeItems()):
        await alex.press_data(preview.message_id, encode(action))
    assert photos(api, sam) == [] and api.messages(sam.id)[-1].photo is None
    # "Change who gets it": the earlier Share button is old now.
    (who,) = await alex.press("Change who gets it")
    assert labels(who)[:2] == ["Dr Kim (clinician)", "✓ Sam (peer supporter)"]
    await alex.press_data(preview.message_id, encode(SendWeeks(version)))
    await alex.press_data(who.message_id, encode(SendWeeks(await _draft_version(app, alex))))
    assert photos(api, sam) == []
    # Someone else pressing the same buttons in their chat has no draft: nothing happens.
    await blair.send("/start")
    current = await _draft_version(app, alex)
    await blair.press_data(1, encode(WeeksPreview(current)))
    await blair.press_data(1, encode(SendWeeks(current)))
    assert photos(api, blair) == [] and photos(api, sam) == [] and photos(api, kim) == []
    # A text share's preview can't send through the picture's buttons either.
    await alex.send("/share")
    await alex.press(next(label for label in labels(alex.last()) if label.startswith("Note")))
    await alex.press("See what would be sent")
    await alex.press("Sam (peer supporter)")
    text_version = await _draft_version(app, alex)
    await alex.press_data(alex.last().message_id, encode(SendWeeks(text_version)))
    await alex.press_data(alex.last().message_id, encode(WeeksPreview(text_version)))
    assert photos(api, sam) == []
    assert not any("A note of mine" in m.body for m in api.messages(sam.id))
    # Cancel under the picture's people leaves nothing behind.
    await alex.send("/myweeks")
    await alex.press("Share this picture")
    sent = await alex.press("Cancel")
    assert sent[-1].body == "Okay, nothing was shared."
    assert (await services(app).db.share_draft(alex.id)).version == 0


async def test_a_big_team_is_chosen_from_page_by_page(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    team = []
    for number, (name, role) in enumerate(
        [
            ("Ana", "clinician"),
            ("Ben", "peer"),
            ("Cas", "clinician"),
            ("Dee", "peer"),
            ("Eli", "peer"),
        ]
    ):
        member = await make_staff(app, api, 500 + number, name, role)
        await join(member, alex)
        team.append(member)
    await alex.send("/myweeks")
    (who,) = await alex.press("Share this picture")
    assert labels(who) == [
        "Ana (clinician)",
        "Ben (peer supporter)",
        "Cas (clinician)",
        "More people ›",
        "See what they get",
        "Cancel",
    ]
    await alex.press("More people ›")
    assert labels(alex.last())[:2] == ["Dee (peer supporter)", "Eli (peer supporter)"]
    await alex.press("Eli (peer supporter)")
    assert labels(alex.last())[1] == "✓ Eli (peer supporter)"  # the same page, ticked
    await alex.press("‹ Back to the first people")
    await alex.press("Ana (clinician)")
    (preview,) = await alex.press("See what they get")
    assert labels(preview)[0] == "Share with Ana and Eli"
    await alex.press("Share with Ana and Eli")
    got = {member.name: len(photos(api, member)) for member in team}
    assert got == {"Ana": 1, "Ben": 0, "Cas": 0, "Dee": 0, "Eli": 1}


PICTURE_WORDS = {
    "nl": (
        "Dit beeld delen",
        "Van Alex, met je gedeeld op 2 maart 2026: het beeld van de laatste weken, met de "
        "woorden die Alex eronder ziet.\n\nJe laatste 4 weken, sinds 9 februari 2026.",
        "Delen met Dr Kim",
    ),
    "de": (
        "Dieses Bild teilen",
        "Von Alex, mit dir geteilt am 2. März 2026: das Bild der letzten Wochen, mit den "
        "Worten, die Alex darunter sieht.\n\nDeine letzten 4 Wochen, seit dem 9. Februar 2026.",
        "Mit Dr Kim teilen",
    ),
}


@pytest.mark.parametrize("language", sorted(PICTURE_WORDS))
async def test_the_picture_is_shared_in_the_clients_language(
    app: App, api: FakeBotAPI, language: str
) -> None:
    alex, kim = await speaking(app, api, language)
    button, caption, go = PICTURE_WORDS[language]
    photo = picture_of(await alex.send("/myweeks"))
    assert labels(photo)[-1] == button
    await alex.press(button)
    await alex.press(labels(alex.last())[0])  # Dr Kim
    (preview,) = await alex.press(labels(alex.last())[1])  # see what they get
    assert preview.caption is not None and preview.caption.startswith(caption)
    await alex.press(go)
    (delivered,) = photos(api, kim)
    assert delivered.caption == preview.caption
