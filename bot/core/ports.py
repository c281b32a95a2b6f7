"""What the core needs from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Protocol

from bot.core.model import (
    CheckinRecord,
    ClientSchedule,
    CrisisPlan,
    InviteKind,
    LinkedClient,
    Note,
    Relay,
    Role,
    Send,
    Share,
    ShareDraft,
    TeamMember,
    User,
)
from bot.core.views import Say
from bot.core.waits import WaitStore

PlannedRow = tuple[int, str, str, str, datetime, datetime]
"""A send to plan: user id, kind, slot, local date, due at, closes at."""


class Redemption(Enum):
    """How an attempt to use a staff invite code ended."""

    OK = "ok"
    INVALID = "invalid"  # unknown, used, or expired: the same answer for all three
    ALREADY_CLIENT = "already_client"


class TeamJoin(Enum):
    """How accepting a team invite ended."""

    OK = "ok"
    INVALID = "invalid"  # unknown, used, or expired
    WRONG_KIND = "wrong_kind"  # a client link opened by staff, a network link by staff...
    OWN_LINK = "own_link"
    ALREADY = "already"  # the two were linked already; the code is used up all the same


class People(Protocol):
    """Who people are, their notes and crisis plan, and erasing them."""

    async def close(self) -> None: ...
    async def get_user(self, user_id: int) -> User | None: ...
    async def add_client(
        self, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> User: ...
    async def set_reachable(self, user_id: int, reachable: bool, now: datetime) -> None: ...
    async def add_note(self, user_id: int, text: str, now: datetime) -> int: ...
    async def notes(self, user_id: int) -> list[Note]: ...
    async def crisis_plan(self, user_id: int) -> CrisisPlan | None: ...
    async def set_plan_part(
        self, user_id: int, part: str, text: str | None, now: datetime
    ) -> None: ...
    async def erase_user(self, user_id: int) -> None: ...
    async def purge_before(self, cutoff: datetime) -> int: ...
    async def awaiting_text(self, user_id: int) -> str | None: ...
    async def await_text(self, user_id: int, purpose: str | None, now: datetime) -> None: ...


class StaffAccounts(Protocol):
    """Staff accounts, which only the administrator creates."""

    async def add_staff_invite(
        self, code_hash: str, role: Role, name: str, now: datetime, expires_at: datetime
    ) -> None: ...
    async def redeem_staff_invite(
        self, code_hash: str, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Redemption, User | None]: ...
    async def staff_members(self) -> list[User]: ...
    async def pending_staff_invites(self, now: datetime) -> list[tuple[str, str, datetime]]: ...
    async def remove_staff(self, user_id: int) -> User | None: ...


class CheckinStore(Protocol):
    """Check-ins and their answers, kept as they are given."""

    async def start_checkin(self, user_id: int, dialog: str, now: datetime) -> CheckinRecord: ...
    async def checkin(self, checkin_id: int, user_id: int) -> CheckinRecord | None: ...
    async def open_checkin(self, user_id: int) -> CheckinRecord | None: ...
    async def set_checkin_message(self, checkin_id: int, message_id: int) -> None: ...
    async def set_capacity(self, checkin_id: int, capacity: str, *, first: bool) -> bool: ...
    async def add_answer(
        self,
        checkin_id: int,
        step_id: str,
        value: str,
        text: str | None,
        capacity: str,
        now: datetime,
    ) -> bool: ...
    async def finish_checkin(self, checkin_id: int, status: str, now: datetime) -> bool: ...
    async def recent_checkins(self, user_id: int, count: int) -> list[CheckinRecord]: ...
    async def set_pace(self, user_id: int, pace: str | None, now: datetime) -> None: ...
    async def pace_offered(self, user_id: int) -> bool: ...


class Sends(Protocol):
    """Each client's schedule and every planned send (the scheduler's truth)."""

    async def schedule(self, user_id: int) -> ClientSchedule | None: ...
    async def set_schedule(self, user_id: int, **fields: object) -> None: ...
    async def schedules(self, user_ids: Sequence[int]) -> dict[int, ClientSchedule]: ...
    async def plan_send(
        self,
        user_id: int,
        kind: str,
        slot: str,
        local_date: str,
        due_at: datetime,
        closes_at: datetime,
        payload: str | None = None,
    ) -> bool: ...
    async def plan_sends(self, rows: Sequence[PlannedRow]) -> int: ...
    async def cancel_planned(self, user_id: int, kind: str, reason: str) -> int: ...
    async def clients_to_plan(self, limit: int) -> list[int]: ...
    async def reset_in_flight(self) -> int: ...
    async def claim_due(self, now: datetime, limit: int) -> list[Send]: ...
    async def finish_send(
        self,
        send_id: int,
        status: str,
        now: datetime,
        *,
        reason: str | None = None,
        message_id: int | None = None,
        checkin_id: int | None = None,
    ) -> None: ...
    async def bring_forward(self, user_id: int, now: datetime) -> int: ...
    async def postpone(self, send_id: int, due_at: datetime) -> None: ...
    async def due_to_close(self, now: datetime, limit: int) -> list[Send]: ...
    async def sends(self, user_id: int) -> list[Send]: ...
    async def last_sent_at(self, user_id: int) -> datetime | None: ...


class TeamStore(Protocol):
    """Team invites, who is in whose team, and the next meeting."""

    async def add_team_invite(
        self, code_hash: str, inviter_id: int, kind: InviteKind, now: datetime, expires: datetime
    ) -> None: ...
    async def team_invite(
        self, code_hash: str, now: datetime
    ) -> tuple[User, InviteKind] | None: ...
    async def join_team(
        self, code_hash: str, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> tuple[TeamJoin, User | None]: ...
    async def decline_team_invite(self, code_hash: str, user_id: int, now: datetime) -> bool: ...
    async def team_of(self, client_id: int) -> list[TeamMember]: ...
    async def clients_of(self, member_id: int) -> list[LinkedClient]: ...
    async def team_role(self, client_id: int, member_id: int) -> Role | None: ...
    async def remove_from_team(self, client_id: int, member_id: int) -> bool: ...
    async def next_meeting(self, client_id: int) -> str | None: ...
    async def set_next_meeting(self, client_id: int, day: str | None) -> None: ...


class ShareStore(Protocol):
    """What clients share, with whom, and where it was shown."""

    async def share_draft(self, client_id: int) -> ShareDraft: ...
    async def save_share_draft(
        self, client_id: int, draft: ShareDraft, now: datetime
    ) -> ShareDraft: ...
    async def drop_share_draft(self, client_id: int) -> None: ...
    async def add_share(
        self,
        client_id: int,
        items: Sequence[str],
        body: str,
        recipients: Sequence[tuple[int, str, int]],
        now: datetime,
    ) -> int: ...
    async def set_delivery(
        self, share_id: int, chat_id: int, status: str, message_id: int | None = None
    ) -> None: ...
    async def shares(self, client_id: int, share_id: int | None = None) -> list[Share]: ...
    async def withdraw_share(
        self, share_id: int, client_id: int, now: datetime
    ) -> Share | None: ...
    async def shared_with(self, member_id: int, client_id: int) -> list[Share]: ...
    async def add_client_view(
        self, member_id: int, client_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None: ...
    async def client_views(
        self, client_id: int, member_ids: Sequence[int]
    ) -> list[tuple[int, int]]: ...
    async def drop_client_view(self, chat_id: int, message_id: int) -> None: ...


class MessageStore(Protocol):
    """Messages between a client and their team, and whose nudges a client declined."""

    async def add_relay(
        self,
        client_id: int,
        member_id: int,
        member_name: str,
        kind: str,
        body: str | None,
        now: datetime,
        due_at: datetime | None = None,
    ) -> int: ...
    async def relay(self, relay_id: int) -> Relay | None: ...
    async def update_relay(self, relay_id: int, **fields: object) -> bool: ...
    async def relays(self, client_id: int) -> list[Relay]: ...
    async def planned_relays(
        self, *, member_id: int | None = None, client_id: int | None = None
    ) -> list[Relay]: ...
    async def set_no_nudges(
        self, client_id: int, sender_id: int, stop: bool, now: datetime
    ) -> None: ...
    async def no_nudges(self, client_id: int) -> set[int]: ...


class Store(
    People,
    StaffAccounts,
    CheckinStore,
    Sends,
    TeamStore,
    ShareStore,
    MessageStore,
    WaitStore,
    Protocol,
):
    """Transitional: every port at once. Use cases take only the narrow ports they need."""


class Outbox(Protocol):
    """Messages to other people than the one who acted (a share to a team member, a notice).

    The adapter renders each ``Say`` in the recipient's language.
    """

    async def send(self, to: User, say: Say) -> int | None:
        """Send; the message's id, or None if it could not be delivered (blocked, gone)."""
        ...

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        """Replace an earlier message's text; False if that is no longer possible."""
        ...

    async def delete(self, chat_id: int, message_id: int) -> bool:
        """Take an earlier message back; False if that is no longer possible."""
        ...
