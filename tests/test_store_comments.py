from __future__ import annotations

import dataclasses
from datetime import timedelta

from listener.records import Comment
from listener.store import Store
from tests.conftest import NOW, make_comment, on_both


def by(comment: Comment, **author: object) -> Comment:
    return dataclasses.replace(comment, author=dataclasses.replace(comment.author, **author))


@on_both
def test_a_page_counts_each_authors_comments_as_one_after_another(store: Store) -> None:
    store.save_page("s", [make_comment(1, author="jo", minutes_ago=300)], "c0", now=NOW)
    page = [
        by(make_comment(3, author="jo", minutes_ago=20), handle="jo_new", name="Jo N", bio="coffee fan"),
        by(make_comment(2, author="jo", minutes_ago=30), bio="first bio", is_bot=True),
        by(make_comment(4, author="jo", minutes_ago=10), handle="jo_last", name="Jo L", bio=""),
        make_comment(5, author="kim", minutes_ago=15),
        make_comment(6, author="kim", minutes_ago=400),
    ]
    assert sorted(store.save_page("s", page, "c1", now=NOW)) == sorted(c.id for c in page)
    row = store.author("x", "u-jo")
    assert row is not None
    # In time order: the last comment's handle and name, the last bio that says something, any bot flag.
    seen = (row["comments"], row["handle"], row["name"], row["bio"], row["is_bot"])
    assert seen == (4, "jo_last", "Jo L", "coffee fan", 1)
    assert row["first_seen"] == (NOW - timedelta(minutes=300)).isoformat(timespec="microseconds")
    assert row["last_seen"] == (NOW - timedelta(minutes=10)).isoformat(timespec="microseconds")
    kim = store.author("x", "u-kim")
    assert kim is not None and kim["comments"] == 2
    assert kim["first_seen"] == (NOW - timedelta(minutes=400)).isoformat(timespec="microseconds")


@on_both
def test_a_page_stored_again_stores_nothing_and_each_new_comment_has_one_stored_event(store: Store) -> None:
    page = [make_comment(n, author=f"p{n % 3}") for n in range(1, 8)]
    assert len(store.save_page("s", page, "c1", now=NOW)) == 7
    assert store.save_page("s", [*page, make_comment(9)], "c2", now=NOW) == [make_comment(9).id]
    stored = store.engine.execute("SELECT comment_id, count(*) FROM events WHERE kind = 'stored' GROUP BY comment_id")
    assert dict(stored.fetchall()) == {c.id: 1 for c in [*page, make_comment(9)]}
    assert sum(store.author("x", f"u-p{n}")["comments"] for n in range(3)) == 7  # type: ignore[index]
    assert store.cursor("s")["cursor"] == "c2"  # type: ignore[index]


@on_both
def test_a_row_the_database_refuses_is_set_aside_alone_with_nothing_of_it_stored(store: Store) -> None:
    page = [make_comment(1), make_comment(2, text="half an emoji \ud83d here"), make_comment(3, author="kim")]
    saved = store.store_page("s", page, "c1", now=NOW)
    assert saved.new == [page[0].id, page[2].id]
    assert [r.item for r in saved.set_aside] == [page[1].id]
    assert store.comment(page[1].id) is None and store.comment(page[2].id) is not None
    events = store.engine.execute("SELECT comment_id FROM events WHERE kind = 'stored' ORDER BY comment_id").fetchall()
    assert [e[0] for e in events] == [page[0].id, page[2].id]
    assert store.author("x", "u-jane")["comments"] == 1  # type: ignore[index]
    assert store.cursor("s")["cursor"] == "c1"  # type: ignore[index]


@on_both
def test_our_handles_are_learned_from_a_page(store: Store) -> None:
    other = dataclasses.replace(make_comment(2, platform="mastodon"), account="acme@social.example")
    store.save_page("s", [make_comment(1), other], None, now=NOW)
    assert store.own_handles() == ["acme", "acme@social.example"]
    store.save_page("s", [make_comment(3)], None, now=NOW)
    assert store.own_handles() == ["acme", "acme@social.example"]
