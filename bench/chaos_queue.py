"""Campaigns on the queue file: every text round-trips, no racing save is lost, a big backlog stays editable.

``queue-roundtrip``: N items whose comment, reply and alternative are random Unicode (every control
character, U+0085, U+2028/9, lone CR, lone surrogates, U+FFFE, YAML syntax, long lines) are written
and read back; figure: the share that comes back identical.

``queue-race``: a person approves N items by saving in place and N by rename while heard syncs in a
thread; figure: edits lost.

``queue-big``: a backlog of N pending replies (46,000 by default); a person approves one item and a
fresh ``heard``-like process syncs; figure: the slowest edit's seconds and peak RSS.

    .venv/bin/python bench/chaos.py queue-roundtrip queue-race queue-big
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.chaos import Row  # noqa: E402
from listener.store import Store  # noqa: E402
from responders import approvals, lifecycle, queue_file, queue_yaml  # noqa: E402
from responders.lifecycle import ReplyState  # noqa: E402
from tests.conftest import NOW, make_comment, make_tags  # noqa: E402

HOSTILE = "\x1b\x00\x7f\x85\u2028\u2029\r\ufffe\uffff\ufeff\ud800\udfff\t\n #:-{}[]*&!|>'\"%@`,?\\"


def _random_text(rng: random.Random) -> str:
    size = rng.choice((0, 1, 5, 40, 80, 300, 5_000))
    chars = []
    for _ in range(size):
        pick = rng.random()
        if pick < 0.3:
            chars.append(rng.choice(HOSTILE))
        elif pick < 0.8:
            chars.append(chr(rng.randrange(0x20, 0x7F)))
        else:
            chars.append(chr(rng.randrange(0, 0x110000)))
    return "".join(chars)


def roundtrip(n: int | None) -> Row:
    """Write N random items and read them back."""
    n = n or 20_000
    rng = random.Random(15)
    same = 0
    for i in range(n):
        item = {
            "id": f"x:{i}",
            "action": "pending",
            "comment": _random_text(rng),
            "reply": _random_text(rng),
            "alternatives": [_random_text(rng)],
        }
        text = queue_file.render([item])
        back = queue_yaml.load(text, "q")["items"][0]
        decision = queue_file.parse(text.encode("utf-8"), "q").decisions[0]
        same += (
            back.get("comment", "") == item["comment"]
            and back.get("reply", "") == item["reply"]
            and back.get("alternatives", [""]) == item["alternatives"]
            and decision.reply == item["reply"].strip()
        )
    return Row("queue-file writes of arbitrary Unicode (round-trip)", f"{same / n:.2%} of {n:,}", "100 %", same == n)


def race(n: int | None) -> Row:
    """Save N approvals in place and N by rename while heard syncs; count the edits lost."""
    from tests.test_approvals import race as run_race

    n = n or 2_000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "heard.db")
        _seed(store, 2 * n + 100)
        q = Path(tmp) / "queue.yaml"
        approvals.sync(store, q, now=NOW, max_items=40)
        made, lost = run_race(store, q, n)
        store.close()
    return Row("racing saves, in place and by rename", f"{lost} lost of {made:,} edits", "0 edits lost", lost == 0)


def big(n: int | None) -> Row:
    """Sync a backlog of N pending replies after a person's edit, in a fresh process; slowest time and RSS."""
    n = n or 46_000
    with tempfile.TemporaryDirectory() as tmp:
        db, q = Path(tmp) / "heard.db", Path(tmp) / "queue.yaml"
        store = Store(db)
        _seed(store, n)
        approvals.sync(store, q, now=NOW)
        store.close()
        times, peaks = [], []
        for _ in range(3):
            text = q.read_text(encoding="utf-8")
            q.write_text(text.replace("  action: pending\n", "  action: approve\n", 1), encoding="utf-8")
            seconds, rss = _edit_in_child(db, q)
            times.append(seconds)
            peaks.append(rss)
    figure = f"{max(times):.2f} s, {max(peaks) / 1024:.0f} MB peak per edit at {n:,}"
    return Row("queue file edit with a big backlog", figure, "<= 5 s", max(times) <= 5)


def _edit_in_child(db: Path, q: Path) -> tuple[float, int]:
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[3]);"
        "from datetime import UTC, datetime; from pathlib import Path;"
        "from listener.store import Store; from responders import approvals;"
        "t = time.perf_counter(); s = Store(Path(sys.argv[1]));"
        "r = approvals.sync(s, Path(sys.argv[2]), now=datetime.now(UTC));"
        "assert r.approved == 1, r; print(time.perf_counter() - t)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), str(q), str(ROOT)], capture_output=True, text=True, check=True
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux: the largest child so far
    return float(out.stdout.strip()), max(peak, before)


def _seed(store: Store, n: int) -> None:
    for start in range(0, n, 1_000):
        comments = [
            make_comment(i, author=f"p{i}", minutes_ago=10 + i % 5_000) for i in range(start, min(n, start + 1_000))
        ]
        store.save_page("s", comments, None, now=NOW)
        store.save_tags(
            [make_tags(c, priority="high" if i % 7 == 0 else "low") for i, c in enumerate(comments)], now=NOW
        )
        with store.transaction():
            for c in comments:
                text = f"Thanks {c.author.handle}!"
                lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text=text, suggested_text=text)


CAMPAIGNS = {"queue-roundtrip": roundtrip, "queue-race": race, "queue-big": big}
