"""The schema's history: an append-only list of named steps. Never edit or reorder a step."""

from __future__ import annotations

import sqlite3

import aiosqlite

from bot.storage.db import Migration


async def _script(conn: aiosqlite.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would commit first, so each complete statement is executed on its own.
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            await conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {statement.strip()[:60]}")


async def m001_users_notes_invites(conn: aiosqlite.Connection) -> None:
    """People, their private notes, and the administrator's staff invites."""
    await _script(
        conn,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,            -- the Telegram user id
            chat_id INTEGER NOT NULL,          -- private chat id (equal to id today)
            role TEXT NOT NULL CHECK (role IN ('client', 'clinician', 'peer')),
            name TEXT NOT NULL,
            language TEXT NOT NULL,
            created_at TEXT NOT NULL,
            unreachable_at TEXT                -- set when the person blocked the bot
        );
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            body BLOB NOT NULL                 -- encrypted
        );
        CREATE INDEX notes_by_user ON notes(user_id, created_at);
        CREATE INDEX notes_by_age ON notes(created_at);
        CREATE TABLE staff_invites (
            code_hash TEXT PRIMARY KEY,        -- sha256 of the code; the code itself is never kept
            role TEXT NOT NULL CHECK (role IN ('clinician', 'peer')),
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER
        );
        """,
    )


async def m002_checkins_plans(conn: aiosqlite.Connection) -> None:
    """Check-ins with their answers, the client's crisis plan, and what a typed message answers."""
    await _script(
        conn,
        """
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            dialog TEXT NOT NULL,              -- the dialog's id, e.g. 'checkin'
            started_at TEXT NOT NULL,
            capacity TEXT CHECK (capacity IN ('least', 'middle', 'most')),
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'done', 'declined', 'closed')),
            finished_at TEXT,
            message_id INTEGER                 -- the message that shows the current question
        );
        CREATE UNIQUE INDEX one_open_checkin ON checkins(user_id) WHERE status = 'open';
        CREATE INDEX checkins_by_user ON checkins(user_id, id);
        CREATE INDEX checkins_by_age ON checkins(started_at);
        CREATE TABLE answers (
            checkin_id INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,             -- stable ids: wording changes never break history
            value TEXT NOT NULL,               -- an option id, 'text' or 'skipped'
            text BLOB,                         -- the client's words, encrypted
            capacity TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (checkin_id, step_id)
        );
        CREATE TABLE crisis_plans (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            contacts BLOB,                     -- each field encrypted
            helps BLOB,
            avoid BLOB,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE awaiting_text (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            purpose TEXT NOT NULL,             -- e.g. 'plan:helps'
            since TEXT NOT NULL
        );
        ALTER TABLE users ADD COLUMN checkin_pace TEXT NOT NULL DEFAULT 'usual'
            CHECK (checkin_pace IN ('usual', 'fewer'));
        ALTER TABLE users ADD COLUMN fewer_offered_at TEXT;
        """,
    )


async def m003_schedules_sends(conn: aiosqlite.Connection) -> None:
    """Each client's own schedule, and every planned send as a row (the scheduler's truth)."""
    await _script(
        conn,
        """
        ALTER TABLE users ADD COLUMN timezone TEXT;           -- NULL: the service's default
        ALTER TABLE users ADD COLUMN checkin_days TEXT;       -- 'mon,thu'; NULL: default
        ALTER TABLE users ADD COLUMN checkin_time TEXT;       -- '18:00'; NULL: default
        ALTER TABLE users ADD COLUMN contact_hours TEXT;      -- '09:00-21:00'; NULL: default
        ALTER TABLE users ADD COLUMN schedule_from TEXT;      -- set once the client agreed
        ALTER TABLE users ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN paused_until TEXT;       -- local date the pause ends
        ALTER TABLE users ADD COLUMN pause_message BLOB;      -- for the team, encrypted
        CREATE TABLE sends (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                -- 'checkin'
            slot TEXT NOT NULL,                -- 'regular', or 'snooze:<send id>'
            local_date TEXT NOT NULL,          -- the client's date: one send per date and slot
            due_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN (
                'planned', 'sending', 'sent', 'closed', 'expired', 'skipped', 'failed',
                'unknown', 'cancelled')),
            reason TEXT,
            sent_at TEXT,
            message_id INTEGER,
            checkin_id INTEGER REFERENCES checkins(id) ON DELETE SET NULL,
            UNIQUE (user_id, kind, local_date, slot)
        );
        CREATE INDEX sends_due ON sends(due_at) WHERE status = 'planned';
        CREATE INDEX sends_open ON sends(closes_at) WHERE status = 'sent';
        CREATE INDEX sends_by_user ON sends(user_id, status);
        """,
    )


async def m004_send_indexes(conn: aiosqlite.Connection) -> None:
    """Indexes that keep the retention purge and the start-up reset from scanning ``sends``."""
    await _script(
        conn,
        """
        CREATE INDEX sends_by_checkin ON sends(checkin_id);  -- ON DELETE SET NULL from checkins
        CREATE INDEX sends_by_due_at ON sends(due_at);       -- the retention purge
        CREATE INDEX sends_in_flight ON sends(id) WHERE status = 'sending';
        """,
    )


async def m005_care_team(conn: aiosqlite.Connection) -> None:
    """Network members, the client's team, their invites, shares and the next meeting."""
    # SQLite cannot change a CHECK constraint in place: the table is rebuilt from its own
    # definition (which holds every column added since), with foreign keys off (see migrate).
    async with conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'users'") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    old_check = "CHECK (role IN ('client', 'clinician', 'peer'))"
    definition: str = row[0]
    if old_check not in definition:
        raise ValueError("unexpected definition of the users table")
    definition = definition.replace(
        old_check, "CHECK (role IN ('client', 'clinician', 'peer', 'network'))"
    ).replace("CREATE TABLE users", "CREATE TABLE users_new", 1)
    await conn.execute(definition)
    await conn.execute("INSERT INTO users_new SELECT * FROM users")
    await conn.execute("DROP TABLE users")
    await conn.execute("ALTER TABLE users_new RENAME TO users")
    await _script(
        conn,
        """
        ALTER TABLE users ADD COLUMN next_meeting TEXT;   -- the client's local date, ISO
        ALTER TABLE sends ADD COLUMN payload TEXT;        -- JSON, for kinds that carry more
        CREATE TABLE team_invites (
            code_hash TEXT PRIMARY KEY,        -- sha256 of the code, as for staff invites
            inviter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('client', 'network')),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER,
            outcome TEXT CHECK (outcome IN ('accepted', 'declined'))
        );
        CREATE INDEX team_invites_by_inviter ON team_invites(inviter_id);
        CREATE TABLE team (
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('clinician', 'peer', 'network')),
            since TEXT NOT NULL,
            PRIMARY KEY (client_id, member_id)
        );
        CREATE INDEX team_by_member ON team(member_id);
        CREATE TABLE shares (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            items TEXT NOT NULL,               -- what it was made of: 'n12,c34'
            body BLOB,                         -- the exact text sent, encrypted; NULL: withdrawn
            withdrawn_at TEXT
        );
        CREATE INDEX shares_by_client ON shares(client_id, id);
        CREATE INDEX shares_by_age ON shares(created_at);
        CREATE TABLE share_recipients (
            share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
            recipient_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            name TEXT NOT NULL,                -- as it was when shared, for the client's history
            chat_id INTEGER NOT NULL,          -- kept so a withdrawal reaches an erased account
            message_id INTEGER,
            status TEXT NOT NULL CHECK (status IN (
                'sending', 'sent', 'failed', 'deleted', 'edited', 'gone')),
            UNIQUE (share_id, chat_id)
        );
        CREATE INDEX share_recipients_by_recipient ON share_recipients(recipient_id);
        CREATE TABLE share_drafts (
            client_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            items TEXT NOT NULL DEFAULT '',
            recipients TEXT NOT NULL DEFAULT '',
            body BLOB,                         -- the previewed text, encrypted
            version INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
        """,
    )


async def m006_relays(conn: aiosqlite.Connection) -> None:
    """Messages between a client and their team: nudges, answers, replies, requests."""
    await _script(
        conn,
        """
        CREATE TABLE relays (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            member_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            member_name TEXT NOT NULL,         -- kept for the client's history
            kind TEXT NOT NULL CHECK (kind IN ('nudge', 'answer', 'reply', 'message', 'request')),
            body BLOB,                         -- the words, encrypted
            created_at TEXT NOT NULL,
            due_at TEXT,                       -- a member's message: when it may reach the client
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
                'draft', 'planned', 'sent', 'cancelled', 'declined', 'failed')),
            held_told INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX relays_by_client ON relays(client_id, id);
        CREATE INDEX relays_by_member ON relays(member_id, status);
        CREATE INDEX relays_by_age ON relays(created_at);
        CREATE TABLE no_nudges (
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            sender_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            since TEXT NOT NULL,
            PRIMARY KEY (client_id, sender_id)
        );
        """,
    )


async def m007_client_views(conn: aiosqlite.Connection) -> None:
    """The /clients messages that show a client's shares, so a withdrawal reaches them too."""
    await _script(
        conn,
        """
        CREATE TABLE client_views (
            member_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            shown_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        );
        CREATE INDEX client_views_by_client ON client_views(client_id, member_id);
        CREATE INDEX client_views_by_member ON client_views(member_id);
        """,
    )


async def m008_bounded_waits(conn: aiosqlite.Connection) -> None:
    """A wait for typed text records its subject, the message that asked, and when it ends.

    Waits from before had no end; they are dropped, so an old question never captures words.
    """
    await _script(
        conn,
        """
        DELETE FROM awaiting_text;
        ALTER TABLE awaiting_text ADD COLUMN subject TEXT;
        ALTER TABLE awaiting_text ADD COLUMN message_id INTEGER;
        ALTER TABLE awaiting_text ADD COLUMN expires_at TEXT;
        """,
    )


async def m009_share_messages(conn: aiosqlite.Connection) -> None:
    """Every message a share became in each chat: a long share is sent as several, and a
    withdrawal takes back all of them. Shares from before keep their one message_id."""
    await _script(
        conn,
        """
        CREATE TABLE share_messages (
            share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        );
        CREATE INDEX share_messages_by_share ON share_messages(share_id);
        """,
    )


async def m010_meeting_proposals(conn: aiosqlite.Connection) -> None:
    """A clinician proposes the next meeting's date as a message the client answers: relays
    gain the kind 'meeting' (its body is the proposed day) and the status 'accepted'.

    SQLite cannot change a CHECK in place, so the table is copied into its new shape.
    """
    await _script(
        conn,
        """
        CREATE TABLE relays_new (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            member_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            member_name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN (
                'nudge', 'answer', 'reply', 'message', 'request', 'meeting')),
            body BLOB,
            created_at TEXT NOT NULL,
            due_at TEXT,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
                'draft', 'planned', 'sent', 'cancelled', 'declined', 'failed', 'accepted')),
            held_told INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO relays_new (id, client_id, member_id, member_name, kind, body, created_at,
                                due_at, status, held_told)
            SELECT id, client_id, member_id, member_name, kind, body, created_at,
                   due_at, status, held_told FROM relays;
        DROP TABLE relays;
        ALTER TABLE relays_new RENAME TO relays;
        CREATE INDEX relays_by_client ON relays(client_id, id);
        CREATE INDEX relays_by_member ON relays(member_id, status);
        CREATE INDEX relays_by_age ON relays(created_at);
        """,
    )


async def m011_key_check(conn: aiosqlite.Connection) -> None:
    """A value encrypted with the service's key: the database knows which key it belongs to."""
    await _script(
        conn,
        """
        CREATE TABLE key_check (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token BLOB NOT NULL,               -- a known text, encrypted with the current key
            written_at TEXT NOT NULL
        );
        """,
    )


async def m012_relay_copies(conn: aiosqlite.Connection) -> None:
    """Where a client's message to a member arrived, so that it can be taken back."""
    await _script(
        conn,
        """
        ALTER TABLE relays ADD COLUMN chat_id INTEGER;     -- the member's chat it reached
        ALTER TABLE relays ADD COLUMN message_id INTEGER;  -- the message it became there
        """,
    )


async def m013_last_seen(conn: aiosqlite.Connection) -> None:
    """When each person last did something, and when they were told an idle account will go.

    Everyone counts as seen at the upgrade: nobody's account is ever erased sooner than a whole
    retention period after it.
    """
    await _script(
        conn,
        """
        ALTER TABLE users ADD COLUMN last_seen_at TEXT;
        ALTER TABLE users ADD COLUMN retention_told_at TEXT;
        UPDATE users SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now');
        """,
    )


async def m014_sealed_capacity(conn: aiosqlite.Connection) -> None:
    """Capacity levels are encrypted like the rest of a person's answers: the check that they
    are one of three plain words goes (the code that writes them still checks)."""
    await _script(
        conn,
        """
        CREATE TABLE checkins_new (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            dialog TEXT NOT NULL,
            started_at TEXT NOT NULL,
            capacity BLOB,                     -- encrypted: least, middle or most
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'done', 'declined', 'closed')),
            finished_at TEXT,
            message_id INTEGER
        );
        INSERT INTO checkins_new (id, user_id, dialog, started_at, capacity, status,
                                  finished_at, message_id)
            SELECT id, user_id, dialog, started_at, capacity, status, finished_at, message_id
            FROM checkins;
        DROP TABLE checkins;
        ALTER TABLE checkins_new RENAME TO checkins;
        CREATE UNIQUE INDEX one_open_checkin ON checkins(user_id) WHERE status = 'open';
        CREATE INDEX checkins_by_user ON checkins(user_id, id);
        CREATE INDEX checkins_by_age ON checkins(started_at);
        """,
    )


async def m015_clock_watch(conn: aiosqlite.Connection) -> None:
    """The last time the bot's clock read, so that a jump is noticed before it purges."""
    await _script(
        conn,
        """
        CREATE TABLE clock_watch (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seen_at TEXT NOT NULL,             -- the clock's last sane reading
            jumped_to TEXT                     -- set while a jump waits to be confirmed
        );
        """,
    )


async def m016_inbox(conn: aiosqlite.Connection) -> None:
    """Incoming updates, kept before Telegram is told they arrived, until they are handled."""
    await _script(
        conn,
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,     -- Telegram's id: the same update is kept once
            user_id INTEGER,                   -- who sent it
            body BLOB,                         -- the update, encrypted; NULL once handled
            received_at TEXT NOT NULL,
            done_at TEXT
        );
        CREATE INDEX inbox_pending ON inbox(done_at) WHERE done_at IS NULL;
        """,
    )


async def m017_notes_once(conn: aiosqlite.Connection) -> None:
    """A note remembers the update it came in: handled again after a crash, it is kept once."""
    await _script(
        conn,
        """
        ALTER TABLE notes ADD COLUMN update_id INTEGER;
        CREATE UNIQUE INDEX notes_once ON notes(update_id) WHERE update_id IS NOT NULL;
        """,
    )


async def m018_inbox_sent(conn: aiosqlite.Connection) -> None:
    """What the bot sent while handling an update, and the question its words answered, until
    it is handled: handled again after a hard stop, it sends nothing twice and its words answer
    the same question, not one asked since."""
    await _script(
        conn,
        """
        ALTER TABLE inbox ADD COLUMN sent BLOB;
        ALTER TABLE inbox ADD COLUMN took BLOB;
        """,
    )


async def m019_checkin_answered_message(conn: aiosqlite.Connection) -> None:
    """The message of the check-in's last answered question, which carries its small "Change"
    button: when the next question is answered, that button moves down to it."""
    await _script(conn, "ALTER TABLE checkins ADD COLUMN answered_message_id INTEGER;")


async def m020_only_when_asked(conn: aiosqlite.Connection) -> None:
    """Whether the client chose "Only when I ask" (not the same as never having said): then a
    nudge waits for their next message to the bot. A client who has no schedule now but whose
    second schedule question was called off as answered chose it before this step."""
    await _script(
        conn,
        """
        ALTER TABLE users ADD COLUMN only_when_asked INTEGER NOT NULL DEFAULT 0;
        UPDATE users SET only_when_asked = 1 WHERE role = 'client' AND schedule_from IS NULL
            AND id IN (SELECT user_id FROM sends WHERE kind = 'ask' AND status = 'cancelled'
                       AND reason = 'answered');
        """,
    )


async def m021_share_copy_words(conn: aiosqlite.Connection) -> None:
    """The text one recipient got, when it differs from the share's: the lines around the
    client's words in the recipient's own language (sealed, like the share's text)."""
    await _script(conn, "ALTER TABLE share_recipients ADD COLUMN body BLOB;")


async def m022_call_requests_and_reflections(conn: aiosqlite.Connection) -> None:
    """Two message kinds of their own: "Please call me" ('call'), so the member is offered
    "I'll call today" / "I'll call tomorrow"; and someone close's words for the client
    ('reflection'), which reach the client first and, when the writer chose so
    (``audience`` 'team'), the client's staff at the same moment (each copy kept in
    ``relay_copies``, so it can be taken back); ``agenda_at``: when the client put it on the
    agenda of their next meeting. Copied into its new shape, as in m010."""
    await _script(
        conn,
        """
        CREATE TABLE relays_new (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            member_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            member_name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN (
                'nudge', 'answer', 'reply', 'message', 'request', 'call', 'meeting',
                'reflection')),
            body BLOB,
            created_at TEXT NOT NULL,
            due_at TEXT,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
                'draft', 'planned', 'sent', 'cancelled', 'declined', 'failed', 'accepted')),
            held_told INTEGER NOT NULL DEFAULT 0,
            chat_id INTEGER,
            message_id INTEGER,
            audience TEXT CHECK (audience IN ('team')),
            agenda_at TEXT
        );
        INSERT INTO relays_new (id, client_id, member_id, member_name, kind, body, created_at,
                                due_at, status, held_told, chat_id, message_id)
            SELECT id, client_id, member_id, member_name, kind, body, created_at,
                   due_at, status, held_told, chat_id, message_id FROM relays;
        DROP TABLE relays;
        ALTER TABLE relays_new RENAME TO relays;
        CREATE INDEX relays_by_client ON relays(client_id, id);
        CREATE INDEX relays_by_member ON relays(member_id, status);
        CREATE INDEX relays_by_age ON relays(created_at);
        CREATE TABLE relay_copies (
            id INTEGER PRIMARY KEY,
            relay_id INTEGER NOT NULL REFERENCES relays(id) ON DELETE CASCADE,
            member_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL
        );
        CREATE INDEX relay_copies_by_relay ON relay_copies(relay_id);
        """,
    )


async def m023_meeting_time_and_place(conn: aiosqlite.Connection) -> None:
    """A network meeting's time and place beside its day, and the meeting someone typed and has
    not yet confirmed (sealed, like the place: a video link may carry a way in)."""
    await _script(
        conn,
        """
        ALTER TABLE users ADD COLUMN meeting_time TEXT;    -- "14:00", the client's clock
        ALTER TABLE users ADD COLUMN meeting_place BLOB;   -- encrypted
        ALTER TABLE users ADD COLUMN meeting_draft BLOB;   -- encrypted JSON, until confirmed
        CREATE INDEX sends_by_slot ON sends(kind, slot) WHERE status = 'planned';
        """,
    )


MIGRATIONS: list[Migration] = [
    ("001_users_notes_invites", m001_users_notes_invites),
    ("002_checkins_plans", m002_checkins_plans),
    ("003_schedules_sends", m003_schedules_sends),
    ("004_send_indexes", m004_send_indexes),
    ("005_care_team", m005_care_team),
    ("006_relays", m006_relays),
    ("007_client_views", m007_client_views),
    ("008_bounded_waits", m008_bounded_waits),
    ("009_share_messages", m009_share_messages),
    ("010_meeting_proposals", m010_meeting_proposals),
    ("011_key_check", m011_key_check),
    ("012_relay_copies", m012_relay_copies),
    ("013_last_seen", m013_last_seen),
    ("014_sealed_capacity", m014_sealed_capacity),
    ("015_clock_watch", m015_clock_watch),
    ("016_inbox", m016_inbox),
    ("017_notes_once", m017_notes_once),
    ("018_inbox_sent", m018_inbox_sent),
    ("019_checkin_answered_message", m019_checkin_answered_message),
    ("020_only_when_asked", m020_only_when_asked),
    ("021_share_copy_words", m021_share_copy_words),
    ("022_call_requests_and_reflections", m022_call_requests_and_reflections),
    ("023_meeting_time_and_place", m023_meeting_time_and_place),
]
