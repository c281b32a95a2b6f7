"""SECURITY.md and the clinical-safety hazard log stay true to the code: every test the log
names exists, every hazard has a status, every controlled hazard is proved by a test, and the
security page names every setting that decides where the data and the key are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HAZARD_LOG = ROOT / "docs" / "hazard-log.md"
SECURITY = ROOT / "SECURITY.md"
README = ROOT / "README.md"

STATUSES = ("controlled", "partly", "open")
FIELDS = ("Source", "Cause", "Effect", "Control", "Status", "Evidence")
#: A test named as evidence: ``tests/test_x.py::test_name``.
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
_HEADING = re.compile(r"^### (H-\d{2}) (.+)$")
_FIELD = re.compile(r"^- \*\*(\w+):\*\* ?(.*)$")


@dataclass(frozen=True)
class Hazard:
    """One hazard of the log: its id, its title and its fields (Cause, Status, Evidence, …)."""

    id: str
    title: str
    fields: dict[str, str]

    @property
    def status(self) -> str:
        return self.fields.get("Status", "").strip()

    @property
    def tests(self) -> list[tuple[str, str]]:
        return TEST_REF.findall(self.fields.get("Evidence", ""))


def hazards(text: str) -> list[Hazard]:
    """Each ``### H-nn`` section with its ``- **Field:** value`` lines; a value goes on over the
    lines indented below it."""
    found: list[Hazard] = []
    fields: dict[str, str] = {}
    field: str | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            fields, field = {}, None
            found.append(Hazard(heading[1], heading[2], fields))
            continue
        if line.startswith("## "):  # the end of the hazards
            field = None
            continue
        if not found:
            continue
        item = _FIELD.match(line)
        if item:
            field = item[1]
            fields[field] = item[2].strip()
        elif field is not None and line.startswith("  ") and line.strip():
            fields[field] += " " + line.strip()
        elif not line.strip():
            field = None
    return found


def summary(text: str) -> list[tuple[str, str]]:
    """(id, status) of each row of the summary table."""
    rows = re.findall(r"^\| (H-\d{2}) \| .+ \| (\w+) \|$", text, flags=re.MULTILINE)
    return [(hazard_id, status) for hazard_id, status in rows]


LOG = HAZARD_LOG.read_text(encoding="utf-8")
HAZARDS = hazards(LOG)


def test_the_log_has_hazards_numbered_in_order_with_every_field() -> None:
    assert len(HAZARDS) >= 30
    assert [h.id for h in HAZARDS] == [f"H-{n:02d}" for n in range(1, len(HAZARDS) + 1)]
    for hazard in HAZARDS:
        missing = [name for name in FIELDS if not hazard.fields.get(name)]
        assert not missing, f"{hazard.id} has no {', '.join(missing)}"


def test_every_test_named_in_the_log_exists() -> None:
    named = TEST_REF.findall(LOG)
    assert len(named) >= 50
    missing = []
    for path, name in sorted(set(named)):
        file = ROOT / path
        if not file.is_file() or f"def {name}(" not in file.read_text(encoding="utf-8"):
            missing.append(f"{path}::{name}")
    assert missing == [], "the hazard log names tests that do not exist"


@pytest.mark.parametrize("hazard", HAZARDS, ids=[h.id for h in HAZARDS])
def test_each_hazard_has_a_status_and_a_controlled_one_names_its_test(hazard: Hazard) -> None:
    assert hazard.status in STATUSES, f"{hazard.id}: status {hazard.status!r}"
    if hazard.status == "controlled":
        assert hazard.tests, f"{hazard.id} is controlled but names no test"
    if hazard.status == "open":
        # No control is built, so no test can prove one.
        assert hazard.fields["Evidence"].lower().startswith("none yet"), hazard.id


def test_the_summary_lists_each_hazard_once_with_its_status() -> None:
    assert summary(LOG) == [(h.id, h.status) for h in HAZARDS]


def _key_and_data_variables(readme: str) -> list[str]:
    """The variables of the README's Environment table that say where the data or the key is."""
    section = readme.split("### Environment", 1)[1].split("\n### ", 1)[0]
    names = re.findall(r"^\| `(BOT_\w+)` \|", section, flags=re.MULTILINE)
    return [name for name in names if "KEY" in name or "DATA" in name]


def test_security_names_every_setting_for_the_data_and_the_key() -> None:
    variables = _key_and_data_variables(README.read_text(encoding="utf-8"))
    assert {"BOT_KEY_FILE", "BOT_ENCRYPTION_KEY", "BOT_DATA_DIR"} <= set(variables)
    security = SECURITY.read_text(encoding="utf-8")
    assert [name for name in variables if f"`{name}`" not in security] == []


def test_security_says_how_to_report_a_vulnerability() -> None:
    security = SECURITY.read_text(encoding="utf-8")
    report = security.split("## How to report a vulnerability", 1)[1]
    assert "security@" in report
    assert "5 working days" in report
