"""Where people's words are kept: every encrypted column of the schema, in one list.

Key rotation re-encrypts exactly these columns, and the key check samples them in a database that
predates the check value; a test compares the list with the live schema.
"""

from __future__ import annotations

#: (table, column) of every column that holds text encrypted with the service's key.
ENCRYPTED: tuple[tuple[str, str], ...] = (
    ("notes", "body"),
    ("answers", "text"),
    ("crisis_plans", "contacts"),
    ("crisis_plans", "helps"),
    ("crisis_plans", "avoid"),
    ("users", "pause_message"),
    ("shares", "body"),
    ("share_drafts", "body"),
    ("relays", "body"),
    ("key_check", "token"),
)
