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
"""
