"""Where people's ids and words are kept: every table and column of the schema, in one list.

Each column says what it holds; each table says how a person's rows are erased (``/delete``) and
where ``/mydata`` shows them. Erasure runs exactly these statements, key rotation re-encrypts
exactly the ``WORDS`` columns, and a test compares this list with the live schema: a new table or
column without a rule fails the suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Holds(StrEnum):
    """What a column holds, as far as privacy goes."""

    NOTHING = "nothing"  # row keys, times, statuses, kinds: personal only through a row's owner
    PERSON = "person"  # a person's Telegram id, or their private chat's id
    WORDS = "words"  # what a person wrote, said or chose, or a name: sealed with the service's key
    DETAIL = "detail"  # about a person, in the clear: a language, a role, a schedule
    MESSAGE = "message"  # the id of a message in someone's chat


N, P, W, D, M = Holds.NOTHING, Holds.PERSON, Holds.WORDS, Holds.DETAIL, Holds.MESSAGE


@dataclass(frozen=True)
class Rule:
    """One table: its columns, how a person's rows go, and where the person sees them.

    ``erase`` statements take the person's id as ``:id`` and run in order, in one transaction,
    before the person's own row goes. ``via`` names the table whose rows take these with them
    (``ON DELETE CASCADE``). ``export`` names the ``/mydata`` sections written by hand
    (``bot/core/usecases.py``); each of ``extra`` is a section read straight from here: its name
    and the query (with ``:id``) that picks the person's rows. Together they show every row the
    ``erase`` statements would delete (a test holds them to it), except the rows ``others_own``
    picks (with ``:id``): about the person, but another person's own (their unsent draft, their
    unanswered question, their choice), shown to that person instead. ``retain`` statements
    delete the rows older than the retention period (``:cutoff``); a table whose rows live as
    long as the account says so (``lives_with_account``): they go when an idle account is erased.
    ``forget_copies`` statements forget where a person's copies of clients' words are; they run
    only once those copies were taken back (not when the command line removes a staff account,
    which cannot reach Telegram: a client can still withdraw from that chat later).
    """

    columns: Mapping[str, Holds]
    erase: tuple[str, ...] = ()
    via: str | None = None
    export: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    others_own: str = ""
    retain: tuple[str, ...] = ()
    lives_with_account: bool = False
    forget_copies: tuple[str, ...] = ()
    note: str = ""

    @property
    def sections(self) -> tuple[str, ...]:
        """Every ``/mydata`` section that shows this table's rows."""
        return (*self.export, *(section for section, _ in self.extra))

    @property
    def personal(self) -> bool:
        """True if any column can hold a person's id, words or details."""
        return any(hold is not N for hold in self.columns.values())


SCHEMA: Mapping[str, Rule] = {
    "migrations": Rule({"name": N, "applied_at": N}),
    "clock_watch": Rule({"id": N, "seen_at": N, "jumped_to": N}),
    "inbox": Rule(
        {
            "update_id": N,
            "user_id": P,
            "body": W,
            "sent": W,
            "took": W,
            "received_at": N,
            "done_at": N,
        },
        erase=("DELETE FROM inbox WHERE user_id = :id",),
        retain=("DELETE FROM inbox WHERE received_at < :cutoff",),
        extra=(
            (
                # Ids and times only: the words, sealed, are gone once the update is handled.
                "messages_received",
                "SELECT update_id AS telegram_update_id, received_at AS received, "
                "done_at AS handled FROM inbox WHERE user_id = :id ORDER BY update_id",
            ),
        ),
        note=(
            "an update's words, what the bot sent while handling it and the question its words"
            " answered stay only until it is handled; its id a little longer"
        ),
    ),
    "key_check": Rule({"id": N, "token": W, "written_at": N}, note="a known text, not a person's"),
    "users": Rule(
        {
            "id": P,
            "chat_id": P,
            "role": D,
            "name": W,
            "language": D,
            "created_at": N,
            "unreachable_at": D,
            "checkin_pace": D,
            "fewer_offered_at": N,
            "timezone": D,
            "checkin_days": D,
            "checkin_time": D,
            "contact_hours": D,
            "schedule_from": D,
            "paused": D,
            "paused_until": D,
            "pause_message": W,
            "next_meeting": D,
            "meeting_time": D,
            "meeting_place": W,
            "meeting_draft": W,
            "last_seen_at": N,
            "retention_told_at": N,
            "only_when_asked": D,
        },
        erase=("DELETE FROM users WHERE id = :id",),
        lives_with_account=True,
        export=("person", "schedule", "next_meeting"),
    ),
    "notes": Rule(
        {"id": N, "user_id": P, "created_at": N, "body": W, "update_id": N},
        erase=("DELETE FROM notes WHERE user_id = :id",),
        retain=("DELETE FROM notes WHERE created_at < :cutoff",),
        export=("notes",),
    ),
    "staff_invites": Rule(
        {
            "code_hash": N,
            "role": D,
            "name": W,
            "created_at": N,
            "expires_at": N,
            "used_at": N,
            "used_by": P,
        },
        erase=("DELETE FROM staff_invites WHERE used_by = :id",),
        retain=("DELETE FROM staff_invites WHERE expires_at < :cutoff",),
        extra=(
            (
                "staff_invite",
                "SELECT role, name, created_at, used_at FROM staff_invites WHERE used_by = :id",
            ),
        ),
        note="an unused invite names someone who has no account yet; it goes when it expires",
    ),
    "checkins": Rule(
        {
            "id": N,
            "user_id": P,
            "dialog": N,
            "started_at": N,
            "capacity": W,
            "status": N,
            "finished_at": N,
            "message_id": M,
            "answered_message_id": M,
        },
        erase=("DELETE FROM checkins WHERE user_id = :id",),
        retain=("DELETE FROM checkins WHERE started_at < :cutoff AND status != 'open'",),
        export=("checkins",),
    ),
    "answers": Rule(
        {
            "checkin_id": N,
            "step_id": N,
            "value": W,
            "text": W,
            "capacity": W,
            "answered_at": N,
        },
        via="checkins",
        export=("checkins",),
    ),
    "crisis_plans": Rule(
        {"user_id": P, "contacts": W, "helps": W, "avoid": W, "updated_at": N},
        erase=("DELETE FROM crisis_plans WHERE user_id = :id",),
        lives_with_account=True,
        export=("crisis_plan",),
    ),
    "awaiting_text": Rule(
        {
            "user_id": P,
            "purpose": N,
            "since": N,
            "subject": P,
            "message_id": M,
            "expires_at": N,
        },
        erase=(
            "DELETE FROM awaiting_text WHERE user_id = :id",
            # Someone else's wait about this person: a meeting date, a nudge's time...
            "DELETE FROM awaiting_text WHERE purpose IN ('meeting', 'nudge_when') "
            "AND subject = CAST(:id AS TEXT)",
            # ... or the words of a message to or from them.
            "DELETE FROM awaiting_text WHERE purpose IN ('nudge_text', 'answer', 'write') "
            "AND subject IN (SELECT CAST(id AS TEXT) FROM relays "
            "WHERE client_id = :id OR member_id = :id)",
        ),
        others_own="user_id != :id",  # someone else's question, half answered
        retain=("DELETE FROM awaiting_text WHERE expires_at < :cutoff",),
        extra=(
            (
                "waiting_for",
                "SELECT purpose AS what, since, expires_at AS until FROM awaiting_text "
                "WHERE user_id = :id",
            ),
        ),
    ),
    "sends": Rule(
        {
            "id": N,
            "user_id": P,
            "kind": N,
            "slot": N,
            "local_date": N,
            "due_at": N,
            "closes_at": N,
            "status": N,
            "reason": N,
            "sent_at": N,
            "message_id": M,
            "checkin_id": N,
            "payload": W,
        },
        erase=("DELETE FROM sends WHERE user_id = :id",),
        retain=(
            "DELETE FROM sends WHERE due_at < :cutoff AND status NOT IN ('planned', 'sending')",
        ),
        extra=(
            (
                "contact_log",
                "SELECT kind, slot, local_date, due_at, status, reason, sent_at FROM sends "
                "WHERE user_id = :id ORDER BY due_at",
            ),
        ),
        note="a notice telling a client that someone left names them until it is delivered",
    ),
    "team_invites": Rule(
        {
            "code_hash": N,
            "inviter_id": P,
            "kind": N,
            "created_at": N,
            "expires_at": N,
            "used_at": N,
            "used_by": P,
            "outcome": N,
        },
        erase=("DELETE FROM team_invites WHERE inviter_id = :id OR used_by = :id",),
        retain=("DELETE FROM team_invites WHERE expires_at < :cutoff",),
        extra=(
            (
                "invites",
                "SELECT CASE WHEN inviter_id = :id THEN 'made' ELSE 'opened' END AS yours, "
                "kind, created_at, expires_at, used_at, outcome FROM team_invites "
                "WHERE inviter_id = :id OR used_by = :id ORDER BY created_at",
            ),
        ),
    ),
    "team": Rule(
        {"client_id": P, "member_id": P, "role": D, "since": N},
        erase=("DELETE FROM team WHERE client_id = :id OR member_id = :id",),
        lives_with_account=True,
        export=("team", "in_the_team_of"),
    ),
    "shares": Rule(
        {"id": N, "client_id": P, "created_at": N, "items": D, "body": W, "withdrawn_at": N},
        erase=("DELETE FROM shares WHERE client_id = :id",),
        retain=("DELETE FROM shares WHERE created_at < :cutoff",),
        export=("shared",),
    ),
    "share_recipients": Rule(
        {
            "share_id": N,
            "recipient_id": P,
            "name": W,
            "chat_id": P,
            "message_id": M,
            "status": N,
            "body": W,
        },
        forget_copies=(
            # A recipient who leaves: their copies were taken back first (see Persons.erase).
            "DELETE FROM share_recipients WHERE recipient_id = :id "
            "OR chat_id = (SELECT chat_id FROM users WHERE id = :id)",
        ),
        via="shares",
        export=("shared",),
    ),
    "share_messages": Rule(
        {"share_id": N, "chat_id": P, "message_id": M},
        forget_copies=(
            "DELETE FROM share_messages "
            "WHERE chat_id = (SELECT chat_id FROM users WHERE id = :id)",
        ),
        via="shares",
        export=("shared",),
    ),
    "share_drafts": Rule(
        {
            "client_id": P,
            "items": D,
            "recipients": P,
            "body": W,
            "version": N,
            "updated_at": N,
        },
        erase=(
            "DELETE FROM share_drafts WHERE client_id = :id "
            "OR ',' || recipients || ',' LIKE '%,' || :id || ',%'",
        ),
        others_own="client_id != :id",  # a client's unsent draft that would go to this person
        retain=("DELETE FROM share_drafts WHERE updated_at < :cutoff",),
        extra=(
            (
                "share_draft",
                "SELECT items, body, updated_at FROM share_drafts WHERE client_id = :id",
            ),
        ),
    ),
    "relays": Rule(
        {
            "id": N,
            "client_id": P,
            "member_id": P,
            "member_name": W,
            "kind": N,
            "body": W,
            "created_at": N,
            "due_at": N,
            "status": N,
            "held_told": N,
            "chat_id": P,
            "message_id": M,
            "audience": N,
            "agenda_at": N,
        },
        erase=(
            "DELETE FROM relays WHERE client_id = :id",
            # A member who leaves: what they wrote goes; the client's own words to them stay
            # in the client's history, without the member's name.
            "DELETE FROM relays WHERE member_id = :id "
            "AND kind IN ('nudge', 'answer', 'meeting', 'reflection')",
            "UPDATE relays SET member_name = '' WHERE member_id = :id",
        ),
        forget_copies=(
            "UPDATE relays SET chat_id = NULL, message_id = NULL WHERE member_id = :id",
        ),
        retain=("DELETE FROM relays WHERE created_at < :cutoff AND status != 'planned'",),
        export=("messages_with_the_team",),
        extra=(
            (
                "messages_with_your_clients",
                "SELECT u.name AS client, r.kind, r.body, r.created_at, r.status "
                "FROM relays r JOIN users u ON u.id = r.client_id "
                "WHERE r.member_id = :id ORDER BY r.created_at",
            ),
        ),
    ),
    "relay_copies": Rule(
        {
            "id": N,
            "relay_id": N,
            "member_id": P,
            "chat_id": P,
            "message_id": M,
            "sent_at": N,
        },
        via="relays",
        erase=("DELETE FROM relay_copies WHERE member_id = :id",),
        forget_copies=("DELETE FROM relay_copies WHERE member_id = :id",),
        retain=("DELETE FROM relay_copies WHERE sent_at < :cutoff",),
        extra=(
            (
                "reflections_you_were_given",
                "SELECT sent_at AS received FROM relay_copies WHERE member_id = :id "
                "ORDER BY sent_at",
            ),
        ),
        note="where a copy of someone close's words reached a member of the client's staff",
    ),
    "no_nudges": Rule(
        {"client_id": P, "sender_id": P, "since": N},
        erase=("DELETE FROM no_nudges WHERE client_id = :id OR sender_id = :id",),
        others_own="client_id != :id",  # a client's choice about this sender
        lives_with_account=True,
        extra=(
            (
                "no_nudges_from",
                "SELECT u.name AS who, n.since FROM no_nudges n "
                "JOIN users u ON u.id = n.sender_id WHERE n.client_id = :id",
            ),
        ),
    ),
    "client_views": Rule(
        {"member_id": P, "client_id": P, "chat_id": P, "message_id": M, "shown_at": N},
        erase=("DELETE FROM client_views WHERE member_id = :id OR client_id = :id",),
        retain=("DELETE FROM client_views WHERE shown_at < :cutoff",),
        extra=(
            (
                "client_pages_shown",
                "SELECT u.name AS client, v.shown_at FROM client_views v "
                "JOIN users u ON u.id = v.client_id WHERE v.member_id = :id",
            ),
            (
                # The member's name, as the client's team list shows it; nothing they wrote.
                "your_page_shown",
                "SELECT u.name AS shown_to, v.shown_at FROM client_views v "
                "JOIN users u ON u.id = v.member_id WHERE v.client_id = :id "
                "ORDER BY v.shown_at",
            ),
        ),
        note="a member's /clients messages about a client; taken back when the client leaves",
    ),
}

#: (table, column) of every column that holds text encrypted with the service's key.
ENCRYPTED: tuple[tuple[str, str], ...] = tuple(
    (table, column)
    for table, rule in SCHEMA.items()
    for column, hold in rule.columns.items()
    if hold is Holds.WORDS
)

#: Every erase statement, in order, once copies were taken back; the person's own row goes last.
ERASE: tuple[str, ...] = (
    tuple(
        statement
        for table, rule in SCHEMA.items()
        if table != "users"
        for statement in (*rule.erase, *rule.forget_copies)
    )
    + SCHEMA["users"].erase
)

#: The same, keeping where copies of clients' words are (they could not be taken back).
ERASE_KEEPING_COPIES: tuple[str, ...] = (
    tuple(
        statement for table, rule in SCHEMA.items() if table != "users" for statement in rule.erase
    )
    + SCHEMA["users"].erase
)

#: The ``/mydata`` sections read straight from this list: (section, query).
EXTRA: tuple[tuple[str, str], ...] = tuple(
    (section, query) for rule in SCHEMA.values() for section, query in rule.extra
)

#: Every retention statement: rows older than the period go (``:cutoff``).
RETAIN: tuple[str, ...] = tuple(statement for rule in SCHEMA.values() for statement in rule.retain)
