"""Soak `heard run`: a real service against the fake Slack and the replay platform, with traffic and faults.

    PYTHONPATH=. python bench/soak.py --minutes 10

The soak plays every outside part: people writing comments (appended to the replay recording, and
stored as a poller would), a person approving and dismissing in the queue, Slack answering 429s,
500s and outages, credentials refused, and the operator restarting the service with SIGTERM (and
once with SIGKILL). At the end it drains, stops the service and checks the books: every comment
stored once, every approved reply posted once, every Slack notice delivered once and recorded.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listener.platforms.replay import read_outbox  # noqa: E402
from listener.store import Store, iso  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402

TEXTS = [
    "love the new espresso blend, thank you!", "my order never arrived, where is it??",
    "do you ship to Canada?", "best coffee in town, seriously amazing", "the grinder broke after a week",
    "<!channel> *urgent* my card was charged twice <https://evil.example|refund here>",
    "can I change my subscription to decaf?", "thanks for the quick help yesterday",
]
HEADER = {"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"},
                                              "reddit": {"id": "t2_acme", "handle": "acme"}}}


def x_payload(n: int, text: str, created: datetime) -> dict[str, Any]:
    tid = str(7_000_000_000 + n)
    return {"platform": "x", "payload": {
        "data": {"id": tid, "text": f"@acme {text}", "author_id": f"u{n % 97}", "conversation_id": tid,
                 "lang": "en", "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                 "entities": {"mentions": [{"start": 0, "end": 5, "username": "acme", "id": "1"}]},
                 "edit_history_tweet_ids": [tid]},
        "includes": {"users": [{"id": f"u{n % 97}", "name": f"Person {n % 97}",
                                "username": f"person{n % 97}", "description": "coffee fan"}]}}}


def write_config(tmp: Path) -> Path:
    cfg = tmp / "heard.toml"
    cfg.write_text(f"""
[heard]
database = "{tmp / 'heard.db'}"
replies = "{ROOT / 'config' / 'replies.toml'}"
[schedule]
poll_seconds = 10
work_seconds = 2
escalate_seconds = 10
[sla]
high = 1
normal = 1
low = 1
[posting]
cooldown_minutes = 0
[posting.auto]
x = ["praise"]
[platforms.replay]
enabled = true
recording = "{tmp / 'recording.jsonl'}"
outbox = "{tmp / 'outbox.jsonl'}"
max_replies_per_hour = 100000
[platforms.x]
max_replies_per_hour = 100000
""")
    return cfg


class Soak:
    """The world around one heard service: traffic, people, faults, restarts, and the books."""

    def __init__(self, tmp: Path, minutes: float, seed: int) -> None:
        self.tmp, self.minutes, self.rng = tmp, minutes, random.Random(seed)
        self.cfg = write_config(tmp)
        self.db = tmp / "heard.db"
        self.recording = tmp / "recording.jsonl"
        self.recording.write_text(json.dumps(HEADER) + "\n")
        self.slack = FakeSlack().start()
        self.proc: subprocess.Popen | None = None
        self.written: set[str] = set()
        self.n = 0
        self.stops: list[tuple[str, int | None, float]] = []
        self.rss: list[tuple[float, int]] = []
        self.faults: Counter[str] = Counter()
        self.last_write = time.monotonic()

    # -- the service ------------------------------------------------------------------------

    def start(self) -> None:
        env = {**os.environ, "SLACK_WEBHOOK_URL": self.slack.webhook_url, "HEARD_LOG_LEVEL": "INFO",
               "PYTHONPATH": str(ROOT)}
        log = open(self.tmp / "service.log", "a")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen([sys.executable, "-m", "heard", "--config", str(self.cfg), "run"],
                                     cwd=ROOT, env=env, stdout=log, stderr=log)
        self._wait_started()

    def _wait_started(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            beat = self._read(lambda s: s.meta("service") or {})
            if beat.get("pid") == self.proc.pid and beat.get("state") == "running":
                return
            time.sleep(0.1)
        raise SystemExit("the service did not start: see service.log")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        began = time.monotonic()
        code = self.proc.wait(timeout=60)
        self.stops.append((sig.name, code, time.monotonic() - began))

    def sample_rss(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                kib = int(line.split()[1])
                self.rss.append((time.monotonic(), kib))
                return kib
        return 0

    # -- the world ------------------------------------------------------------------------------

    def _read(self, fn: Any) -> Any:
        store = Store(self.db)
        try:
            return fn(store)
        finally:
            store.close()

    def write_comments(self, count: int) -> None:
        """People write: half go to the recording (read at the next start), half arrive as if polled."""
        now = datetime.now(UTC)
        lines, polled = [], []
        from listener.platforms import spec
        from listener.records import Account

        account = Account("x", "1", "acme")
        for _ in range(count):
            self.n += 1
            created = now - timedelta(seconds=self.rng.randint(0, 90))
            payload = x_payload(self.n, self.rng.choice(TEXTS), created)
            self.written.add(f"x:{payload['payload']['data']['id']}")
            if self.n % 2:
                lines.append(json.dumps(payload))
            else:
                polled.append(spec("x").normalise(payload["payload"], account))
        with open(self.recording, "a") as handle:
            handle.write("".join(line + "\n" for line in lines))
        self._read(lambda s: s.save_page("soak:stream", polled, None, now=now))
        self.last_write = time.monotonic()

    def person_acts(self) -> None:
        """A person edits the queue file: approves two items and dismisses one (under the file's lock)."""
        from ruamel.yaml import YAML

        from responders import queue_file

        path = self.tmp / "queue.yaml"
        if not path.exists():
            return
        yaml = YAML(typ="rt")
        with queue_file.locked(path):
            doc = yaml.load(path.read_text(encoding="utf-8")) or {}
            items = [i for i in doc.get("items") or [] if i.get("action") == "pending"]
            for item, action in zip(items, ["approve", "approve", "dismiss"], strict=False):
                if action == "approve" and not item.get("reply"):
                    action = "dismiss"
                item["action"] = action
            with open(path, "w", encoding="utf-8") as handle:
                yaml.dump(doc, handle)

    def fault(self, tick: int) -> None:
        """Inject the next fault of a fixed rotation."""
        kind = ["slack429", "slack500", "slack_outage", "slack429x3", "auth", "post_pause"][tick % 6]
        self.faults[kind] += 1
        now = datetime.now(UTC)
        if kind == "slack429":
            self.slack.fail_next(429)
        elif kind == "slack500":
            self.slack.fail_next(500)
        elif kind == "slack429x3":
            self.slack.fail_next(429, 429, 429)
        elif kind == "slack_outage":
            self.slack.failing_status = 503
        elif kind == "auth":
            # The poller met revoked credentials: its source is paused for 40 s, then recovers.
            self._read(lambda s: s.source_failed("replay:recording", "credentials refused: injected",
                                                 now=now, paused_until=now + timedelta(seconds=40)))
        elif kind == "post_pause":
            def pause(s: Store) -> None:
                s.set_meta("pause:post:x", {"until": iso(now + timedelta(seconds=20)), "why": "injected 401"})
                s.log_event("alert", now=now, platform="x", error_type="AuthFailed", error="injected 401")
            self._read(pause)

    # -- the run ------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        total = self.minutes * 60
        # Restarts early on; the long last stretch is uninterrupted, so its RSS shows any leak.
        restarts = {int(total * 0.12): signal.SIGTERM, int(total * 0.24): signal.SIGKILL}
        self.write_comments(20)
        self.start()
        began = time.monotonic()
        tick = 0
        rss_start_at = total * 0.24 + 30
        while (elapsed := time.monotonic() - began) < total:
            time.sleep(5)
            tick += 1
            self.slack.failing_status = None
            self.write_comments(self.rng.randint(2, 6))
            if tick % 2 == 0:
                self.person_acts()
            if tick % 4 == 0:
                self.fault(tick // 4)
            for at, sig in list(restarts.items()):
                if elapsed >= at:
                    del restarts[at]
                    self.stop(sig)
                    self.start()
            if not self.rss or (elapsed >= rss_start_at and len(self.rss) == 1):
                self.sample_rss()
        self.slack.failing_status = None
        return self.drain()

    def drain(self) -> dict[str, Any]:
        """Restart once (so the recording is read whole), let every job catch up, then stop and count."""
        self.sample_rss()
        self.stop(signal.SIGTERM)
        self.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not self._settled():
            time.sleep(1)
        # Let the last comments pass their one-minute SLA (created up to now), then one more escalate pass.
        time.sleep(max(0.0, self.last_write + 62 - time.monotonic()) + 12)
        self.stop(signal.SIGTERM)
        return self._books()

    def _settled(self) -> bool:
        def check(store: Store) -> bool:
            counts = store.state_counts()
            stored = set(store.comments(self.written))
            return stored == self.written and not counts.get("approved") and not counts.get("posting")
        return self._read(check)

    def _books(self) -> dict[str, Any]:
        outbox = Counter(e["comment_id"] for e in read_outbox(self.tmp / "outbox.jsonl"))
        delivered = Counter(slack_notices(self.slack.messages))

        def gather(store: Store) -> dict[str, Any]:
            notices = Counter((r["comment_id"], r["step"]) for r in store.notices_sent()
                              if r["channel"] == "slack")
            stored = set(store.comments(self.written))
            counts = store.state_counts()
            open_ids = {r["id"] for r in store.awaiting()}
            notified = {c for c, _ in notices}
            return {
                "comments_ingested": store.count_comments(),
                "replies_posted": counts.get("posted", 0),
                "states": counts,
                "lost_comments": len(self.written - stored),
                "lost_replies": counts.get("approved", 0) + counts.get("posting", 0),
                "lost_notices": sum(1 for k in notices if k not in delivered),
                "open_never_notified": len(open_ids - notified),
                "dup_notices_recorded": sum(v - 1 for v in notices.values()),
                "delivered_unrecorded": sum(1 for k in delivered if k not in notices),
            }

        books = self._read(gather)
        alert_messages = [m for m in self.slack.messages
                          if m["blocks"][0]["text"]["text"].startswith("heard:")]
        books.update({
            "outbox_posts": sum(outbox.values()),
            "dup_posts": sum(v - 1 for v in outbox.values()),
            "slack_messages": len(self.slack.messages),
            "notices_delivered": sum(delivered.values()),
            "dup_notices_in_slack": sum(v - 1 for v in delivered.values()),
            "alerts_sent": sum(len(m["blocks"]) - 1 for m in alert_messages),
            "alert_messages": len(alert_messages),
            "payloads_rejected_by_slack": len(self.slack.rejected),
            "faults": dict(self.faults),
            "stops": [(name, code, round(took, 2)) for name, code, took in self.stops],
            "rss_kib": [kib for _, kib in self.rss],
        })
        books["duplicates"] = (books["dup_posts"] + books["dup_notices_in_slack"]
                               + books["dup_notices_recorded"])
        books["lost"] = (books["lost_comments"] + books["lost_replies"] + books["lost_notices"]
                         + books["open_never_notified"])
        return books


def slack_notices(messages: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """The (comment id, step) of every item shown in full in the digests the fake Slack received."""
    found = []
    for message in messages:
        blocks = message["blocks"]
        for block, after in zip(blocks, blocks[1:], strict=False):
            if "accessory" not in block or after.get("type") != "context":
                continue
            label = block["text"]["text"].split(" \u00b7 ")[2]
            step = 1 if label == "first notice" else int(label.split()[-1]) + 1
            cid = after["elements"][-1]["text"].split()[-1]
            found.append((cid, step))
    return found


def other_fakes() -> list[str]:
    """The platform fakes in this tree besides replay (the soak drives replay; these are reported)."""
    return [name for name in ("x", "reddit", "mastodon", "bluesky")
            if importlib.util.find_spec(f"tests.fakes.{name}") is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="folder for the database and logs (default: a temp dir)")
    args = parser.parse_args()
    if importlib.util.find_spec("listener.nlp") is None:
        raise SystemExit("heard run needs listener.nlp, which is not in this tree yet")
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="heard-soak-"))
    tmp.mkdir(parents=True, exist_ok=True)
    soak = Soak(tmp, args.minutes, args.seed)
    try:
        books = soak.run()
    finally:
        if soak.proc and soak.proc.poll() is None:
            soak.proc.kill()
        soak.slack.stop()
    print(f"soak {args.minutes} min in {tmp}; other platform fakes present: {other_fakes() or 'none'}")
    for key, value in books.items():
        print(f"  {key}: {value}")
    rss = books["rss_kib"]
    print(f"RSS start {rss[1] if len(rss) > 1 else rss[0]} KiB -> end {rss[-1]} KiB")
    print(f"duplicates={books['duplicates']} lost={books['lost']}")
    bad_stops = [s for s in books["stops"] if s[0] == "SIGTERM" and (s[1] != 0 or s[2] >= 10)]
    sys.exit(1 if books["duplicates"] or books["lost"] or bad_stops else 0)


if __name__ == "__main__":
    main()
