"""Check-in dialogs: the repository's files, validation errors, the capacity engine, previews."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dialog_engine import estimate_seconds, may_ask_fewer, next_prompt, pending_need, plan
from bot.core.dialog_loader import DialogErrors, check_dialogs, load_dialogs
from bot.core.dialog_model import (
    LIMITS,
    SKIPPED,
    TEXT,
    UNSURE_IDS,
    Capacity,
    Dialog,
    FreeText,
    Need,
    Option,
    Prompt,
    dialog_for,
)
from bot.core.dialog_preview import cost_text, preview
from bot.core.i18n import Catalog

ROOT = Path(__file__).resolve().parent.parent
DIALOGS_DIR = ROOT / "dialogs"
BROKEN_DIR = Path(__file__).resolve().parent / "dialogs_broken"

ALL_DIALOGS = load_dialogs(DIALOGS_DIR)
DIALOGS = {name: d for name, d in ALL_DIALOGS.items() if not d.for_network}
"""The check-ins: the dialogs clients answer at a capacity they choose."""
CATALOG = Catalog.load()

EXPECTED = {
    "bad_language.yaml": "bad_language.yaml: language: 'English' should be a language code such "
    "as en or de",
    "bad_step_id.yaml": "bad_step_id.yaml: step #1: id: 'Mood' may only use small letters a-z, "
    "digits and _",
    "checkin.en.yaml": "checkin.en.yaml: id: dialog 'checkin' in language 'en' is already in "
    "checkin.yaml",
    "duplicate_option.yaml": "duplicate_option.yaml: step 'mood': options.hard.id: 'hard' is used "
    "twice in this step",
    "duplicate_step.yaml": "duplicate_step.yaml: step 'mood': id: 'mood' is used by an earlier "
    "step too",
    "empty_file.yaml": "empty_file.yaml: the file is empty; a dialog is a set of fields: id, "
    "language, title and steps",
    "empty_question.yaml": "empty_question.yaml: step 'mood': question: is empty",
    "field_twice.yaml": "field_twice.yaml: line 16: the field 'question' is written twice",
    "file_name.yaml": "file_name.yaml: id: 'other_name' does not match the file name; name the "
    "file other_name.yaml (or other_name.<language>.yaml)",
    "free_text_least.yaml": "free_text_least.yaml: step 'mood': at.least.free_text: optional is "
    "not allowed at the least capacity; use none",
    "free_text_middle.yaml": "free_text_middle.yaml: step 'mood': at.middle.free_text: invited is "
    "not allowed at the middle capacity; use none or optional",
    "label_no_letter.yaml": "label_no_letter.yaml: step 'mood': options.ok.label: '👍' has no "
    "letter; a button needs a word, not only an emoji or a sign",
    "label_too_long.yaml": "label_too_long.yaml: step 'mood': options.ok.label: 45 characters, "
    "at most 40 so it fits on a button",
    "missing_label.yaml": "missing_label.yaml: step 'mood': options.hard.label: missing",
    "missing_step_id.yaml": "missing_step_id.yaml: step #2: id: missing",
    "missing_title.yaml": "missing_title.yaml: title: missing",
    "most_not_more.yaml": "most_not_more.yaml: steps: the most capacity must offer more than the "
    "least (more questions, more options or room to type)",
    "need_say_least.yaml": "need_say_least.yaml: step 'mood': at.least.options: 'other' has "
    "need: say, which asks to type, and the least capacity never does; leave it out here or use "
    "need: agenda",
    "no_dont_know.yaml": "no_dont_know.yaml: step 'mood': at.least.options: no way to say \"I "
    "don't know\"; add an option with the id dont_know, not_sure or rather_not_say",
    "no_least_step.yaml": "no_least_step.yaml: steps: no step is asked at the least capacity",
    "not_a_mapping.yaml": "not_a_mapping.yaml: the file is a list; a dialog is a set of fields: "
    "id, language, title and steps",
    "not_asked_higher.yaml": "not_asked_higher.yaml: step 'mood': at.middle: not asked here but "
    "asked at least; a step asked with less energy must be asked with more too",
    "nothing_to_answer.yaml": "nothing_to_answer.yaml: step 'add': at.most: no options and no "
    "invitation to type: nothing to answer; give options or free_text: invited",
    "reserved_option.yaml": "reserved_option.yaml: step 'mood': options.skipped.id: 'skipped' is "
    "kept for the bot's own use; choose another id",
    "too_many_options_least.yaml": "too_many_options_least.yaml: step 'mood': at.least.options: "
    "4 options, at most 3 at the least capacity",
    "too_many_options_middle.yaml": "too_many_options_middle.yaml: step 'mood': "
    "at.middle.options: 5 options, at most 4 at the middle capacity",
    "too_many_steps_least.yaml": "too_many_steps_least.yaml: steps: 3 steps are asked at the "
    "least capacity (one, two, three), at most 2",
    "too_many_steps_middle.yaml": "too_many_steps_middle.yaml: steps: 5 steps are asked at the "
    "middle capacity (one, two, three, four, five), at most 4",
    "too_many_steps_most.yaml": "too_many_steps_most.yaml: steps: 7 steps are asked at the most "
    "capacity (one, two, three, four, five, six, seven), at most 6",
    "unknown_at_option.yaml": "unknown_at_option.yaml: step 'mood': at.least.options: 'fine' is "
    "not one of this step's options (ok, hard or dont_know)",
    "unknown_block.yaml": "unknown_block.yaml: step 'mood': block: 'conection' is not a building "
    "block; use self-determination, connection or collaboration",
    "unknown_capacity.yaml": "unknown_capacity.yaml: step 'mood': at.lowest: unknown field; did "
    "you mean 'least'?",
    "unknown_field.yaml": "unknown_field.yaml: step 'mood': qestion: unknown field; did you mean "
    "'question'?",
    "unknown_need.yaml": "unknown_need.yaml: step 'mood': options.hard.need: 'talk' is not a "
    "need; use contact, agenda, say or avoid",
    "when_both.yaml": "when_both.yaml: step 'second': when: give either is or is_not (one of "
    "them)",
    "when_later_step.yaml": "when_later_step.yaml: step 'first': when.step: 'second' comes later; "
    "a condition can only look at earlier steps",
    "when_own_step.yaml": "when_own_step.yaml: step 'second': when.step: a step cannot depend on "
    "its own answer",
    "when_unknown_option.yaml": "when_unknown_option.yaml: step 'second': when.is: 'familly' is "
    "not an option of step 'first'",
    "when_unknown_step.yaml": "when_unknown_step.yaml: step 'second': when.step: 'frist' is not a "
    "step of this dialog",
    "yaml_syntax.yaml": "yaml_syntax.yaml: line 8: not valid YAML (mapping values are not allowed "
    "here); check the spaces and colons here",
}
# Files checked together with a broken file, for errors that need two files.
COMPANIONS = {"checkin.en.yaml": [DIALOGS_DIR / "checkin.yaml"]}

ONE_STEP = """\
id: tiny
language: en
title: Tiny
steps:
  - id: mood
    block: self-determination
    question: How are things?
    options:
      - {id: ok, label: "Okay"}
      - {id: hard, label: "Hard"}
      - {id: dont_know, label: "I don't know"}
    at:
      least: {options: all}
      middle: {options: all}
      most: {options: all, free_text: invited}
"""


def _tiny(tmp_path: Path) -> Dialog:
    (tmp_path / "tiny.yaml").write_text(ONE_STEP, encoding="utf-8")
    return load_dialogs(tmp_path)["tiny"]


# --------------------------------------------------------------------------------------------
# The repository's dialogs


def test_repository_dialogs_are_valid() -> None:
    assert check_dialogs(DIALOGS_DIR) == []


def test_repository_has_the_three_dialogs_in_every_language() -> None:
    english = {name: d.id for name, d in ALL_DIALOGS.items() if d.language == "en"}
    assert english == {
        "checkin": "checkin",
        "meeting_prep": "meeting_prep",
        "after_meeting": "after_meeting",
        "reflection": "reflection",  # for someone close to a client
    }
    for language in {d.language for d in ALL_DIALOGS.values()}:
        assert sorted(d.id for d in ALL_DIALOGS.values() if d.language == language) == sorted(
            english.values()
        )


@pytest.mark.parametrize("name", ["reflection", "reflection.nl", "reflection.de"])
def test_the_questions_for_someone_close_are_answered_by_typing(name: str) -> None:
    dialog = ALL_DIALOGS[name]
    assert dialog.for_network and 2 <= len(dialog.steps) <= 3
    for step in dialog.steps:
        assert step.at[Capacity.MOST].free_text is FreeText.INVITED
        assert [option.id for option in step.options] == ["rather_not_say"]


def test_a_dialog_for_someone_close_must_invite_typing(tmp_path: Path) -> None:
    (tmp_path / "words.yaml").write_text(
        "id: words\nlanguage: en\ntitle: Words\nfor: someone_close\nsteps:\n"
        "  - id: one\n    block: connection\n    question: How is it?\n"
        "    options:\n      - {id: rather_not_say, label: Skip}\n"
        "    at:\n      most: {options: all}\n",
        encoding="utf-8",
    )
    assert check_dialogs(tmp_path) == [
        "words.yaml: steps.one: a dialog for someone close is answered by typing: give each "
        "step at: {most: {free_text: invited}}"
    ]


def test_yes_and_no_stay_words() -> None:
    heard = DIALOGS["after_meeting"].step("heard")
    assert Option("yes", "Yes") in heard.options
    assert Option("no", "No", Need.CONTACT) in heard.options


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_no_clinical_words(name: str) -> None:
    text = (DIALOGS_DIR / f"{name}.yaml").read_text(encoding="utf-8").lower()
    for word in ("symptom", "compliance", "adherence", "missed", "streak"):
        assert word not in text


# --------------------------------------------------------------------------------------------
# Validation


def test_every_broken_file_has_its_expected_error() -> None:
    assert sorted(path.name for path in BROKEN_DIR.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_broken_file_gives_its_exact_error(tmp_path: Path, name: str, expected: str) -> None:
    shutil.copy(BROKEN_DIR / name, tmp_path / name)
    for companion in COMPANIONS.get(name, []):
        shutil.copy(companion, tmp_path / companion.name)
    assert check_dialogs(tmp_path) == [expected]
    with pytest.raises(DialogErrors) as raised:
        load_dialogs(tmp_path)
    assert [str(error) for error in raised.value.errors] == [expected]
    assert str(raised.value) == expected


def test_all_broken_files_together_report_every_error() -> None:
    alone = [line for name, line in EXPECTED.items() if name not in COMPANIONS]
    assert sorted(check_dialogs(BROKEN_DIR)) == sorted(alone)


DEEP = "deep.yaml: not valid YAML (nested too deeply); a dialog needs only a few levels"


def test_a_deeply_nested_file_is_one_line_for_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    folder = tmp_path / "dialogs"
    folder.mkdir()
    _tiny(folder)
    (folder / "deep.yaml").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    assert check_dialogs(folder) == [DEEP]

    assert main(["dialogs", "--dir", str(folder), "check"]) == 1
    assert capsys.readouterr().err.splitlines() == [DEEP, f"1 problem in {folder}"]

    for name in ("BOT_CONFIG", "BOT_API_URL", "BOT_ENCRYPTION_KEY", "BOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DIALOGS_DIR", str(folder))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_KEY_FILE", str(tmp_path / "keys" / "between.key"))
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    assert main(["doctor"]) == 1
    assert f"FAIL  dialogs: {DEEP}; see: between dialogs check" in capsys.readouterr().out
    assert main(["run"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        DEEP,
        "between: fix the dialog files above (folder: BOT_DIALOGS_DIR), then start again",
    ]
    assert not (tmp_path / "data").exists()


def test_missing_folder(tmp_path: Path) -> None:
    assert check_dialogs(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such folder"]


def test_a_second_language_sits_next_to_the_first(tmp_path: Path) -> None:
    _tiny(tmp_path)
    german = ONE_STEP.replace("language: en", "language: de").replace("Okay", "Gut")
    (tmp_path / "tiny.de.yaml").write_text(german, encoding="utf-8")
    dialogs = load_dialogs(tmp_path)
    assert set(dialogs) == {"tiny", "tiny.de"}
    assert dialog_for(dialogs, "tiny", "de") is dialogs["tiny.de"]
    assert dialog_for(dialogs, "tiny", "fr") is dialogs["tiny"]
    assert dialog_for(dialogs, "other", "en") is None


def test_several_errors_in_one_file_are_all_reported(tmp_path: Path) -> None:
    text = ONE_STEP.replace("title: Tiny\n", "").replace("block: self-determination", "block: x")
    (tmp_path / "tiny.yaml").write_text(text, encoding="utf-8")
    assert check_dialogs(tmp_path) == [
        "tiny.yaml: title: missing",
        "tiny.yaml: step 'mood': block: 'x' is not a building block; use self-determination, "
        "connection or collaboration",
    ]


# --------------------------------------------------------------------------------------------
# The engine


def _choices(prompt: Prompt) -> list[str]:
    """Every answer a client can give to a prompt: each option, typed words, "Not now"."""
    choices = [option.id for option in prompt.options]
    if prompt.free_text != FreeText.NONE:
        choices.append(TEXT)
    return [*choices, SKIPPED]


def _walks(
    dialog: Dialog, capacity: Capacity, answers: Mapping[str, str] | None = None
) -> Iterator[list[Prompt]]:
    """Every way through the dialog at one capacity, as the list of prompts shown."""
    answers = dict(answers or {})
    prompt = next_prompt(dialog, capacity, answers)
    if prompt is None:
        yield []
        return
    for choice in _choices(prompt):
        for rest in _walks(dialog, capacity, {**answers, prompt.step_id: choice}):
            yield [prompt, *rest]


def _assert_within(prompt: Prompt, capacity: Capacity) -> None:
    limits = LIMITS[capacity]
    assert len(prompt.options) <= limits.options
    assert prompt.free_text in limits.free_text
    assert prompt.options or prompt.free_text == FreeText.INVITED
    assert 1 <= prompt.index <= prompt.total


@pytest.mark.parametrize("name", sorted(DIALOGS))
@pytest.mark.parametrize("capacity", list(Capacity))
def test_every_walk_obeys_the_capacity_limits(name: str, capacity: Capacity) -> None:
    dialog = DIALOGS[name]
    walks = 0
    for walk in _walks(dialog, capacity):
        walks += 1
        assert 1 <= len(walk) <= LIMITS[capacity].steps
        assert len({prompt.step_id for prompt in walk}) == len(walk)
        for number, prompt in enumerate(walk, start=1):
            _assert_within(prompt, capacity)
            assert prompt.index == number
        totals = [prompt.total for prompt in walk]
        assert totals == sorted(totals, reverse=True)  # the end never moves further away
        assert totals[0] == len(plan(dialog, capacity, {}))
    assert walks > 1


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_least_asks_no_free_text_and_most_offers_more(name: str) -> None:
    dialog = DIALOGS[name]
    for walk in _walks(dialog, Capacity.LEAST):
        assert all(prompt.free_text == FreeText.NONE for prompt in walk)
    assert len(plan(dialog, Capacity.MOST, {})) > len(plan(dialog, Capacity.LEAST, {}))
    assert estimate_seconds(dialog, Capacity.MOST) > estimate_seconds(dialog, Capacity.LEAST)
    least_options = max(len(p.options) for w in _walks(dialog, Capacity.LEAST) for p in w)
    most_options = max(len(p.options) for w in _walks(dialog, Capacity.MOST) for p in w)
    assert most_options > least_options


def test_conditions_count_as_possible_until_known() -> None:
    checkin = DIALOGS["checkin"]
    assert plan(checkin, Capacity.MIDDLE, {}) == ["mood", "contact", "what_helps", "wish"]
    assert plan(checkin, Capacity.MIDDLE, {"mood": "hard"}) == [
        "mood",
        "contact",
        "what_helps",
        "wish",
    ]
    for answer in ("okay", "dont_know", TEXT, SKIPPED):
        assert "what_helps" not in plan(checkin, Capacity.MIDDLE, {"mood": answer})
    prompt = next_prompt(checkin, Capacity.MIDDLE, {"mood": "okay", "contact": "team"})
    assert prompt is not None
    # The total is the most that may be asked, said up front, and it never changes on the way.
    assert (prompt.step_id, prompt.index, prompt.total) == ("wish", 3, 4)
    assert may_ask_fewer(checkin, Capacity.MIDDLE) and not may_ask_fewer(checkin, Capacity.LEAST)


def test_is_not_asks_when_the_earlier_step_was_skipped(tmp_path: Path) -> None:
    text = ONE_STEP + (
        "  - id: why\n"
        "    block: connection\n"
        "    question: Want to say more?\n"
        "    options:\n"
        "      - {id: rather_not_say, label: Rather not say}\n"
        "    when: {step: mood, is_not: [ok]}\n"
        "    at:\n"
        "      most: {free_text: invited}\n"
    )
    (tmp_path / "tiny.yaml").write_text(text, encoding="utf-8")
    dialog = load_dialogs(tmp_path)["tiny"]
    assert plan(dialog, Capacity.MOST, {"mood": "ok"}) == ["mood"]
    assert plan(dialog, Capacity.MOST, {"mood": SKIPPED}) == ["mood", "why"]
    prompt = next_prompt(dialog, Capacity.MOST, {"mood": "hard"})
    rather_not = (Option("rather_not_say", "Rather not say"),)
    assert prompt == Prompt("why", "Want to say more?", rather_not, "invited", 2, 2)


def test_every_question_offers_i_dont_know_at_every_level() -> None:
    for dialog in DIALOGS.values():
        for step in dialog.steps:
            for capacity, variant in step.at.items():
                ids = {option.id for option in variant.options}
                assert ids & set(UNSURE_IDS), (dialog.id, step.id, capacity)


def test_answers_that_name_a_need_are_marked() -> None:
    def need(dialog: str, step: str, option: str) -> Need | None:
        return next(o.need for o in DIALOGS[dialog].step(step).options if o.id == option)

    assert need("checkin", "what_helps", "talking") is Need.CONTACT
    assert need("checkin", "wish", "decide") is Need.AGENDA
    assert need("checkin", "wish", "say") is Need.SAY
    assert need("after_meeting", "heard", "no") is Need.CONTACT
    assert need("checkin", "mood", "okay") is None


def test_the_human_step_comes_before_the_next_question() -> None:
    checkin = DIALOGS["checkin"]
    answers = {"mood": "hard", "contact": "close_people", "what_helps": "talking"}
    need = pending_need(checkin, answers)
    assert need is not None and (need.step_id, need.need) == ("what_helps", Need.CONTACT)
    assert need.answer_id == "what_helps.talking"
    assert pending_need(checkin, {**answers, need.answer_id: SKIPPED}) is None
    prompt = next_prompt(checkin, Capacity.MIDDLE, {**answers, need.answer_id: SKIPPED})
    assert prompt is not None and (prompt.step_id, prompt.index, prompt.total) == ("wish", 4, 4)
    assert pending_need(checkin, {"mood": "hard"}) is None
    # What was done with it reads as the answer it followed; other ids are no steps.
    assert checkin.step("wish.say").question == "Something to say"
    for unknown in ("wish.nothing", "nowhere.say", "wish."):
        with pytest.raises(KeyError):
            checkin.step(unknown)


def test_the_total_stays_the_one_of_the_capacity_it_started_at() -> None:
    checkin = DIALOGS["checkin"]
    answers = {"mood": "hard", "contact": SKIPPED}
    prompt = next_prompt(checkin, Capacity.MIDDLE, answers, started=Capacity.MOST)
    assert prompt is not None and (prompt.step_id, prompt.index, prompt.total) == (
        "what_helps",
        3,
        4,
    )


def test_answers_of_other_dialogs_are_ignored() -> None:
    prompt = next_prompt(DIALOGS["checkin"], Capacity.LEAST, {"heard": "yes"})
    assert prompt is not None
    assert (prompt.step_id, prompt.index, prompt.total) == ("mood", 1, 2)


def test_finished_when_every_planned_step_is_answered() -> None:
    checkin = DIALOGS["checkin"]
    assert next_prompt(checkin, Capacity.LEAST, {"mood": SKIPPED, "contact": SKIPPED}) is None


def test_capacity_order_and_lower() -> None:
    assert list(Capacity) == [Capacity.LEAST, Capacity.MIDDLE, Capacity.MOST]
    assert Capacity.MOST.below() is Capacity.MIDDLE
    assert Capacity.MIDDLE.below() is Capacity.LEAST
    assert Capacity.LEAST.below() is None
    assert Capacity("most") == "most"


@pytest.mark.parametrize("name", sorted(DIALOGS))
@pytest.mark.parametrize("start", [Capacity.MIDDLE, Capacity.MOST])
def test_dropping_capacity_midway(name: str, start: Capacity) -> None:
    dialog = DIALOGS[name]
    for walk in _walks(dialog, start):
        for asked in range(len(walk)):
            answers = {p.step_id: (p.options[0].id if p.options else TEXT) for p in walk[:asked]}
            before = next_prompt(dialog, start, answers)
            assert before is not None
            lower = start.below()
            while lower is not None:
                after = list(_walks(dialog, lower, answers))
                for rest in after:
                    assert len(rest) <= LIMITS[lower].steps
                    assert not {p.step_id for p in rest} & answers.keys()  # never re-asked
                    for number, prompt in enumerate(rest, start=asked + 1):
                        _assert_within(prompt, lower)
                        assert prompt.index == number  # progress carries on
                        assert prompt.total <= before.total  # dropping never adds questions
                lower = lower.below()


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_answers_and_drops_stay_within_limits(data: st.DataObject) -> None:
    dialog = DIALOGS[data.draw(st.sampled_from(sorted(DIALOGS)))]
    capacity = data.draw(st.sampled_from(list(Capacity)))
    answers: dict[str, str] = {}
    asked_since_drop = 0
    for _ in range(len(dialog.steps) + len(Capacity)):  # every step, every drop, the end
        prompt = next_prompt(dialog, capacity, answers)
        if prompt is None:
            break
        lower = capacity.below()
        if lower is not None and data.draw(st.booleans()):
            capacity, asked_since_drop = lower, 0
            continue
        _assert_within(prompt, capacity)
        assert prompt.step_id not in answers
        assert prompt.index == len(answers) + 1
        asked_since_drop += 1
        assert asked_since_drop <= LIMITS[capacity].steps
        answers[prompt.step_id] = data.draw(st.sampled_from(_choices(prompt)))
    else:
        raise AssertionError("the check-in did not finish")
    assert next_prompt(dialog, capacity, answers) is None


# --------------------------------------------------------------------------------------------
# Cost and preview


def test_cost_lines(tmp_path: Path) -> None:
    tiny = _tiny(tmp_path)
    assert cost_text(tiny, Capacity.LEAST, CATALOG, "en") == "1 question, about 10 seconds."
    assert cost_text(tiny, Capacity.MOST, CATALOG, "en") == "1 question, about 30 seconds."
    checkin = DIALOGS["checkin"]
    assert cost_text(checkin, Capacity.LEAST, CATALOG, "en") == "2 questions, about 20 seconds."
    assert cost_text(checkin, Capacity.MIDDLE, CATALOG, "en") == (
        "Up to 4 questions, about 50 seconds."  # "what helps" only after "Hard"
    )
    after = DIALOGS["after_meeting"]
    assert estimate_seconds(after, Capacity.MOST) == 100
    assert cost_text(after, Capacity.MOST, CATALOG, "en") == "Up to 5 questions, about 2 minutes."


def test_preview_at_least() -> None:
    text = preview(DIALOGS["checkin"], Capacity.LEAST, CATALOG)
    lines = text.splitlines()
    assert "2 questions, about 20 seconds." in text
    assert lines.index("    [1] Very little") + 2 == lines.index("    [3] Plenty")
    assert lines[lines.index("    [3] Plenty") + 1] == "    [4] Not now"
    first = lines.index("Between: 1 of 2")
    assert lines[first + 1 : first + 6] == [
        "         How are things for you right now?",
        "    [1] Okay",
        "    [2] Hard",
        "    [3] I don't know",
        "    [4] Not now",
    ]
    assert "You: Okay" in lines
    assert "Between: 2 of 2" in lines
    assert "This is too much" not in text
    assert "type" not in text.lower()
    assert "Between: Saved. Only you can see this until you choose to share it." in lines
    # "Nobody" names a need to talk, at every capacity.
    assert lines[-1].startswith('• "Nobody" (Who have you felt most in touch with lately?)')


def test_preview_shows_changing_the_last_answer_and_the_human_steps(tmp_path: Path) -> None:
    text = preview(DIALOGS["checkin"], Capacity.MIDDLE, CATALOG)
    lines = text.splitlines()
    first = lines.index("Between: 1 of 4")
    # The answered question keeps one button to change it; the next question carries none.
    assert lines[lines.index("You: Okay") + 1] == (
        "    (that question now shows one button: [Change this answer])"
    )
    assert "Change this answer" not in "\n".join(lines[first : lines.index("You: Okay")])
    assert lines[first + 7] == "    [5] Not now"
    assert lines[first + 8] == (
        '    ("Not now" shows, in the question\'s place: Stop for now / This is too much / '
        "Back to the question)"
    )
    assert "You: Nothing right now" in lines  # the first answer names no need
    assert (
        '• "Talking to someone" (That sounds hard. What might help a little today?): ask someone '
        "of their team to get in touch"
    ) in lines
    # A first answer that names a need: the preview shows its human step, then goes on.
    needy = ONE_STEP.replace('label: "Okay"}', 'label: "Okay", need: agenda}')
    (tmp_path / "tiny.yaml").write_text(needy, encoding="utf-8")
    text = preview(load_dialogs(tmp_path)["tiny"], Capacity.LEAST, CATALOG)
    step = text.index("Between: Shall I put this on the agenda for your next meeting?")
    assert text[step:].splitlines()[1:4] == [
        "    [1] Put it on the agenda",
        "    [2] Go on",
        "You: Go on",
    ]


def test_preview_at_most_offers_typing_and_dropping() -> None:
    text = preview(DIALOGS["after_meeting"], Capacity.MOST, CATALOG)
    assert "Up to 5 questions, about 2 minutes." in text
    assert "1 of 5" in text
    assert "You can also type a few words if you like." in text
    assert (
        "    [5] Not now\n"
        '    ("Not now" shows, in the question\'s place: Stop for now / This is too much'
    ) in text
    assert "You can type a few words, or choose a button." in text  # typing stays possible
    assert "    [1] No, nothing more" in text  # and so does a button


@pytest.mark.parametrize("name", sorted(DIALOGS))
@pytest.mark.parametrize("capacity", list(Capacity))
def test_preview_every_dialog(name: str, capacity: Capacity) -> None:
    text = preview(DIALOGS[name], capacity, CATALOG)
    level = CATALOG.get("en", capacity.label_key)  # "Very little": the words a person sees
    assert text.startswith(f'Preview of "{DIALOGS[name].title}" ({name}.yaml) at the {level}')
    assert cost_text(DIALOGS[name], capacity, CATALOG, "en") in text
    assert f"1 of {len(plan(DIALOGS[name], capacity, {}))}" in text


def test_the_core_imports_no_framework() -> None:
    code = (
        "import sys, bot.core.dialog_loader, bot.core.checkin_views\n"
        "bad = {'telegram', 'aiosqlite', 'apscheduler'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
