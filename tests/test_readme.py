"""The README's sandbox walk-through is what the sandbox prints: each documented example runs
again here, in-process, on the fixed clock of the README (``bot.sandbox.README_START``).

When this fails the README is stale: ``python -m bot.sandbox --update-readme README.md`` runs the
examples again and rewrites their output (read the diff before committing it).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.i18n import Catalog
from bot.sandbox import (
    Example,
    mask_codes,
    normalise,
    printf_input,
    readme_diff,
    readme_examples,
    readme_settings,
    run_sandbox,
    transcript,
    with_outputs,
)

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def test_the_walk_through_has_the_four_rounds() -> None:
    scripts = [example.script for example in EXAMPLES]
    assert len(scripts) >= 4
    assert any(s.startswith("/start\n") and "can't go on" in s for s in scripts)  # Alex
    assert any(":as clinician\n/invite\n" in s for s in scripts)  # Dr Kim
    assert any("/nudge" in s for s in scripts)  # Sam
    assert any(":as friend\n" in s and ":open" in s for s in scripts)  # Jo


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"example{n}" for n in range(1, len(EXAMPLES) + 1)]
)
async def test_the_readme_shows_what_the_sandbox_prints(
    example: Example, catalog: Catalog
) -> None:
    produced = await transcript(readme_settings(catalog), catalog, example.script)
    diff = readme_diff(example, produced)
    assert not diff, (
        f"README.md is stale for\n  {example.command}\n"
        "Run: python -m bot.sandbox --update-readme README.md\n" + diff
    )


def test_printf_input_is_what_the_shell_would_pipe() -> None:
    command = r"$ printf '/start\nI can'\''t go on\n100%%\n' | between sandbox"
    assert printf_input(command) == "/start\nI can't go on\n100%\n"
    with pytest.raises(ValueError, match="printf escape"):
        printf_input(r"$ printf 'a\x41' | between sandbox")


def test_invite_codes_show_only_their_kind() -> None:
    text = "https://t.me/between_bot?start=c_rk39-wLcZ_Ly3tID1wKYBKgqlx1Zjrdm\n?start=n_a_b"
    assert mask_codes(text) == "https://t.me/between_bot?start=c_…\n?start=n_…"


def test_update_replaces_only_the_output_of_stale_examples() -> None:
    readme = "\n".join(
        [
            "# Title",
            "## A sandbox walk-through",
            "Text stays.",
            "```text",
            r"$ printf '/help\n' | between sandbox",
            "Alex › /help",
            "old line   ",
            "```",
            "```text",
            r"$ printf '/start\n' | between sandbox",
            "Alex › /start",
            "```",
            "## Next",
            "```text",
            r"$ printf 'not an example\n' | between sandbox",
            "```",
        ]
    )
    examples = readme_examples(readme)
    assert [e.script for e in examples] == ["/help\n", "/start\n"]
    assert readme_diff(examples[1], "Alex › /start") == ""
    updated, stale = with_outputs(
        readme,
        {examples[0].command: "Alex › /help\nnew line", examples[1].command: "Alex › /start"},
    )
    assert stale == [examples[0].command]
    assert updated == readme.replace("old line   ", "new line") + "\n"


@pytest.mark.parametrize(
    "today",
    [
        datetime(2026, 12, 8, 10, 0, tzinfo=UTC),  # a Tuesday: no check-in day
        datetime(2027, 3, 28, 22, 30, tzinfo=UTC),  # a Sunday night, the day summer time began
    ],
    ids=["tuesday", "sunday-night"],
)
async def test_walk_through_one_prints_the_same_whatever_day_it_is_run(
    today: datetime, catalog: Catalog
) -> None:
    """``printf '…' | between sandbox`` as the README shows it, with the computer's clock at
    ``today``: the sandbox says where its own clock starts, and prints what the README's block
    was made from (``transcript``, on README_START; the test above holds the README to it)."""
    (alex,) = [e for e in EXAMPLES if e.script.startswith("/start\n") and "go on" in e.script]
    settings = readme_settings(catalog)
    out = io.StringIO()
    status = await run_sandbox(
        settings, catalog, io.StringIO(alex.script), out, env={}, real_now=lambda: today
    )
    assert status == 0
    greeting, _, rest = out.getvalue().partition("\n\n")
    assert "The sandbox's clock starts at Thursday, 26 November 2026, 09:00, London time" in (
        greeting
    )
    *lines, closed = rest.rstrip("\n").splitlines()
    assert closed == "(Sandbox closed. Its temporary database is gone.)"
    printed = normalise(mask_codes("\n".join(lines)))
    assert "Between › [Thu 18:00] A short check-in" in printed  # the evening check-in comes
    assert printed == await transcript(settings, catalog, alex.script)
