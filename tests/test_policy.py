from __future__ import annotations

from datetime import timedelta

from responders import policy
from tests.conftest import NOW, make_comment, make_tags


def test_never_suggest_to_ourselves_bots_spam_or_opt_outs() -> None:
    cases = {
        "our own comment": make_comment(is_own=True),
        "author looks like a bot": make_comment(is_bot=True),
        "author opted out (nobot)": make_comment(bio="barista. #nobot"),
        "author asked us to stop": make_comment(text="@acme stop", source="reply"),
    }
    for reason, comment in cases.items():
        verdict = policy.may_suggest(comment, make_tags(comment), author=None)
        assert (verdict.ok, verdict.reason) == (False, reason)
    spam = make_comment()
    assert policy.may_suggest(spam, make_tags(spam, spam=0.9), author=None).reason == "spam"
    fine = make_comment()
    assert policy.may_suggest(fine, make_tags(fine), author=None).ok


def test_opt_out_recorded_on_the_author_is_honoured() -> None:
    c = make_comment()
    assert not policy.may_suggest(c, make_tags(c), author={"opted_out": 1}).ok


def test_auto_post_only_for_allowed_confident_non_negative() -> None:
    auto = {"reddit": ("praise",), "x": ("praise",)}
    praise = make_comment(platform="reddit")
    assert policy.may_auto_post(praise, make_tags(praise), auto=auto, dry_run=False).ok
    assert not policy.may_auto_post(praise, make_tags(praise), auto=auto, dry_run=True).ok
    assert not policy.may_auto_post(praise, make_tags(praise, score=0.4), auto=auto, dry_run=False).ok
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


def test_stop_requests_in_their_common_forms_opt_the_author_out() -> None:
    stops = [
        "@acme stop",
        "stop. nobody asked for brand accounts in here",
        "u/acme please stop!",
        "stop replying to me, bot",
        "@acme leave me alone",
    ]
    for text in stops:
        assert policy.is_stop_request(make_comment(text=text, source="reply")), text
    keep = [
        "my grinder won't stop squeaking",
        "Stop selling the Guji, bring it back",
        "can you stop my subscription? I moved",
        "stopped by the shop today, lovely",
    ]
    for text in keep:
        assert not policy.is_stop_request(make_comment(text=text, source="reply")), text
    # A keyword hit that never addressed us is not talking to us.
    assert not policy.is_stop_request(make_comment(text="stop. just stop.", source="keyword"))
