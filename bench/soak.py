"""Soak `heard run`: a real service against fake X, fake Reddit, the replay platform and a fake Slack.

    PYTHONPATH=. python bench/soak.py --minutes 10

The soak plays every outside part: people writing comments (mentions and replies to us on the fake
X and Reddit servers, which the service polls over HTTP through tweepy and praw; Mastodon-shaped
comments appended to the replay recording, and stored as a poller would), a person approving and
dismissing in the queue, X and Reddit answering 429s, 500s, timeouts, garbage and one 401 each (the
operator renews the keys once the credentials alert reaches Slack), Slack answering 429s, 500s and
outages, and the operator restarting the service with SIGTERM (and once with SIGKILL). At the end it
drains, stops the service and checks the books per platform: every comment the fakes created stored,
every reply at a fake at most once per comment, every approved reply posted once, every Slack notice
delivered once and recorded.
"""

from __future__ import annotations

import argparse
import dataclasses
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
from listener.store import ErrorKind, PostingPause, Store, keys  # noqa: E402
from tests.fakes import reddit as fake_reddit  # noqa: E402
from tests.fakes import x as fake_x  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.heard_toml import fake_platform_table, write_service_config  # noqa: E402

TEXTS = [
    "love the new espresso blend, thank you!",
    "my order never arrived, where is it??",
    "do you ship to Canada?",
    "best coffee in town, seriously amazing",
    "the grinder broke after a week",
    "<!channel> *urgent* my card was charged twice <https://evil.example|refund here>",
    "can I change my subscription to decaf?",
    "thanks for the quick help yesterday",
]
# The replay platform answers for the platforms its header names, and a live client wins over it
# for its own platform, so the replayed traffic is Mastodon's (not enabled live): X and Reddit are live.
REPLAYED = "mastodon"
HEADER = {"heard_recording": 1, "accounts": {REPLAYED: {"id": "1", "handle": "acme"}}}
LIVE = ("x", "reddit")
FAKE_FAULTS = ["429", "500", "timeout", "garbage"]


def replay_payload(n: int, text: str, created: datetime) -> dict[str, Any]:
    """One Mastodon mention notification, as a recording line."""
    sid = str(7_000_000_000 + n)
    who = {
        "id": f"u{n % 97}",
        "acct": f"person{n % 97}",
        "username": f"person{n % 97}",
        "display_name": f"Person {n % 97}",
        "note": "<p>coffee fan</p>",
        "bot": False,
    }
    return {
        "platform": REPLAYED,
        "payload": {
            "id": f"n{sid}",
            "type": "mention",
            "created_at": created.isoformat(),
            "account": who,
            "status": {
                "id": sid,
                "content": f"<p>@acme {text}</p>",
                "account": who,
                "language": "en",
                "created_at": created.isoformat(),
                "url": f"https://social.example/@person{n % 97}/{sid}",
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
            },
        },
    }


class Soak:
    """The world around one heard service: traffic, people, faults, restarts, and the books."""

    def __init__(self, tmp: Path, minutes: float, seed: int, *, decide_all: bool = False) -> None:
        self.tmp, self.minutes, self.rng = tmp, minutes, random.Random(seed)
        self.decide_all = decide_all
        # Client timeouts of 2 s (the fakes hold a "timeout" 4 s): a loaded machine must not time out by itself.
        self.fakes: dict[str, Any] = {
            "x": fake_x.make_harness(timeout=2.0).start(),
            "reddit": fake_reddit.make_harness(timeout_delay=4.0).start(),
        }
        self.created: dict[str, set[str]] = {name: set() for name in self.fakes}
        self.fake_faults: Counter[str] = Counter()
        self.auth_401: dict[str, dict[str, Any]] = {}  # platform -> what happened to its injected 401
        self.cfg = write_service_config(
            tmp,
            work_seconds=2,
            auto_praise=REPLAYED,
            replay={"max_replies_per_hour": 100_000},
            platforms={n: fake_platform_table(h, max_replies_per_hour=100_000) for n, h in self.fakes.items()},
        )
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
        secrets = {k: v for h in self.fakes.values() for k, v in h.connect_args()[1].items()}
        env = {
            **os.environ,
            **secrets,
            "SLACK_WEBHOOK_URL": self.slack.webhook_url,
            "HEARD_LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
            "HOME": str(self.tmp),
            "PRAW_ALLOW_ENDPOINT_OVERRIDE": "1",
        }
        log = open(self.tmp / "service.log", "a")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "heard", "--config", str(self.cfg), "run"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        self._wait_started()

    def _wait_started(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            beat = self._read(lambda s: s.meta(keys.SERVICE) or {})
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

        account = Account(REPLAYED, "1", "acme")
        for _ in range(count):
            self.n += 1
            created = now - timedelta(seconds=self.rng.randint(0, 90))
            payload = replay_payload(self.n, self.rng.choice(TEXTS), created)
            self.written.add(f"{REPLAYED}:{payload['payload']['status']['id']}")
            if self.n % 2:
                lines.append(json.dumps(payload))
            else:
                polled.append(spec(REPLAYED).normalise(payload["payload"], account))
        with open(self.recording, "a") as handle:
            handle.write("".join(line + "\n" for line in lines))
        self._read(lambda s: s.save_page("soak:stream", polled, None, now=now))
        self.last_write = time.monotonic()

    def fake_traffic(self) -> None:
        """People write on X and Reddit: one to three items each, mentions or replies to one of ours."""
        for name, harness in self.fakes.items():
            for _ in range(self.rng.randint(1, 3)):
                text, to_us = self.rng.choice(TEXTS), self.rng.random() < 0.3
                if name == "x":
                    author = f"fan{self.rng.randint(0, 60)}"
                    body = text if to_us else f"@{harness.account.handle} {text}"
                else:
                    author = f"redditor{self.rng.randint(0, 60)}"
                    body = text if to_us else f"hey u/{harness.account.handle}, {text}"
                ids = harness.add_incoming(1, text=body, author=author, reply_to_us=to_us)
                self.created[name].update(f"{name}:{native}" for native in ids)
        self.last_write = time.monotonic()

    def fake_fault(self, tick: int) -> None:
        """The next request to one fake fails: 429, 500, timeout or garbage, in rotation."""
        name = LIVE[tick % 2]
        kind = FAKE_FAULTS[(tick // 2) % len(FAKE_FAULTS)]
        self.fakes[name].fail_next(kind)
        self.fake_faults[f"{name}:{kind}"] += 1

    def inject_401(self, name: str) -> None:
        """The platform refuses our credentials once; the operator renews them after the Slack alert."""
        self.fakes[name].fail_next("401")
        self.fake_faults[f"{name}:401"] += 1
        self.auth_401[name] = {
            "at": time.monotonic(),
            "after_message": len(self.slack.messages),
            "alert_s": None,
            "resumed": None,
            "recovered_s": None,
        }

    def watch_401s(self, *, force: bool = False) -> None:
        """The operator reads Slack: on a credentials alert, renew the keys and resume; note the recovery."""
        for name, seen in self.auth_401.items():
            blocks = [
                b["text"]["text"]
                for m in self.slack.messages[seen["after_message"] :]
                for b in m["blocks"][1:]
                if b.get("type") == "section"
            ]
            mine = [
                t
                for t in blocks
                if "refused our credentials" in t and (f": {name}:" in t or f"posting to {name} " in t)
            ]
            waited = time.monotonic() - seen["at"]
            if seen["alert_s"] is None and any(t.startswith("\U0001f534") for t in mine):
                seen["alert_s"] = round(waited, 1)
            if seen["resumed"] is None and (seen["alert_s"] is not None or force or waited > 120):
                seen["resumed"] = self.resume(name)
            if seen["recovered_s"] is None and any(t.startswith("\u2705") for t in mine):
                seen["recovered_s"] = round(waited, 1)

    def resume(self, name: str) -> list[str]:
        """Renewed keys: lift the credentials pauses of one platform (heard has no command for it)."""
        now = datetime.now(UTC)

        def lift(store: Store) -> list[str]:
            lifted = []
            for row in store.cursors():
                if (
                    row["source"].startswith(f"{name}:")
                    and row.get("error_kind") == ErrorKind.AUTH
                    and row.get("paused_until")
                ):
                    store.db.execute("UPDATE cursors SET paused_until = NULL WHERE source = ?", [row["source"]])
                    lifted.append(row["source"])
            pause = store.posting_pause(name)
            if pause and pause.until > now:
                store.pause_posting(dataclasses.replace(pause, until=now))
                lifted.append(f"posting:{name}")
            # A reply refused by the 401 carries the same one-hour wait in its own retry_at: lift it too.
            held = [
                r.comment_id
                for r in store.replies(["approved"])
                if r.platform == name and (r.error or "").startswith("AuthFailed") and r.retry_at and r.retry_at > now
            ]
            for comment_id in held:
                store.update_reply(comment_id, now=now, retry_at=None)
            if held:
                lifted.append(f"replies:{name}={len(held)}")
            return lifted

        return self._read(lift)

    def _wait_polled(self) -> None:
        """Traffic starts after each live source's first poll has marked the present."""
        wanted = {"x:mentions", "reddit:inbox"}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = {r["source"] for r in self._read(lambda s: s.cursors()) if r.get("last_success")}
            if wanted <= done:
                return
            time.sleep(0.2)
        raise SystemExit("the live sources never polled: see service.log")

    def person_acts(self) -> None:
        """A person edits the queue file: approves four items and dismisses one (under the file's lock).

        With ``decide_all`` they decide every pending item (4 approves to 1 dismiss), so the open queue
        stays small and the service's work per pass stays constant: the RSS then shows a leak, not a queue.
        """
        from ruamel.yaml import YAML

        from responders import queue_file

        path = self.tmp / "queue.yaml"
        if not path.exists():
            return
        yaml = YAML(typ="rt")
        with queue_file.locked(path):
            doc = yaml.load(path.read_text(encoding="utf-8")) or {}
            items = [i for i in doc.get("items") or [] if i.get("action") == "pending"]
            actions = ["approve"] * 4 + ["dismiss"]
            if self.decide_all:
                actions *= len(items) // 5 + 1
            for item, action in zip(items, actions, strict=False):
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
            self._read(
                lambda s: s.source_failed(
                    "replay:recording",
                    "credentials refused: injected",
                    kind=ErrorKind.AUTH,
                    now=now,
                    paused_until=now + timedelta(seconds=40),
                )
            )
        elif kind == "post_pause":

            def pause(s: Store) -> None:
                s.pause_posting(PostingPause("x", ErrorKind.AUTH, now, now + timedelta(seconds=20), "injected 401"))
                s.log_event("alert", now=now, platform="x", error_type="AuthFailed", error="injected 401")

            self._read(pause)

    # -- the run ------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        total = self.minutes * 60
        # Restarts early on; the long last stretch is uninterrupted, so its RSS shows any leak.
        restarts = {int(total * 0.12): signal.SIGTERM, int(total * 0.24): signal.SIGKILL}
        auth_at = {int(total * 0.4): "x", int(total * 0.6): "reddit"}
        self.write_comments(20)
        self.start()
        self._wait_polled()
        began = time.monotonic()
        tick = 0
        rss_start_at = total * 0.24 + 30
        while (elapsed := time.monotonic() - began) < total:
            time.sleep(5)
            tick += 1
            self.slack.failing_status = None
            self.write_comments(self.rng.randint(2, 6))
            self.fake_traffic()
            if tick % 2 == 0:
                self.person_acts()
            if tick % 4 == 0:
                self.fault(tick // 4)
            if tick % 3 == 0:
                self.fake_fault(tick // 3)
            for at, name in list(auth_at.items()):
                if elapsed >= at:
                    del auth_at[at]
                    self.inject_401(name)
            self.watch_401s()
            for at, sig in list(restarts.items()):
                if elapsed >= at:
                    del restarts[at]
                    self.stop(sig)
                    self.start()
            # Once a minute through the uninterrupted stretch: a leak shows as a steady climb.
            if not self.rss or (elapsed >= rss_start_at and (len(self.rss) == 1 or tick % 12 == 0)):
                self.sample_rss()
        self.slack.failing_status = None
        self.watch_401s(force=True)
        return self.drain()

    def drain(self) -> dict[str, Any]:
        """Restart once (so the recording is read whole), let every job catch up, then stop and count."""
        self.sample_rss()
        self.stop(signal.SIGTERM)
        self.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not self._settled():
            time.sleep(1)
            self.watch_401s(force=True)
        # Let the last comments pass their one-minute SLA (created up to now), then one more escalate pass.
        time.sleep(max(0.0, self.last_write + 62 - time.monotonic()) + 12)
        self.watch_401s(force=True)
        self.stop(signal.SIGTERM)
        return self._books()

    def _settled(self) -> bool:
        def check(store: Store) -> bool:
            counts = store.state_counts()
            created = self.written.union(*self.created.values())
            stored = set(store.comments(created))
            return stored == created and not counts.get("approved") and not counts.get("posting")

        return self._read(check)

    def _books(self) -> dict[str, Any]:
        outbox = Counter(e["comment_id"] for e in read_outbox(self.tmp / "outbox.jsonl"))
        at_fakes = {name: Counter(f"{name}:{r['in_reply_to']}" for r in h.replies()) for name, h in self.fakes.items()}
        delivered = Counter(slack_notices(self.slack.messages))
        alert_messages = [m for m in self.slack.messages if m["blocks"][0]["text"]["text"].startswith("heard:")]
        alert_texts = [b["text"]["text"] for m in alert_messages for b in m["blocks"][1:] if b.get("type") == "section"]

        def platform_books(
            store: Store, name: str, rows: list[dict[str, Any]], created: set[str], sent: Counter[str]
        ) -> dict[str, Any]:
            states = Counter(r["state"] for r in rows if r["state"])
            posted_db = {r["id"] for r in rows if r["state"] == "posted"}
            missing = set(created) - set(store.comments(created))
            unposted = states.get("approved", 0) + states.get("posting", 0)
            words = (": replay:", ": soak:") if name == "replay" else (f": {name}:", f"posting to {name} ")
            return {
                "comments_created": len(created),
                "comments_ingested": len(rows),
                "replies_posted": len(sent),
                "alerts_sent": sum(1 for t in alert_texts if any(w in t for w in words)),
                "lost_comments": len(missing),
                "approved_not_posted": unposted,
                "posted_in_db_not_at_platform": len(posted_db - set(sent)),
                "at_platform_not_posted_in_db": len(set(sent) - posted_db),
                "dup_replies": sum(v - 1 for v in sent.values()),
                "states": dict(sorted(states.items())),
            }

        def gather(store: Store) -> dict[str, Any]:
            rows = store.report_rows(None, datetime.now(UTC) + timedelta(days=1))
            by_platform: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                by_platform.setdefault(row["platform"], []).append(row)
            per = {
                name: platform_books(store, name, by_platform.get(name, []), self.created[name], at_fakes[name])
                for name in self.fakes
            }
            per["replay"] = platform_books(
                store, "replay", by_platform.get(REPLAYED, []), self.written, Counter({k: v for k, v in outbox.items()})
            )
            notices = Counter((r["comment_id"], r["step"]) for r in store.notices_sent() if r["channel"] == "slack")
            open_ids = {r.id for r in store.awaiting()}
            failed = [(r.comment_id, (r.error or "")[:60]) for r in store.replies(["failed"])]
            return {
                "per_platform": per,
                "comments_ingested": store.count_comments(),
                "states": store.state_counts(),
                "failed_replies": Counter(e for _, e in failed).most_common(5),
                "slack": {
                    "messages": len(self.slack.messages),
                    "notices_delivered": sum(delivered.values()),
                    "dup_notices_in_slack": sum(v - 1 for v in delivered.values()),
                    "dup_notices_recorded": sum(v - 1 for v in notices.values()),
                    "lost_notices": sum(1 for k in notices if k not in delivered),
                    "delivered_unrecorded": sum(1 for k in delivered if k not in notices),
                    "open_never_notified": len(open_ids - {c for c, _ in notices}),
                    "alerts_sent": len(alert_texts),
                    "alert_messages": len(alert_messages),
                    "payloads_rejected_by_slack": len(self.slack.rejected),
                },
            }

        books = self._read(gather)
        for figures in books["per_platform"].values():
            figures["duplicates"] = figures["dup_replies"] + figures["at_platform_not_posted_in_db"]
            figures["lost"] = (
                figures["lost_comments"] + figures["approved_not_posted"] + figures["posted_in_db_not_at_platform"]
            )
        slack = books["slack"]
        slack["duplicates"] = slack["dup_notices_in_slack"] + slack["dup_notices_recorded"]
        slack["lost"] = slack["lost_notices"] + slack["open_never_notified"] + slack["delivered_unrecorded"]
        books.update(
            {
                "faults_slack_and_store": dict(self.faults),
                "faults_at_fakes": dict(sorted(self.fake_faults.items())),
                "credentials_401": self.auth_401,
                "requests_at_fakes": {name: h.requests() for name, h in self.fakes.items()},
                "stops": [(name, code, round(took, 2)) for name, code, took in self.stops],
                "rss_kib": [kib for _, kib in self.rss],
            }
        )
        books["duplicates"] = sum(f["duplicates"] for f in books["per_platform"].values()) + slack["duplicates"]
        books["lost"] = sum(f["lost"] for f in books["per_platform"].values()) + slack["lost"]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="folder for the database and logs (default: a temp dir)")
    parser.add_argument(
        "--decide-all",
        action="store_true",
        help="the person decides every pending item each time (the open queue stays small: a bounded workload)",
    )
    args = parser.parse_args()
    if importlib.util.find_spec("listener.nlp") is None:
        raise SystemExit("heard run needs listener.nlp, which is not in this tree yet")
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="heard-soak-"))
    tmp.mkdir(parents=True, exist_ok=True)
    soak = Soak(tmp, args.minutes, args.seed, decide_all=args.decide_all)
    try:
        books = soak.run()
    finally:
        if soak.proc and soak.proc.poll() is None:
            soak.proc.kill()
        soak.slack.stop()
        for harness in soak.fakes.values():
            harness.stop()
    print(
        f"soak {args.minutes} min in {tmp}: heard run against fake X + fake Reddit (HTTP on 127.0.0.1), "
        f"the replay platform ({REPLAYED} payloads) and a fake Slack"
    )
    columns = ["comments_created", "comments_ingested", "replies_posted", "alerts_sent", "duplicates", "lost"]
    print(f"  {'platform':<10}" + "".join(f"{c:>19}" for c in columns))
    per = books["per_platform"]
    for name, figures in per.items():
        print(f"  {name:<10}" + "".join(f"{figures[c]:>19}" for c in columns))
    slack = books["slack"]
    totals = {c: sum(f[c] for f in per.values()) for c in columns}
    totals.update(alerts_sent=slack["alerts_sent"], duplicates=books["duplicates"], lost=books["lost"])
    print(f"  {'slack':<10}" + "".join(f"{slack.get(c, '-'):>19}" for c in columns))
    print(f"  {'total':<10}" + "".join(f"{totals[c]:>19}" for c in columns))
    print(
        "  (total alerts_sent counts every alert block in Slack, including the injected replay/post pauses;"
        " slack duplicates/lost are escalation notices)"
    )
    for name, figures in per.items():
        print(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    for key in (
        "comments_ingested",
        "states",
        "failed_replies",
        "slack",
        "faults_slack_and_store",
        "faults_at_fakes",
        "credentials_401",
        "requests_at_fakes",
        "stops",
        "rss_kib",
    ):
        print(f"  {key}: {books[key]}")
    rss = books["rss_kib"][1:] or books["rss_kib"]
    half = len(rss) // 2
    print(
        f"RSS start {rss[0]} KiB -> end {rss[-1]} KiB, min {min(rss)}, max {max(rss)}, {len(rss)} samples; "
        f"median of the first half {sorted(rss[:half] or rss)[len(rss[:half] or rss) // 2]} KiB, "
        f"of the second half {sorted(rss[half:])[len(rss[half:]) // 2]} KiB "
        "(the longest uninterrupted stretch: from 30 s after the SIGKILL restart to the drain, once a minute)"
    )
    print(f"duplicates={books['duplicates']} lost={books['lost']}")
    bad_stops = [s for s in books["stops"] if s[0] == "SIGTERM" and (s[1] != 0 or s[2] >= 10)]
    sys.exit(1 if books["duplicates"] or books["lost"] or bad_stops else 0)


if __name__ == "__main__":
    main()
