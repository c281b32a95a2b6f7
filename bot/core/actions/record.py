"""Buttons of the record for a meeting: a PDF of the client's own words, offered under the
first message of /mydata."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.actions import Action


class Period(StrEnum):
    """The time a record covers, counted back from the day it is made."""

    WEEKS_4 = "4w"
    WEEKS_12 = "12w"
    EVERYTHING = "all"


@dataclass(frozen=True)
class AskRecord(Action, tag="rec"):
    """ "A record for a meeting (PDF)": which time should it cover?"""


@dataclass(frozen=True)
class MakeRecord(Action, tag="recm"):
    """Make the record of ``period`` and send it as a PDF."""

    period: Period


@dataclass(frozen=True)
class RecordBack(Action, tag="recb"):
    """Back from the question to the list of what is kept."""


@dataclass(frozen=True)
class RecordForMeeting(Action, tag="recr"):
    """Under the reminder on a meeting's day: the record of the last four weeks, as a PDF; the
    reminder stays as it is."""
