"""The path to help that is always there: the crisis card and the risk-phrase safety net."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.i18n import Catalog
from bot.core.lengths import MAX_TEXT, split_text
from bot.core.model import CrisisPlan


@dataclass(frozen=True)
class Contact:
    """A person or line to call, as the service configured it."""

    name: str
    phone: str
    note: str = ""


def crisis_card(
    catalog: Catalog,
    language: str,
    emergency_number: str,
    contacts: Sequence[Contact],
    plan: CrisisPlan | None,
    *,
    with_plan: bool = True,
    carers: Sequence[Contact] = (),
) -> list[str]:
    """The crisis card as messages: the service's contacts first, then the client's own plan.

    However long the plan, every message fits; ``with_plan=False`` (staff, someone close) leaves
    the plan section out. ``carers``: lines meant for someone close to a client, after the
    emergency number, on their card only.
    """
    lines = [catalog.get(language, "helpnow.title"), "", catalog.get(language, "helpnow.intro")]
    lines += _contact_lines(catalog, language, contacts)
    lines += ["", catalog.get(language, "helpnow.emergency", number=emergency_number)]
    if carers:
        lines += ["", catalog.get(language, "helpnow.carers_title")]
        lines += _contact_lines(catalog, language, carers)
    if with_plan:
        lines += ["", catalog.get(language, "helpnow.plan_title")]
        if plan is None or plan.empty:
            lines.append(catalog.get(language, "helpnow.plan_none"))
        else:
            for part in ("contacts", "helps", "avoid"):
                text = getattr(plan, part)
                if text:
                    lines.append(catalog.get(language, f"helpnow.plan_{part}", text=text))
    return split_text("\n".join(lines), MAX_TEXT)


def _contact_lines(catalog: Catalog, language: str, contacts: Sequence[Contact]) -> list[str]:
    lines = []
    for contact in contacts:
        key = "helpnow.contact_note" if contact.note else "helpnow.contact"
        lines.append(
            catalog.get(language, key, name=contact.name, phone=contact.phone, note=contact.note)
        )
    return lines


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    # "can't", "can’t" and "cant" are the same words to someone typing on a bad day.
    text = re.sub(r"['\u2019`´]", "", text)
    return re.sub(r"\s+", " ", text)


class RiskPhrases:
    """Finds configured high-risk phrases in what someone wrote: a safety net, not the path."""

    def __init__(self, phrases: Iterable[str]) -> None:
        words = sorted(
            {_normalise(p).strip() for p in phrases if p.strip()}, key=len, reverse=True
        )
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
            if words
            else None
        )

    def found_in(self, text: str) -> bool:
        """Whether ``text`` contains one of the phrases as whole words, ignoring case."""
        return bool(self._pattern and self._pattern.search(_normalise(text)))
