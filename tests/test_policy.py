from __future__ import annotations

from datetime import timedelta

from responders import policy
from tests.conftest import NOW, make_comment, make_tags


def test_posting_refuses_opted_out_authors_whatever_a_person_approved() -> None:
    c = make_comment()
    args = dict(now=NOW, cooldown=timedelta(minutes=10), hourly_cap=5, last_reply_to_author=None, posted_last_hour=0)
    assert not policy.may_post(c, author={"opted_out": 1}, auto=False, **args).ok
    marked = make_comment(bio="Leeds. no automated replies please")
    assert not policy.may_post(marked, author=None, auto=False, **args).ok
    assert policy.may_post(c, author=None, auto=False, **args).ok


def test_auto_post_only_for_the_categories_the_user_allowed() -> None:
    auto = {"reddit": ("praise",), "x": ("praise",)}
    praise = make_comment(platform="reddit")
    assert policy.may_auto_post(praise, make_tags(praise), auto=auto, dry_run=False).ok
    assert not policy.may_auto_post(praise, make_tags(praise), auto=auto, dry_run=True).ok
    angry = make_comment(platform="reddit")
    assert not policy.may_auto_post(angry, make_tags(angry, sentiment="negative"), auto=auto, dry_run=False).ok
    question = make_comment(platform="reddit")
    assert not policy.may_auto_post(question, make_tags(question, intent="question"), auto=auto, dry_run=False).ok
    keyword = make_comment(platform="x", source="keyword")
    verdict = policy.may_auto_post(keyword, make_tags(keyword), auto=auto, dry_run=False)
    assert not verdict.ok and "x keyword" in verdict.reason


def test_posting_waits_for_cap_and_cool_down() -> None:
    c = make_comment()
    args = dict(author=None, now=NOW, cooldown=timedelta(minutes=10), hourly_cap=5)
    assert policy.may_post(c, auto=True, last_reply_to_author=None, posted_last_hour=0, **args).ok
    capped = policy.may_post(c, auto=False, last_reply_to_author=None, posted_last_hour=5, **args)
    assert not capped.ok and capped.retry_at
    cool = policy.may_post(c, auto=True, last_reply_to_author=NOW - timedelta(minutes=3), posted_last_hour=1, **args)
    assert not cool.ok and cool.retry_at == NOW + timedelta(minutes=7)
