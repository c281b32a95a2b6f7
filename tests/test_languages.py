"""People read the bot in their own language: from Telegram at first contact, or chosen with
/language; the crisis card and the words of crisis of their country; command menus per language;
a service that offers a language gives it a crisis card."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import ConfigError, parse_service_config
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI
from tests.conftest import Person, link_code, make_staff, services

EXAMPLE = Path(__file__).resolve().parent.parent / "bot" / "service.example.toml"


def dutch(app: App, api: FakeBotAPI, user_id: int = 301, name: str = "Daan") -> Person:
    person = Person(app, api, user_id, name)
    api.add_user(user_id, first_name=name, language_code="nl")
    return person


def labels(person: Person) -> list[str]:
    return [label for label, _ in person.last().buttons()]


async def test_a_dutch_telegram_gets_dutch_from_the_first_word(app: App, api: FakeBotAPI) -> None:
    daan = dutch(app, api)
    sent = await daan.send("/start")
    english = Catalog.load().texts["en"]
    for message in sent:
        for text in (message.body, *(label for label, _ in message.buttons())):
            assert text not in {v for v in english.values() if isinstance(v, str)}, text
    user = await services(app).db.get_user(daan.id)
    assert user is not None and user.language == "nl"


async def test_a_client_chooses_their_language_and_the_menu_follows(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/language")
    assert labels(alex) == ["English", "Deutsch", "Nederlands"]
    sent = await alex.press("Nederlands")
    assert sent == [] or sent[-1].body != "Okay. I'll write in English from now on."
    assert alex.last().body == Catalog.load().get("nl", "language.saved")
    user = await services(app).db.get_user(alex.id)
    assert user is not None and user.language == "nl"
    menu = {c["command"]: c["description"] for c in api.commands[("chat", alex.id, "")]}
    assert menu["checkin"] == Catalog.load().get("nl", "commands.checkin")
    # Every later word is Dutch: the crisis card too.
    card = await alex.send("/helpnow")
    assert card[0].body.startswith(Catalog.load().get("nl", "helpnow.title"))
    assert "113 Zelfmoordpreventie" in card[0].body and "112" in card[0].body
    assert "Samaritans" not in card[0].body


async def test_language_is_in_settings_where_a_client_looks_for_it(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    """/settings names "Language" with a globe (found without reading English); the choices
    stand in the settings message's place, with "Back", and the menu follows the choice."""
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/settings")
    assert "🌐 Language" in labels(alex)
    await alex.press("🌐 Language")
    assert alex.last().body == "Which language should I write in?"
    assert labels(alex) == ["English", "Deutsch", "Nederlands", "Back"]
    await alex.press("Back")
    assert "🌐 Language" in labels(alex)  # the settings again, nothing changed
    user = await services(app).db.get_user(alex.id)
    assert user is not None and user.language == "en"
    await alex.press("🌐 Language")
    await alex.press("Deutsch")
    nl = Catalog.load()
    assert alex.last().body == nl.get("de", "language.saved")
    menu = {c["command"]: c["description"] for c in api.commands[("chat", alex.id, "")]}
    assert menu["settings"] == nl.get("de", "commands.settings")
    await alex.send("/settings")
    assert "🌐 Sprache" in labels(alex)
    # Stopping check-ins is under "How often", in German too.
    await alex.press(nl.get("de", "schedule.often"))
    assert alex.last().body.endswith(nl.get("de", "schedule.pick_often_or_stop"))
    await alex.press(nl.get("de", "schedule.turn_off"))
    assert alex.last().body == nl.get("de", "schedule.not_scheduled")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.agreed_on is None


async def test_command_menus_are_set_in_every_offered_language(app: App, api: FakeBotAPI) -> None:
    catalog = Catalog.load()
    for language in ("nl", "de"):
        menu = api.commands[("all_private_chats", None, language)]
        described = {c["command"]: c["description"] for c in menu}
        assert described["helpnow"] == catalog.get(language, "commands.helpnow")
        assert described["helpnow"] != catalog.get("en", "commands.helpnow")


@pytest.mark.parametrize(
    ("language", "words", "contact"),
    [
        ("nl", "ik wil dood", "113 Zelfmoordpreventie"),
        ("de", "Ich kann nicht mehr", "TelefonSeelsorge"),
    ],
)
async def test_words_of_crisis_in_dutch_and_german_bring_that_countrys_card(
    app: App, api: FakeBotAPI, language: str, words: str, contact: str
) -> None:
    person = Person(app, api, 401, "Kim")
    api.add_user(401, first_name="Kim", language_code=language)
    await person.send("/start")
    sent = await person.send(words)
    assert contact in sent[0].body and "112" in sent[0].body
    assert "Samaritans" not in sent[0].body


async def test_dutch_words_of_crisis_are_caught_from_an_english_reader_too(
    alex: Person,
) -> None:
    await alex.send("/start")
    sent = await alex.send("ik wil er niet meer zijn")
    assert "116 123" in sent[0].body  # the card in the reader's language and country


def _example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_an_offered_language_without_a_crisis_card_is_refused(catalog: Catalog) -> None:
    raw = _example()
    del raw["crisis"]["de"]
    with pytest.raises(ConfigError) as refused:
        parse_service_config(raw, "service.toml", catalog)
    assert str(refused.value).startswith(
        "service.toml: crisis.de: missing; every language people may choose (en, de, nl) "
        "needs its own crisis card"
    )


def test_a_service_can_offer_fewer_languages(catalog: Catalog) -> None:
    raw = _example()
    del raw["crisis"]["de"], raw["crisis"]["nl"]
    raw["defaults"]["languages"] = ["en"]
    service = parse_service_config(raw, "service.toml", catalog)
    assert service.defaults.languages == ["en"]
    assert catalog.offering(("en",)).language_for("nl-NL") == "en"
    assert catalog.language_for("nl-NL") == "nl"


async def test_a_dutch_clients_words_reach_an_english_clinician_as_written(
    app: App, api: FakeBotAPI
) -> None:
    catalog = Catalog.load()
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    daan = dutch(app, api)
    code = link_code(await kim.send("/invite"))
    await daan.send(f"/start {code}")
    await daan.press(catalog.get("nl", "invite.accept", name="Dr Kim"))
    await daan.send("Ik slaap slecht deze week")
    await daan.send("/share")
    await daan.press(next(label for label in labels(daan) if "slaap" in label))
    preview = await daan.press(catalog.get("nl", "share.preview"))
    said = catalog.get("nl", "share.other_languages")  # said before Share, in Dutch
    assert any(said in m.body for m in api.messages(daan.id))
    assert preview[-1].body.startswith("Van Daan, met je gedeeld op")  # what Daan reads
    await daan.press(labels(daan)[0])  # Dr Kim, the one person in the team
    await daan.press(catalog.get("nl", "share.go_one", name="Dr Kim"))
    got = api.messages(kim.id)[-1].body
    # The frame in Dr Kim's language, Daan's own words never translated.
    assert got.startswith("From Daan, shared with you on 2 March 2026:")
    assert got.endswith("Ik slaap slecht deze week")
    assert "Van Daan" not in got
    (listed,) = [m for m in await kim.send("/clients") if "Daan" in m.body][-1:]
    await kim.press(next(label for label, _ in listed.buttons() if "Daan" in label))
    assert "Ik slaap slecht deze week" in kim.last().body
    assert "Van Daan" not in kim.last().body  # /clients shows it as Dr Kim got it
