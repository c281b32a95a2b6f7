"""The sharing rules, without Telegram: what is sent, to whom, and what a withdrawal takes back.

A real SQLite store, the real catalog, and a fake outbox at the edge that records every send,
edit and delete (and can be told that some fail).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.actions import Action
from bot.core.actions.share import (
    AskWithdraw,
    CancelShare,
    Preview,
    SendShare,
    SharedHistory,
    ToggleItem,
    ToggleRecipient,
    TurnPage,
    Withdraw,
)
from bot.core.i18n import Catalog
from bot.core.model import InviteKind, Role, ShareDraft, User, hash_code
from bot.core.planning import Planner, ScheduleDefaults
from bot.core.sharing import MAX_PARTS, MAX_TEXT, Sharing, parts_of, split_text, utf16_len
from bot.core.views import Say, View, t
from bot.storage.store import SqliteStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALEX, BLAIR, KIM, LEE, JO = 101, 102, 201, 202, 401
STALE = "fallback.stale_button"
A = TypeVar("A", bound=Action)


@dataclass
class FakeOutbox:
    """Messages to other people, recorded; deletes, edits or sends to some chats can fail."""

    sends: list[tuple[int, str]] = field(default_factory=list)  # (user id, text)
    edits: list[tuple[int, int, str, str]] = field(default_factory=list)  # chat, msg, key, lang
    deletes: list[tuple[int, int]] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)
    broken: set[int] = field(default_factory=set)  # sending raises (the network, say)
    fail_after: dict[int, int] = field(default_factory=dict)  # sends that reach them, then none
    delete_fails: bool = False
    edit_fails: bool = False
    before_send: Callable[[], Awaitable[None]] | None = None
    next_id: int = 1000

    async def send(self, to: User, say: Say) -> int | None:
        if self.before_send is not None:
            await self.before_send()
        if to.id in self.broken:
            raise ConnectionError("the network is down")
        if to.id in self.unreachable:
            return None
        if to.id in self.fail_after:
            if self.fail_after[to.id] == 0:
                return None
            self.fail_after[to.id] -= 1
        (part,) = say.parts
        assert part.words is not None  # a share is the client's words, exactly
        self.sends.append((to.id, part.words))
        self.next_id += 1
        return self.next_id

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        if self.edit_fails:
            return False
        (part,) = say.parts
        self.edits.append((to.chat_id, message_id, part.key, to.language))
        return True

    async def delete(self, chat_id: int, message_id: int) -> bool:
        if self.delete_fails:
            return False
        self.deletes.append((chat_id, message_id))
        return True


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox()


@pytest.fixture
def sharing(store: SqliteStore, outbox: FakeOutbox, catalog: Catalog) -> Sharing:
    defaults = ScheduleDefaults("UTC", "mon,thu", "18:00", "09:00-21:00", timedelta(hours=2))
    planner = Planner(store, defaults)
    return Sharing(store, store, store, store, planner, catalog, {}, outbox)


async def _staff(store: SqliteStore, user_id: int, name: str) -> User:
    code = f"s_code-{user_id}"
    await store.add_staff_invite(hash_code(code), Role.CLINICIAN, name, NOW, NOW + timedelta(1))
    _, user = await store.redeem_staff_invite(hash_code(code), user_id, user_id, "en", NOW)
    assert user is not None
    return user


async def _link(
    store: SqliteStore, inviter: int, kind: InviteKind, joiner: int, name: str
) -> None:
    code = f"code-{inviter}-{joiner}"
    await store.add_team_invite(hash_code(code), inviter, kind, NOW, NOW + timedelta(1))
    await store.join_team(hash_code(code), joiner, joiner, name, "nl", NOW)


@pytest.fixture
async def alex(store: SqliteStore) -> User:
    """Alex, with Dr Kim (clinician) and Jo (someone close) in the team; Blair, another
    client, with Dr Lee."""
    alex = await store.add_client(ALEX, ALEX, "Alex", "en", NOW)
    await store.add_client(BLAIR, BLAIR, "Blair", "en", NOW)
    await _staff(store, KIM, "Dr Kim")
    await _staff(store, LEE, "Dr Lee")
    await _link(store, KIM, InviteKind.CLIENT, ALEX, "Alex")
    await _link(store, ALEX, InviteKind.NETWORK, JO, "Jo")
    await _link(store, LEE, InviteKind.CLIENT, BLAIR, "Blair")
    return alex


async def _blair(store: SqliteStore) -> User:
    blair = await store.get_user(BLAIR)
    assert blair is not None
    return blair


def _keys(view: View) -> list[str]:
    return [part.key or "<words>" for say in view.says for part in say.parts]


def _actions(say: Say) -> list[Action]:
    return [choice.action for row in say.rows for choice in row]


def _find(say: Say, kind: type[A]) -> list[A]:
    return [action for action in _actions(say) if isinstance(action, kind)]


async def _preview(
    sharing: Sharing, store: SqliteStore, client: User, *notes: str
) -> tuple[str, Say]:
    """Write ``notes``, tick them all in /share, preview: the exact text, and the (last)
    message that carries the choices."""
    refs = [f"n{await store.add_note(client.id, words, NOW)}" for words in notes]
    menu = await sharing.start(client, NOW)
    assert _keys(menu) == ["share.choose", "share.pages.chosen_none"]
    for ref in refs:
        assert ToggleItem(ref, 0) in _actions(menu.says[0])
        await sharing.toggle_item(client, ref, 0, NOW)
    view = await sharing.preview(client, NOW)
    body = (await store.share_draft(client.id)).body
    assert body is not None
    # Where someone in the team reads another language (Jo reads Dutch), the client is told
    # that the lines around their words go to them in that language.
    if len(parts_of(body)) == 1:
        keys = _keys(view)
        assert (keys[0], keys[-1]) == ("share.exact", "<words>")
        assert set(keys[1:-1]) <= {"share.other_languages"}
        assert view.says[1].parts[0].words == body
    return body, view.says[-1]


async def _pick(sharing: Sharing, client: User, say: Say, member_id: int) -> Say:
    (toggle,) = [a for a in _find(say, ToggleRecipient) if a.member_id == member_id]
    view = await sharing.toggle_recipient(client, member_id, toggle.version, NOW)
    return view.says[0]


def _version(say: Say) -> int:
    (go,) = _find(say, SendShare)
    return go.version


# --- sending ------------------------------------------------------------------------------


async def test_the_person_picked_gets_exactly_the_previewed_text_and_nobody_else(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    body, say = await _preview(sharing, store, alex, "I slept badly all week")
    assert body == (
        "From Alex, shared with you on 2 March 2026:\n\nNote, 2 March 2026\nI slept badly all week"
    )
    # Each person of the team by name, nobody picked; only members can be picked.
    assert [a.member_id for a in _find(say, ToggleRecipient)] == [KIM, JO]
    say = await _pick(sharing, alex, say, KIM)
    recorded: list[list[str]] = []

    async def check() -> None:  # at the moment of sending, the share is on record already
        recorded.append([r.status for s in await store.shares(ALEX) for r in s.recipients])

    outbox.before_send = check
    view = await sharing.send(alex, _version(say), NOW, pressed=55)
    assert outbox.sends == [(KIM, body)]
    assert recorded == [["sending"]]
    assert view.unbutton == (55,)
    assert _keys(view) == ["share.sent"]
    (share,) = await store.shares(ALEX)
    assert share.body == body
    assert [(r.recipient_id, r.status, r.message_id) for r in share.recipients] == [
        (KIM, "sent", outbox.next_id)
    ]
    (item,) = share.items  # the note, with its kind for the history
    assert item.startswith("n") and item.endswith(":note")
    # The draft is spent: pressing Share again sends nothing more.
    again = await sharing.send(alex, _version(say), NOW)
    assert again.toast is not None and again.toast.key == STALE
    assert len(outbox.sends) == 1


async def test_a_non_member_is_never_a_recipient_even_with_forged_ids(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    _, say = await _preview(sharing, store, alex, "Only for my team")
    version = _version(say)
    for forged in (LEE, BLAIR, ALEX, 999_999_999_999_999_999):
        refused = await sharing.toggle_recipient(alex, forged, version, NOW)
        assert refused.toast is not None and refused.toast.key == "team.not_in_team"
        assert refused.says == ()
    assert (await store.share_draft(ALEX)).recipients == ()
    # Even a draft that somehow names others (a forged row) reaches members only.
    draft = await store.share_draft(ALEX)
    draft = await store.save_share_draft(
        ALEX, ShareDraft(draft.items, (LEE, BLAIR, JO), draft.body), NOW
    )
    await sharing.send(alex, draft.version, NOW)
    assert [to for to, _ in outbox.sends] == [JO]


async def test_someone_removed_after_the_preview_gets_nothing(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    _, say = await _preview(sharing, store, alex, "Before Dr Kim left")
    say = await _pick(sharing, alex, say, KIM)
    await store.remove_from_team(ALEX, KIM)
    view = await sharing.send(alex, _version(say), NOW)
    assert view.toast is not None and view.toast.key == "share.pick_someone"
    assert outbox.sends == []
    assert await store.shares(ALEX) == []


async def test_a_stale_draft_version_is_refused(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    _, first = await _preview(sharing, store, alex, "Version one")
    first = await _pick(sharing, alex, first, KIM)
    old = _version(first)
    # Picking again makes a new version: the button under the old one is stale.
    newer = await _pick(sharing, alex, first, JO)
    assert _version(newer) != old
    stale = await sharing.send(alex, old, NOW)
    assert stale.toast is not None and stale.toast.key == STALE
    stale = await sharing.toggle_recipient(alex, KIM, old, NOW)
    assert stale.toast is not None and stale.toast.key == STALE
    # Back to the items and a new preview: no old button sends the new text.
    await sharing.back(alex, NOW)
    assert (await sharing.send(alex, _version(newer), NOW)).toast is not None
    await sharing.preview(alex, NOW)
    for version in (old, _version(newer)):
        assert (await sharing.send(alex, version, NOW)).toast is not None
    assert outbox.sends == []


async def test_items_are_only_the_clients_own(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    blair = await _blair(store)
    blair_note = await store.add_note(BLAIR, "Blair's words", NOW)
    await store.add_note(ALEX, "Alex's words", NOW)
    await sharing.start(alex, NOW)
    for forged in (f"n{blair_note}", "n999", "c1", ""):
        refused = await sharing.toggle_item(alex, forged, 0, NOW)
        assert refused.toast is not None and refused.toast.key == STALE
    assert (await store.share_draft(ALEX)).items == ()
    # Blair's check-in is not Alex's to share either.
    record = await store.start_checkin(BLAIR, "checkin", NOW)
    await store.add_answer(record.id, "feel", "ok", None, "most", NOW)
    await store.finish_checkin(record.id, "done", NOW)
    refused = await sharing.from_checkin(alex, record.id, NOW, pressed=9)
    assert refused.toast is not None and refused.toast.key == STALE
    assert refused.unbutton == ()
    offered = await sharing.from_checkin(blair, record.id, NOW, pressed=9)
    assert offered.unbutton == (9,)
    assert ToggleItem(f"c{record.id}", 0) in _actions(offered.says[0])
    assert (await store.share_draft(BLAIR)).items == (f"c{record.id}",)


async def test_nothing_to_preview_and_no_team(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    await store.add_note(ALEX, "words", NOW)
    await sharing.start(alex, NOW)
    refused = await sharing.preview(alex, NOW)
    assert refused.toast is not None and refused.toast.key == "share.pick_first"
    lonely = await store.add_client(103, 103, "Cam", "en", NOW)
    assert _keys(await sharing.start(lonely, NOW)) == ["share.no_team"]
    cancelled = await sharing.cancel(alex, pressed=3)
    assert _keys(cancelled) == ["share.cancelled"] and cancelled.unbutton == (3,)
    assert (await store.share_draft(ALEX)).version == 0


async def test_a_failed_delivery_is_recorded_and_said(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    outbox.unreachable.add(JO)
    outbox.broken.add(KIM)
    _, say = await _preview(sharing, store, alex, "For both")
    say = await _pick(sharing, alex, say, KIM)
    say = await _pick(sharing, alex, say, JO)
    view = await sharing.send(alex, _version(say), NOW)
    assert _keys(view) == ["share.failed"]
    (share,) = await store.shares(ALEX)
    assert [r.status for r in share.recipients] == ["failed", "failed"]


# --- withdrawing --------------------------------------------------------------------------


async def _shared(
    sharing: Sharing, store: SqliteStore, client: User, words: str, *members: int
) -> int:
    _, say = await _preview(sharing, store, client, words)
    for member in members:
        say = await _pick(sharing, client, say, member)
    await sharing.send(client, _version(say), NOW)
    return (await store.shares(client.id))[0].id


async def test_withdrawal_deletes_the_messages_and_the_views_that_showed_it(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    share_id = await _shared(sharing, store, alex, "Please take this back later", KIM, JO)
    kim_copy, jo_copy = outbox.next_id - 1, outbox.next_id
    await store.add_client_view(KIM, ALEX, KIM, 77, NOW)
    history = await sharing.history(alex)
    assert AskWithdraw(share_id) in _actions(history.says[0])
    ask = await sharing.ask_withdraw(alex, share_id)
    assert _actions(ask.says[0])[0] == Withdraw(share_id)  # the affirmative first
    view = await sharing.withdraw(alex, share_id, NOW + timedelta(hours=47))
    assert _keys(view) == ["share.withdrawn"] and view.says[0].edit
    assert outbox.deletes == [(KIM, kim_copy), (JO, jo_copy), (KIM, 77)]
    assert outbox.edits == []
    (share,) = await store.shares(ALEX)
    assert share.body is None and share.withdrawn_at is not None
    assert [r.status for r in share.recipients] == ["deleted", "deleted"]
    assert await store.client_views(ALEX, [KIM]) == []
    # Once more: already withdrawn, nothing else happens.
    assert _keys(await sharing.withdraw(alex, share_id, NOW)) == ["share.already_withdrawn"]
    assert _keys(await sharing.ask_withdraw(alex, share_id)) == ["share.already_withdrawn"]
    assert len(outbox.deletes) == 3
    assert _find((await sharing.history(alex)).says[0], AskWithdraw) == []


async def test_withdrawal_edits_what_cannot_be_deleted(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    share_id = await _shared(sharing, store, alex, "Words", KIM, JO)
    await store.add_client_view(KIM, ALEX, KIM, 77, NOW)
    outbox.delete_fails = True
    await sharing.withdraw(alex, share_id, NOW)
    # Each in the reader's language (Jo reads Dutch), saying who withdrew.
    assert outbox.edits == [
        (KIM, outbox.next_id - 1, "share.withdrawn_note", "en"),
        (JO, outbox.next_id, "share.withdrawn_note", "nl"),
        (KIM, 77, "clients.view_changed", "en"),
    ]
    (share,) = await store.shares(ALEX)
    assert [r.status for r in share.recipients] == ["edited", "edited"]


async def test_an_old_share_is_edited_without_trying_to_delete(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    share_id = await _shared(sharing, store, alex, "Words from long ago", KIM)
    await sharing.withdraw(alex, share_id, NOW + timedelta(days=3))
    assert outbox.deletes == []  # Telegram lets a bot delete its messages for 48 hours only
    assert [(chat, key) for chat, _, key, _ in outbox.edits] == [(KIM, "share.withdrawn_note")]


async def test_a_message_that_can_be_neither_deleted_nor_edited_is_gone(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    share_id = await _shared(sharing, store, alex, "Words", KIM)
    outbox.delete_fails = outbox.edit_fails = True
    await sharing.withdraw(alex, share_id, NOW)
    (share,) = await store.shares(ALEX)
    assert share.body is None and [r.status for r in share.recipients] == ["gone"]


async def test_another_clients_share_cannot_be_withdrawn(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    blair = await _blair(store)
    blairs = await _shared(sharing, store, blair, "Blair's words", LEE)
    for attempt in (
        sharing.ask_withdraw(alex, blairs),
        sharing.withdraw(alex, blairs, NOW),
        sharing.withdraw(alex, 999_999_999_999_999_999, NOW),
    ):
        refused = await attempt
        assert refused.toast is not None and refused.toast.key == STALE and refused.says == ()
    await sharing.withdraw_all(alex, NOW)
    assert outbox.deletes == [] and outbox.edits == []
    (share,) = await store.shares(BLAIR)
    assert share.body is not None and share.withdrawn_at is None


async def test_withdraw_all_takes_back_everything_still_shared(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    first = await _shared(sharing, store, alex, "First", KIM)
    await _shared(sharing, store, alex, "Second", JO)
    await sharing.withdraw(alex, first, NOW)
    assert outbox.deletes == [(KIM, outbox.next_id - 1)]
    await sharing.withdraw_all(alex, NOW)
    assert outbox.deletes == [(KIM, outbox.next_id - 1), (JO, outbox.next_id)]
    assert all(s.body is None for s in await store.shares(ALEX))


# --- the edges: pages of items, long texts, every part withdrawn ---------------------------


def _rows_below_items(say: Say) -> list[list[Action]]:
    return [
        [c.action for c in row] for row in say.rows if not isinstance(row[0].action, ToggleItem)
    ]


async def test_items_come_three_to_a_page_and_every_one_is_on_one_page_only(
    sharing: Sharing, store: SqliteStore, alex: User
) -> None:
    refs = [
        f"n{await store.add_note(ALEX, f'note {n}', NOW + timedelta(days=n))}" for n in range(8)
    ]
    newest_first = refs[::-1]
    menu = (await sharing.start(alex, NOW)).says[0]
    assert _find(menu, ToggleItem) == [ToggleItem(r, 0) for r in newest_first[:3]]
    assert _rows_below_items(menu) == [[TurnPage(0, older=True)], [Preview()], [CancelShare()]]
    assert [p.key for p in menu.parts] == [
        "share.choose",
        "share.pages.where",
        "share.pages.chosen_none",
    ]
    second = (await sharing.turn_page(alex, 0, older=True)).says[0]
    assert second.edit
    assert _find(second, ToggleItem) == [ToggleItem(r, 1) for r in newest_first[3:6]]
    # The oldest page holds only what no other page does: no item twice.
    third = (await sharing.turn_page(alex, 1, older=True)).says[0]
    assert _find(third, ToggleItem) == [ToggleItem(r, 2) for r in newest_first[6:]]
    assert dict(third.parts[1].values) == {
        "page": 3,
        "pages": 3,
        "first": "2 Mar",
        "last": "3 Mar",
    }
    # From the oldest, the same button leads back to the newest; an old "Newer" at the newest
    # says so and changes nothing.
    (back,) = [c for row in third.rows for c in row if isinstance(c.action, TurnPage)]
    assert back.label.key == "share.pages.back_to_newest"
    again = (await sharing.turn_page(alex, 2, older=True)).says[0]
    assert _find(again, ToggleItem) == _find(menu, ToggleItem)
    end = await sharing.turn_page(alex, 0, older=False)
    assert end.says == () and end.toast is not None and end.toast.key == "share.pages.newest"
    # The oldest item is as shareable as the newest.
    ticked = (await sharing.toggle_item(alex, refs[0], 2, NOW)).says[0]
    assert _find(ticked, ToggleItem) == _find(third, ToggleItem)
    assert _rows_below_items(ticked) == _rows_below_items(third)
    assert ticked.parts[-1] == t("share.pages.chosen", count=1)
    view = await sharing.preview(alex, NOW)
    assert "note 0" in (view.says[-1].parts[0].words or "")


async def test_ticking_changes_marks_and_count_only(
    sharing: Sharing, store: SqliteStore, alex: User
) -> None:
    await _shared(sharing, store, alex, "shared before", KIM)  # so the history button shows
    refs = [f"n{await store.add_note(ALEX, f'note {n}', NOW)}" for n in range(3)]
    menu = (await sharing.start(alex, NOW)).says[0]
    assert _rows_below_items(menu) == [[TurnPage(0, older=True)], [Preview()], [SharedHistory()]]
    say = menu
    for ref in (*refs, refs[0]):
        say = (await sharing.toggle_item(alex, ref, 0, NOW)).says[0]
        assert say.edit
        assert [[c.action for c in row] for row in say.rows] == [
            [c.action for c in row] for row in menu.rows
        ]
        assert len(say.parts) == len(menu.parts)
    assert say.parts[-1] == t("share.pages.chosen", count=2)


def test_a_short_text_is_one_message_as_it_is() -> None:
    assert parts_of("From Alex:\n\nNote\nwords") == ["From Alex:\n\nNote\nwords"]
    exactly = "x" * MAX_TEXT
    assert parts_of(exactly) == [exactly]


def test_a_long_text_is_cut_between_paragraphs_and_labelled() -> None:
    paragraphs = [f"Paragraph {n}. " + "Some words here. " * 60 for n in range(8)]
    body = "\n\n".join(p.strip() for p in paragraphs)
    parts = parts_of(body)
    assert len(parts) > 1
    assert [p.split("\n", 1)[0] for p in parts] == [
        f"({n}/{len(parts)})" for n in range(1, len(parts) + 1)
    ]
    for part in parts:
        assert utf16_len(part) <= MAX_TEXT
        assert part.split("\n", 1)[1].startswith("Paragraph ")  # every cut between paragraphs
    assert "\n\n".join(p.split("\n", 1)[1] for p in parts) == body


def test_without_paragraphs_a_cut_falls_between_sentences_then_words() -> None:
    sentences = " ".join(f"Sentence {n} is here and it ends." for n in range(300))
    pieces = split_text(sentences, 1000)
    assert all(len(p) <= 1000 and p.endswith("ends.") for p in pieces)
    assert " ".join(pieces) == sentences
    words = " ".join(f"word{n:04d}" for n in range(800))
    pieces = split_text(words, 1000)
    assert all(len(p) <= 1000 for p in pieces)
    assert " ".join(pieces).split() == words.split()  # no word cut in two
    # Only a word longer than a whole message is cut inside.
    giant = "a" * 2500
    assert split_text(giant, 1000) == ["a" * 1000, "a" * 1000, "a" * 500]


def test_length_is_counted_as_telegram_counts_it() -> None:
    emoji = "🌧" * 3000  # two UTF-16 units each: 6,000 units, though Python counts 3,000
    parts = parts_of(emoji)
    assert len(parts) == 2 and all(utf16_len(p) <= MAX_TEXT for p in parts)
    many = parts_of("word " * 12_000)  # more than nine parts: the label gets wider
    assert many[-1].startswith(f"({len(many)}/{len(many)})\n") and len(many) >= 10
    assert all(utf16_len(p) <= MAX_TEXT for p in many)


_WORDS = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=("Z", "C")), min_size=1),
        st.sampled_from(["🌧", "👍🏽", "é", "słowo", "end."]),
    ),
    min_size=1,
    max_size=40,
)
_SPACES = st.sampled_from([" ", "\n", "\n\n", " \n\n "])


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(st.tuples(_WORDS, _SPACES), min_size=1, max_size=60),
    limit=st.integers(min_value=40, max_value=400),
)
def test_any_text_splits_into_pieces_that_fit_and_keep_every_word(
    words: list[tuple[list[str], str]], limit: int
) -> None:
    text = "".join(" ".join(group) + space for group, space in words).strip()
    pieces = split_text(text, limit)
    assert all(utf16_len(piece) <= limit for piece in pieces)
    # Only the whitespace at a cut goes: every word is there, in order, and a word is cut
    # only if it is longer than a piece.
    if all(utf16_len(word) <= limit for word in text.split()):
        assert [w for piece in pieces for w in piece.split()] == text.split()
    else:
        assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())


async def test_a_long_note_is_previewed_as_the_messages_it_becomes(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    note = ("I could not sleep again and my thoughts kept going round. " * 12 + "\n\n") * 6
    body, say = await _preview(sharing, store, alex, note.strip())
    parts = parts_of(body)
    assert len(parts) == 2
    view = await sharing.preview(alex, NOW)  # the same again, for the whole view
    assert view.toast is not None  # the draft was previewed: the list's buttons are spent
    view = await sharing.back(alex, NOW)
    view = await sharing.preview(alex, NOW)
    assert _keys(view) == ["share.pages.exact", "share.other_languages", "<words>", "<words>"]
    assert view.says[0].parts[0] == t("share.pages.exact", count=2) and view.says[0].edit
    assert [s.parts[0].words for s in view.says[1:]] == parts
    assert view.says[1].rows == ()  # the choices are under the last message only
    assert _find(view.says[2], ToggleRecipient)
    say = await _pick(sharing, alex, view.says[2], KIM)
    assert say.parts[0].words == parts[-1] and say.edit
    say = await _pick(sharing, alex, say, JO)
    await sharing.send(alex, _version(say), NOW)
    # Jo reads Dutch: the same words, the lines around them in Dutch.
    dutch = parts_of(
        body.replace(
            "From Alex, shared with you on 2 March 2026:",
            "Van Alex, met je gedeeld op 2 maart 2026:",
        ).replace("Note, 2 March 2026", "Notitie, 2 maart 2026")
    )
    assert outbox.sends == [(KIM, parts[0]), (KIM, parts[1]), (JO, dutch[0]), (JO, dutch[1])]
    (share,) = await store.shares(ALEX)
    assert share.body == body
    assert await store.share_messages(share.id) == [
        (KIM, 1001),
        (KIM, 1002),
        (JO, 1003),
        (JO, 1004),
    ]


async def test_withdrawing_a_long_share_takes_back_every_part(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    words = ("Every part of this has to go when I say so. " * 100).strip()
    share_id = await _shared(sharing, store, alex, words, KIM, JO)
    sent = await store.share_messages(share_id)
    assert len(sent) == 4
    await sharing.withdraw(alex, share_id, NOW)
    assert outbox.deletes == sent
    (share,) = await store.shares(ALEX)
    assert [r.status for r in share.recipients] == ["deleted", "deleted"]
    # After Telegram's 48 hours, each part is replaced by the line that says it was withdrawn.
    outbox.deletes.clear()
    later = await _shared(sharing, store, alex, words + " Again.", KIM)
    await sharing.withdraw(alex, later, NOW + timedelta(days=3))
    assert outbox.deletes == []
    assert [(chat, key) for chat, _, key, _ in outbox.edits] == [
        (KIM, "share.withdrawn_note"),
        (KIM, "share.withdrawn_note"),
    ]
    # One part that cannot be reached either way: the share is marked "gone" for that person.
    third = await _shared(sharing, store, alex, words + " Once more.", JO)
    outbox.delete_fails = outbox.edit_fails = True
    await sharing.withdraw(alex, third, NOW)
    assert [r.status for r in (await store.shares(ALEX, third))[0].recipients] == ["gone"]


async def test_a_long_share_arrives_whole_or_not_at_all(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    words = ("If only half of this arrives it says something else. " * 100).strip()
    _, say = await _preview(sharing, store, alex, words)
    say = await _pick(sharing, alex, say, KIM)
    say = await _pick(sharing, alex, say, JO)
    outbox.fail_after[JO] = 1  # Jo's first part arrives, the second does not
    view = await sharing.send(alex, _version(say), NOW)
    assert _keys(view) == ["share.sent", "share.failed"]
    jo_first = next(i for i, (to, _) in enumerate(outbox.sends) if to == JO) + 1001
    assert outbox.deletes == [(JO, jo_first)]  # taken back at once
    (share,) = await store.shares(ALEX)
    assert [(r.recipient_id, r.status) for r in share.recipients] == [
        (KIM, "sent"),
        (JO, "failed"),
    ]


async def test_more_than_ten_messages_is_refused_and_nothing_changes(
    sharing: Sharing, store: SqliteStore, outbox: FakeOutbox, alex: User
) -> None:
    for n in range(12):
        await store.add_note(ALEX, f"{n} " + "a very long note indeed " * 160, NOW)
    await sharing.start(alex, NOW)
    for item in await sharing.items(alex):
        await sharing.toggle_item(alex, item.ref, 0, NOW)
    draft = await store.share_draft(ALEX)
    refused = await sharing.preview(alex, NOW)
    assert refused.says == ()
    assert refused.toast == t("share.too_long", count=MAX_PARTS)
    assert await store.share_draft(ALEX) == draft


def test_a_human_step_taken_is_not_shared_as_words() -> None:
    from datetime import UTC, datetime

    from bot.core.model import Answer, CheckinRecord
    from bot.core.sharing import checkin_words

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    record = CheckinRecord(
        1, 1, "checkin", now, "middle", "done", None,
        (
            Answer("wish", "decide", None, "middle", now),
            Answer("wish.decide", "agenda", None, "middle", now),
        ),
    )  # fmt: skip
    found = checkin_words(record, None)
    assert found is not None
    assert found[1] == "decide"  # the answer, not the step the bot took after it
