"""The mechanics platform modules share: options, cursors, rate-limit windows, and the HTTP status table."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from listener.errors import (
    AuthFailed,
    ConfigError,
    ContentRefused,
    CreditsExhausted,
    CursorUnreadable,
    PermanentFailure,
    PlatformError,
    RateLimited,
    Transient,
)
from listener.platforms import _cursor
from listener.platforms._common import ceil_epoch, whole_second
from listener.platforms._options import heard_version, list_option, number_option, require_secrets, text_option
from listener.platforms._ratelimit import Headers, Windows, retry_after
from listener.platforms._translate import by_status

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_a_reset_time_rounds_up_to_the_second():
    assert ceil_epoch(1_700_000_000.2) == datetime.fromtimestamp(1_700_000_001, tz=UTC)
    assert ceil_epoch(1_700_000_000) == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert whole_second(T0 + timedelta(milliseconds=1)) == T0 + timedelta(seconds=1)
    assert whole_second(T0) == T0


# -- options -------------------------------------------------------------------------------------


def test_missing_secrets_are_all_named():
    with pytest.raises(ConfigError, match="x needs A, C in the environment"):
        require_secrets("x", ("A", "B", "C"), {"A": "", "B": "b"})
    require_secrets("x", ("A",), {"A": "a"})


@pytest.mark.parametrize("value", [True, "5", 0, 101])
def test_a_number_option_out_of_range_or_not_a_number_is_refused(value):
    with pytest.raises(ConfigError, match=r"platforms\.youtube\.page_size: expected a number from 1 to 100"):
        number_option("youtube", {"page_size": value}, "page_size", 100, 1, 100)


def test_a_number_option_defaults_when_absent():
    assert number_option("reddit", {}, "timeout", 16.0, 0.01, 300) == 16.0


@pytest.mark.parametrize("value", ["acme", ["acme", ""], ["acme", 3]])
def test_a_list_option_must_be_a_list_of_words(value):
    with pytest.raises(ConfigError, match=r"platforms\.x\.keywords: expected a list of search queries"):
        list_option("x", {"keywords": value}, "keywords", "search queries")
    assert list_option("x", {}, "keywords", "search queries") == ()
    assert list_option("x", {"keywords": ["a b", "c"]}, "keywords", "search queries") == ("a b", "c")


def test_a_text_option_defaults_and_refuses_another_kind():
    assert text_option("bluesky", {}, "base_url", "https://bsky.social") == "https://bsky.social"
    with pytest.raises(ConfigError, match=r"platforms\.bluesky\.session_file: expected text"):
        text_option("bluesky", {"session_file": 5}, "session_file")


def test_the_version_is_the_installed_one():
    assert heard_version()[0].isdigit()


# -- cursors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cursor", "why"), [("{cut", "not JSON"), ("[1]", "a JSON list"), ("{}", "no 'bound'")])
def test_an_unreadable_cursor_names_its_source_and_how_to_start_again(cursor, why):
    with pytest.raises(CursorUnreadable) as refused, _cursor.reading("bluesky", "search:acme", cursor) as state:
        state["bound"]
    message = str(refused.value)
    assert message.startswith("bluesky cursor unreadable: the stored search:acme cursor")
    assert why in message and message.endswith("run `heard reset-cursor bluesky:search:acme`")


def test_a_cursor_round_trips_without_its_empty_values():
    text = _cursor.dump({"b": 1, "a": None, "c": ["x"]})
    assert text == '{"b": 1, "c": ["x"]}' and _cursor.load("x", "mentions", text) == json.loads(text)
    with pytest.raises(TypeError):
        _cursor.text_or_none(5)


# -- rate-limit windows ---------------------------------------------------------------------------

EPOCH = Headers("x-rate-limit-remaining", "x-rate-limit-reset", limit="x-rate-limit-limit")


def test_a_spent_window_refuses_until_its_reset():
    clock = Clock()
    windows = Windows("x", EPOCH, clock=clock)
    windows.admit("mentions")  # nothing known: allowed
    reset = T0.timestamp() + 60.4
    windows.note(
        "mentions", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset), "x-rate-limit-limit": "5"}
    )
    with pytest.raises(RateLimited, match="x mentions: rate-limit window spent") as refused:
        windows.admit("mentions")
    assert refused.value.retry_at == T0 + timedelta(seconds=61)  # whole seconds, rounded up
    windows.admit("search")  # another endpoint has its own window
    clock.now = T0 + timedelta(seconds=61)
    windows.admit("mentions")


def test_odd_headers_keep_what_was_known():
    windows = Windows("x", EPOCH, clock=Clock())
    windows.note("m", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(T0.timestamp() + 30)})
    windows.note("m", {"x-rate-limit-remaining": "many"})
    windows.note("m", None)
    with pytest.raises(RateLimited):
        windows.admit("m")


def test_pacing_spreads_the_last_tenth_of_a_window():
    clock = Clock()
    windows = Windows("x", EPOCH, clock=clock, pace=True)
    reset = str(T0.timestamp() + 100)
    windows.note("m", {"x-rate-limit-remaining": "5", "x-rate-limit-reset": reset, "x-rate-limit-limit": "100"})
    with pytest.raises(RateLimited, match="pacing") as refused:
        windows.admit("m")
    assert refused.value.retry_at == T0 + timedelta(seconds=20)  # 100 s left, 5 requests: one each 20 s
    clock.now = T0 + timedelta(seconds=20)
    windows.admit("m")
    calm = Windows("x", EPOCH, clock=Clock())
    calm.note("m", {"x-rate-limit-remaining": "5", "x-rate-limit-reset": reset, "x-rate-limit-limit": "100"})
    calm.admit("m")  # without pacing, any request left in the window is admitted


def test_a_reset_given_as_seconds_from_now_and_a_429():
    clock = Clock()
    windows = Windows("reddit", Headers("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_delay=True), clock=clock)
    windows.note("", {"x-ratelimit-remaining": "12.0", "x-ratelimit-reset": "90"})
    assert windows.remaining() == 12.0 and windows.reset_at() == T0 + timedelta(seconds=90)
    assert windows.spent("") == T0 + timedelta(minutes=1)  # a 429 naming no reset: a minute
    with pytest.raises(RateLimited, match="reddit: rate-limit window spent"):
        windows.admit()
    clock.now = T0 + timedelta(minutes=2)
    assert windows.remaining() is None


def test_retry_after_reads_the_first_header_that_holds_seconds():
    clock = Clock()
    assert retry_after({"retry-after": "7"}, clock) == T0 + timedelta(seconds=7)
    assert retry_after({"retry-after": "soon", "reset": "9"}, clock, keys=("retry-after", "reset")) == T0 + timedelta(
        seconds=9
    )
    assert retry_after({}, clock) == T0 + timedelta(minutes=1)


# -- the status table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "flags", "error"),
    [
        (401, {}, AuthFailed),
        (402, {}, CreditsExhausted),
        (403, {}, AuthFailed),  # reading: our credentials
        (403, {"writing": True}, PermanentFailure),  # writing: the target refuses us
        (403, {"writing": True, "credentials": True}, AuthFailed),
        (400, {"credentials": True}, AuthFailed),  # a login refused
        (400, {}, PermanentFailure),
        (400, {"writing": True, "refused": True}, ContentRefused),
        (422, {"writing": True, "refused": True}, ContentRefused),
        (422, {"refused": True}, PermanentFailure),  # only a write has a text to refuse
        (404, {"writing": True, "refused": True}, PermanentFailure),  # gone is gone, whatever the text
        (410, {}, PermanentFailure),
        (408, {}, Transient),
        (425, {}, Transient),
        (500, {}, Transient),
        (503, {"writing": True}, Transient),
        (302, {}, PlatformError),
        (None, {}, PlatformError),
    ],
)
def test_one_table_for_every_platform(status, flags, error):
    found = by_status("p op: failed", status, **flags)
    assert type(found) is error and str(found) == "p op: failed"


def test_a_429_carries_its_retry_time_and_a_duplicate_says_so():
    at = T0 + timedelta(seconds=30)
    limited = by_status("p: 429", 429, retry_at=at)
    assert isinstance(limited, RateLimited) and limited.retry_at == at
    assert by_status("p: 429", 429).retry_at > datetime.now(UTC)
    refused = by_status("p: dup", 400, writing=True, refused=True, duplicate=True)
    assert isinstance(refused, ContentRefused) and refused.duplicate
