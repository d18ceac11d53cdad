"""Fake platform servers on 127.0.0.1 that the real client libraries talk to in tests.

Each platform's fake lives in ``tests/fakes/<platform>.py`` and exposes ``make_harness()``
returning an object with this shape, so that the end-to-end suite is parametrised over platforms:

    platform: str                     # registry name, e.g. "x"
    start() / stop()                  # serve on 127.0.0.1 on a free port, in a thread
    account: listener.records.Account # who "we" are on the fake
    connect_args() -> (options, secrets)   # what spec.connect() needs to reach the fake
    add_incoming(n, *, text=None, author=None, reply_to_us=False) -> list[str]
                                      # n new comments aimed at us; returns their native ids
    replies() -> list[dict]           # replies the fake received: {"in_reply_to": native_id, "text": ...}
    fail_next(kind, count=1)          # "429", "500", "401", "402", "timeout", "garbage"
    requests(path_contains="") -> int # how many requests reached the fake
    hold_replies(seconds)             # record each reply at once, answer it only after ``seconds``
                                      # (0 stops holding); connect_args() called while holding gives
                                      # the client a timeout longer than the hold

Optional, for a platform whose client implements ``own_posts`` (tests/test_own_posts.py):

    set_followers(count)              # our follower count as the platform reports it
    add_own_post(*, likes=0, reposts=0, replies=0, quotes=0, views=0, created_at=None) -> str
                                      # a post of ours with these public metrics (those the platform
                                      # has); returns the post_id its normalise_post gives

What tests/test_platforms_e2e.py relies on, beyond the shapes above:

- ``add_incoming`` returns the ``native_id`` that ``normalise`` gives the same item, and every
  item is picked up by polling ``client.sources()`` after a first poll has marked the present.
- ``fail_next("timeout")`` makes the client time out with the options from ``connect_args()``;
  "500", "timeout" and "garbage" fail whole requests, so a client that retries by itself (praw
  retries 5xx and timeouts twice) sees them again until ``count`` is spent.
- ``fail_next("429")`` sends the platform's 429 with a reset about 1-2 s away.
- A successful reply is recorded in ``replies()`` before its response leaves, and
  ``find_reply`` can see it at once, so a poster killed while a reply is held can reconcile it.
- ``connect_args()`` holds only values TOML can carry (str, int, float, bool, list of str):
  the crash tests write them into a heard.toml for a real ``heard post`` process, and pass the
  secrets in that process's environment.
"""
