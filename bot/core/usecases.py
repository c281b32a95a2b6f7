"""What people can do, independent of Telegram: each function is one use case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.core.i18n import Catalog
from bot.core.model import (
    STAFF_CODE_PREFIX,
    CrisisPlan,
    Meeting,
    Role,
    User,
    hash_code,
    new_invite_code,
)
from bot.core.planning import Planner
from bot.core.policy import Policy
from bot.core.ports import (
    CheckinStore,
    MessageStore,
    People,
    Redemption,
    Sends,
    ShareStore,
    StaffAccounts,
    TeamStore,
)
from bot.core.safety import RiskPhrases, crisis_card
from bot.core.team import create_team_invite

__all__ = ["Redemption", "create_team_invite"]


def crisis_texts(
    policy: Policy,
    catalog: Catalog,
    language: str,
    plan: CrisisPlan | None,
    *,
    with_plan: bool = True,
    carer: bool = False,
) -> list[str]:
    """The crisis card in ``language`` as messages that fit, falling back to the default
    language's contacts; the plan section only for clients (``with_plan``); the lines meant
    for carers only for someone close to a client (``carer``)."""
    card = policy.crisis_card(language)
    return crisis_card(
        catalog,
        language,
        card.emergency_number,
        card.contacts,
        plan,
        with_plan=with_plan,
        carers=card.carers if carer else (),
    )


def needs_crisis_offer(risk: Mapping[str, RiskPhrases], language: str, text: str) -> bool:
    """Whether a reply to ``text`` should offer the crisis card (any language's list counts)."""
    return any(matcher.found_in(text) for matcher in risk.values())


async def create_staff_invite(
    store: StaffAccounts, role: Role, name: str, now: datetime, valid: timedelta
) -> str:
    """A new one-time staff code; only its hash is stored."""
    if not role.is_staff:
        raise ValueError("staff invites are for clinicians and peer supporters")
    code = new_invite_code(STAFF_CODE_PREFIX)
    await store.add_staff_invite(hash_code(code), role, name, now, now + valid)
    return code


async def redeem_staff_code(
    store: StaffAccounts, code: str, user_id: int, chat_id: int, language: str, now: datetime
) -> tuple[Redemption, User | None]:
    """Use a staff code; any code that is not a valid, unused, unexpired staff code is refused."""
    if not code.startswith(STAFF_CODE_PREFIX) or len(code) > 64:
        return Redemption.INVALID, None
    return await store.redeem_staff_invite(hash_code(code), user_id, chat_id, language, now)


async def remove_staff(
    staff: StaffAccounts, team: TeamStore, planner: Planner, user_id: int, now: datetime
) -> tuple[User | None, int]:
    """Close a staff account; each client whose team they were in is told. Returns the
    removed account (None if there was no such staff account) and how many clients are told."""
    clients = await team.clients_of(user_id)
    removed = await staff.remove_staff(user_id)
    if removed is None:
        return None, 0
    for linked in clients:
        await planner.plan_notice(
            linked.person.id, "team.notice_left", {"name": removed.name}, now
        )
    return removed, len(clients)


async def export_data(
    people: People,
    checkin_store: CheckinStore,
    sends: Sends,
    team_store: TeamStore,
    share_store: ShareStore,
    messages: MessageStore,
    user: User,
) -> dict[str, Any]:
    """Everything kept about a person, as JSON-ready data."""
    notes = await people.notes(user.id)
    checkins = await checkin_store.recent_checkins(user.id, 100_000)
    plan = await people.crisis_plan(user.id)
    schedule = await sends.schedule(user.id)
    team = await team_store.team_of(user.id)
    shares = await share_store.shares(user.id)
    return {
        "person": {
            "telegram_id": user.id,
            "name": user.name,
            "role": user.role.value,
            "language": user.language,
            "since": user.created_at.isoformat(),
        },
        "notes": [{"written": n.created_at.isoformat(), "text": n.text} for n in notes],
        "checkins": [
            {
                "dialog": c.dialog,
                "started": c.started_at.isoformat(),
                "capacity": c.capacity,
                "status": c.status,
                "answers": [
                    {
                        "question": a.step_id,
                        "answer": a.value,
                        "words": a.text,
                        "answered": a.answered_at.isoformat(),
                    }
                    for a in c.answers
                ],
            }
            for c in reversed(checkins)
        ],
        "schedule": None
        if schedule is None
        else {
            "agreed_on": schedule.agreed_on,
            "time_zone": schedule.timezone,
            "days": schedule.days,
            "time": schedule.time,
            "contact_hours": schedule.contact_hours,
            "every_other_week": schedule.fewer,
            "paused": schedule.paused,
            "paused_until": schedule.paused_until,
            "message_for_the_team": schedule.pause_message,
        },
        "crisis_plan": None
        if plan is None
        else {"who_to_contact": plan.contacts, "what_helps": plan.helps, "what_not": plan.avoid},
        "team": [
            {"name": m.person.name, "role": m.role.value, "since": m.since.isoformat()}
            for m in team
        ],
        "next_meeting": _meeting_export(await team_store.meeting(user.id)),
        "shared": [
            {
                "shared": s.created_at.isoformat(),
                "with": [r.name for r in s.recipients],
                "text": s.body,
                "withdrawn": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
            }
            for s in reversed(shares)
        ],
        "messages_with_the_team": [
            {
                "when": r.created_at.isoformat(),
                "with": r.member_name or None,  # None: they erased their account
                "kind": r.kind,
                "direction": "to you" if r.to_client else "from you",
                "words": r.body,
                "status": r.status,
            }
            for r in await messages.relays(user.id)
        ],
        "in_the_team_of": [
            {"name": c.person.name, "as": c.role.value}
            for c in await team_store.clients_of(user.id)
        ],
        # The rest, read straight from the schema's list of what holds a person's id or words.
        **await people.kept_about(user.id),
    }


async def erase(store: People, user: User) -> None:
    """Erase everything kept about a person."""
    await store.erase_user(user.id)


def _meeting_export(meeting: Meeting | None) -> dict[str, str | None] | None:
    """The next meeting as /mydata's file has it: its day, time and place."""
    if meeting is None:
        return None
    return {
        "when": meeting.day.isoformat(),
        "time": meeting.at.strftime("%H:%M") if meeting.at is not None else None,
        "where": meeting.place,
    }
