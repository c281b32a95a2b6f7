"""What the service configured, as plain core values (the core never reads configuration files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.safety import Contact, RiskPhrases
from bot.core.waits import DEFAULT_WAIT


@dataclass(frozen=True)
class CrisisCard:
    """The contacts shown by the crisis card in one language."""

    emergency_number: str
    contacts: tuple[Contact, ...] = ()
    carers: tuple[Contact, ...] = ()  # for someone close to a client: lines meant for carers


@dataclass(frozen=True)
class Policy:
    """The service's choices that rules depend on."""

    organisation: str
    default_language: str
    crisis: Mapping[str, CrisisCard]
    risk_phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    invite_valid: timedelta = timedelta(hours=24)
    retention: timedelta = timedelta(days=365)
    answer_wait: timedelta = DEFAULT_WAIT
    clinicians_nudge: bool = False
    locale: str = "en_GB"  # how dates people type are read: "8/12" is 8 December in en_GB

    def crisis_card(self, language: str) -> CrisisCard:
        """The card in ``language``, or the default language's (which is always configured)."""
        return self.crisis.get(language) or self.crisis[self.default_language]

    def risk(self) -> dict[str, RiskPhrases]:
        """One matcher per configured language."""
        return {lang: RiskPhrases(words) for lang, words in self.risk_phrases.items()}
