"""A network meeting in words: its day with the weekday, its time and its place, as every
message about it says them ("Thursday, 10 December 2026 at 14:00 (Maple Centre)")."""

from __future__ import annotations

from bot.core.model import Meeting, Relay
from bot.core.views import Text, t


def meeting_words(meeting: Meeting) -> Text:
    """The meeting as one value for a text's ``{date}``: the weekday and the day, then the
    time and the place when they are known (the place in the words it was typed in)."""
    weekday = t(f"meeting_date.weekday_{meeting.day.weekday()}")
    when = t("meeting_when.day", weekday=weekday, date=meeting.day)
    if meeting.at is not None:
        when = t("meeting_when.at", day=when, time=meeting.at)
    if meeting.place:
        when = t("meeting_when.place", when=when, place=Text.plain(meeting.place))
    return when


def proposed(relay: Relay) -> Meeting | None:
    """The meeting a proposal names (its day, and its time and place if given)."""
    return Meeting.decode(relay.body)
