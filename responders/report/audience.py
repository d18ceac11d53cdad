"""Compute audience health: engagement rate of the user's own posts, against typical bands by size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from responders.report.figures import quantile, week_of

# Typical engagement per post as a share of followers, by follower tier: (tier, up to, low, high).
# These are rough industry rules of thumb, not measurements: commonly cited benchmark reports agree
# that the rate falls as an audience grows, and that X and Facebook sit lower than Instagram or
# TikTok. Treat them as an order-of-magnitude check; docs/report.md says where they come from.
TIERS: tuple[tuple[str, float, float, float], ...] = (
    ("under 1k", 1_000, 0.02, 0.06),
    ("1k-10k", 10_000, 0.01, 0.04),
    ("10k-100k", 100_000, 0.005, 0.02),
    ("100k-1M", 1_000_000, 0.002, 0.01),
    ("over 1M", float("inf"), 0.0005, 0.005),
)
# "Far below" means under half the low end of the tier's band.
FAR_BELOW = 0.5
ENGAGEMENTS = ("likes", "reposts", "replies", "quotes")


def engagements(post: dict[str, Any]) -> int:
    """Likes, reposts, replies and quotes of one post (missing metrics count as zero)."""
    return sum(int(post.get(k) or 0) for k in ENGAGEMENTS)


def tier(followers: float) -> dict[str, Any]:
    """Find the follower tier an account of this size falls in, with its typical band."""
    name, _, low, high = next(t for t in TIERS if followers < t[1])
    return {"tier": name, "typical_low": low, "typical_high": high}


def audience(posts: Sequence[dict[str, Any]], *, now: datetime) -> dict[str, Any]:
    """Per-post engagement rate, its weekly distribution, and a plain flag when far below typical."""
    rated = [p for p in posts if p.get("followers_at_post")]
    if not rated:
        return {
            "posts": len(posts),
            "has_data": False,
            "message": "No data about your own posts yet: engagement rate appears here once the "
            "platforms' metrics for your posts are fetched into own_posts.",
        }
    rates = [engagements(p) / p["followers_at_post"] for p in rated]
    platforms = _by_platform(rated)
    tiers = {g["tier"] for g in platforms.values()}
    return {
        "posts": len(posts),
        "has_data": True,
        "rated_posts": len(rated),
        "median_rate": quantile(rates, 0.5),
        "p25_rate": quantile(rates, 0.25),
        "p75_rate": quantile(rates, 0.75),
        "median_views": quantile([p["views"] for p in rated if p.get("views")], 0.5),
        "by_platform": platforms,
        "weekly": _weekly(rated, now),
        # One reference band for the chart only when every account sits in the same tier.
        "reference": tier_band(next(iter(tiers))) if len(tiers) == 1 else None,
        "flags": [g["flag"] for g in platforms.values() if g["flag"]],
        "top_posts": _top(rated),
    }


def tier_band(name: str) -> dict[str, Any]:
    """Look up the typical band of a tier by its name."""
    _, _, low, high = next(t for t in TIERS if t[0] == name)
    return {"tier": name, "typical_low": low, "typical_high": high}


def _by_platform(rated: Sequence[dict[str, Any]]) -> dict[str, Any]:
    # Each platform is its own account with its own audience, so each is compared with its own tier.
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in rated:
        groups[p["platform"]].append(p)
    out = {}
    for name, posts in sorted(groups.items()):
        rates = [engagements(p) / p["followers_at_post"] for p in posts]
        followers = quantile([p["followers_at_post"] for p in posts], 0.5) or 0.0
        median = quantile(rates, 0.5) or 0.0
        band = tier(followers)
        out[name] = {
            "posts": len(posts),
            "median_followers": followers,
            "median_rate": median,
            **band,
            "far_below": median < FAR_BELOW * band["typical_low"],
            "flag": _flag(name, median, followers, band, len(posts)),
        }
    return out


def _weekly(rated: Sequence[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    weeks: dict[int, list[float]] = defaultdict(list)
    for p in rated:
        weeks[week_of(datetime.fromisoformat(p["created_at"]), now)].append(engagements(p) / p["followers_at_post"])
    return [
        {
            "week_start": (now - timedelta(days=7 * (back + 1))).date().isoformat(),
            "posts": len(weeks[back]),
            "median_rate": quantile(weeks[back], 0.5),
            "p25_rate": quantile(weeks[back], 0.25),
            "p75_rate": quantile(weeks[back], 0.75),
        }
        for back in sorted(weeks, reverse=True)
    ]


def _flag(platform: str, median: float, followers: float, band: dict[str, Any], n: int) -> str | None:
    if median >= FAR_BELOW * band["typical_low"]:
        return None
    return (
        f"On {platform}, your posts' median engagement rate is {median:.2%} of followers "
        f"(over {n} posts, median {followers:,.0f} followers). "
        f"Accounts of {band['tier']} followers usually see about "
        f"{band['typical_low']:.1%}-{band['typical_high']:.1%} (a rough rule of thumb): yours is "
        f"less than half the low end. Posts may be reaching few of your followers, or not asking "
        f"for a response."
    )


def _top(rated: Sequence[dict[str, Any]], limit: int = 5) -> list[dict[str, Any]]:
    best = sorted(rated, key=lambda p: -engagements(p) / p["followers_at_post"])[:limit]
    return [
        {
            "platform": p["platform"],
            "url": p["url"],
            "created_at": p["created_at"],
            "engagements": engagements(p),
            "rate": engagements(p) / p["followers_at_post"],
        }
        for p in best
    ]
