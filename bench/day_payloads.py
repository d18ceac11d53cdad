"""Convert labelled day lines (decisions-dev format) into each platform's real API payloads, as heard hears them.

One line becomes the payload heard's poller would receive for it: an X v2 single-tweet item
(``data`` + ``includes``), a Reddit inbox item or subreddit-listing thing, a Mastodon notification (or a
hashtag-timeline status wrapped as heard wraps it), a Bluesky notification (or a searchPosts post view) and
a YouTube ``comment`` resource as heard's thread walk hands it over. Reddit and YouTube comments carry no
author bio, so an author with one also gets a profile line (Reddit's user ``about``, a YouTube ``channel``),
which heard looks up after storing a page. The line's ``source`` picks the
endpoint: ``mention``/``reply`` come from mentions, notifications or the inbox, ``keyword`` from searches,
hashtags and subreddit listings, ``comment`` from our own content (our Reddit post's comments, our videos).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from listener.platforms.youtube import THREAD_AUTHOR

PLATFORMS = ("x", "reddit", "mastodon", "bluesky", "youtube")
# A mention in X, Mastodon or Bluesky text: the @ must not follow a word character (e-mail addresses).
_MENTION = re.compile(r"(?<![\w@])@([\w.\-]+(?:@[\w.\-]+)?)")
_X_MENTION = re.compile(r"(?<!\w)@(\w{1,15})")
_RETWEET = re.compile(r"^RT @(\w{1,15}): (.*)$", re.DOTALL)


class Day:
    """The lines of one day with what the converter needs to look up: earlier lines, people and our accounts."""

    def __init__(self, lines: Sequence[Mapping[str, Any]], accounts: Mapping[str, Mapping[str, str]]) -> None:
        self.lines = list(lines)
        self.accounts = accounts
        self.by_id: dict[str, Mapping[str, Any]] = {}
        self.handles: dict[tuple[str, str], str] = {}  # (platform, lower-case handle) -> author id
        for line in self.lines:
            self.by_id.setdefault(str(line["id"]), line)
            author = line["author"]
            self.handles[(line["platform"], str(author["handle"]).lower())] = str(author["id"])
        for platform, account in accounts.items():
            self.handles[(platform, account["handle"].lower())] = account["id"]

    def ours(self, platform: str) -> Mapping[str, str]:
        """Our account on one platform: ``{"id", "handle"}``."""
        return self.accounts[platform]

    def author_of(self, full_id: str | None, platform: str) -> str | None:
        """The author id of an earlier line; parents outside the file are our own posts (or unknown: None)."""
        if not full_id:
            return None
        line = self.by_id.get(full_id)
        if line is not None:
            return str(line["author"]["id"])
        # The day's README: every parent outside the file on X, Mastodon and Bluesky is our own post.
        return self.ours(platform)["id"] if platform in ("x", "mastodon", "bluesky") else None


def native(full_id: str) -> str:
    """The platform's own id: ``x:123`` -> ``123``."""
    return full_id.split(":", 1)[1]


def read_day(path: Path) -> list[dict[str, Any]]:
    """Every line of a day file, parsed."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def iso_ms(stamp: str) -> str:
    """``2026-11-08T06:03:11Z`` in the millisecond form X, Mastodon and Bluesky send."""
    return stamp.replace("Z", ".000Z")


def epoch(stamp: str) -> float:
    """An ISO time as epoch seconds (Reddit's ``created_utc``)."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def fake_cid(seed: str) -> str:
    """A stable content id for a Bluesky record (the day has none; heard does not read it)."""
    return "bafyrei" + hashlib.sha256(seed.encode()).hexdigest()[:52]


# -- X (API v2) --------------------------------------------------------------------------------


def x_user(author: Mapping[str, Any]) -> dict[str, Any]:
    """An X v2 user object; an account X labels "automated" carries the label in ``affiliation``."""
    user: dict[str, Any] = {
        "id": str(author["id"]),
        "username": author["handle"],
        "name": author["name"],
        "description": author["bio"],
        "public_metrics": {"followers_count": author.get("followers", 0)},
    }
    if author.get("is_bot_account"):
        user["affiliation"] = {"description": "Automated"}
    return user


def x_mentions(text: str, day: Day) -> list[dict[str, Any]]:
    """``entities.mentions`` as X computes them from the text (character offsets)."""
    out = []
    for found in _X_MENTION.finditer(text):
        mention: dict[str, Any] = {"start": found.start(), "end": found.end(), "username": found.group(1)}
        known = day.handles.get(("x", found.group(1).lower()))
        if known:
            mention["id"] = known
        out.append(mention)
    return out


def x_retweeted(line: Mapping[str, Any], day: Day) -> Mapping[str, Any] | None:
    """The earlier line a ``RT @handle: …`` text retweets, if it is in the day."""
    found = _RETWEET.match(str(line["text"]))
    if not found:
        return None
    handle, body = found.group(1).lower(), found.group(2).rstrip("…").strip()
    for other in day.lines:
        if other is line:
            break
        same_author = other["platform"] == "x" and str(other["author"]["handle"]).lower() == handle
        if same_author and str(other["text"]).startswith(body[:60]):
            return other
    return None


def x_payload(line: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """One tweet as heard's X client hands it over: ``{"data": tweet, "includes": {"users", "tweets"}}``."""
    text = str(line["text"])
    tweet: dict[str, Any] = {
        "id": native(line["id"]),
        # X sends &, < and > escaped in v2 text.
        "text": html.escape(text, quote=False),
        "author_id": str(line["author"]["id"]),
        "created_at": iso_ms(line["created_at"]),
        "conversation_id": native(line["conversation_id"]),
        "lang": line.get("lang") or "und",
        "edit_history_tweet_ids": [native(line["id"])],
    }
    users = [x_user(line["author"])]
    referenced: list[dict[str, Any]] = []
    if line.get("parent_id"):
        parent_author = day.author_of(line["parent_id"], "x")
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": native(line["parent_id"])}]
        if parent_author:
            tweet["in_reply_to_user_id"] = parent_author
            referenced.append({"id": native(line["parent_id"]), "author_id": parent_author})
    retweeted = x_retweeted(line, day)
    if _RETWEET.match(text):
        original = native(retweeted["id"]) if retweeted else "0"
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": original}]
        if retweeted:
            referenced.append({"id": original, "author_id": str(retweeted["author"]["id"]), "text": retweeted["text"]})
    mentions = x_mentions(text, day)
    if mentions:
        tweet["entities"] = {"mentions": mentions}
    for ref in referenced:
        ref_line = day.by_id.get(f"x:{ref['id']}")
        if ref_line and ref_line["author"]["id"] != line["author"]["id"]:
            users.append(x_user(ref_line["author"]))
        elif ref["author_id"] == day.ours("x")["id"] and ref["author_id"] != line["author"]["id"]:
            users.append({"id": ref["author_id"], "username": day.ours("x")["handle"], "name": "", "description": ""})
    includes: dict[str, Any] = {"users": users}
    if referenced:
        includes["tweets"] = referenced
    return {"data": tweet, "includes": includes}


# -- Reddit ------------------------------------------------------------------------------------


def reddit_payload(line: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """A Reddit thing: an inbox item for mentions and replies to us, a listing thing for everything else."""
    fullname = native(line["id"])
    kind, short = fullname.split("_", 1)
    author = line["author"]
    data: dict[str, Any] = {
        "id": short,
        "name": fullname,
        "author": author["handle"],
        "author_fullname": author["id"],
        "created": epoch(line["created_at"]),
        "created_utc": epoch(line["created_at"]),
        "subreddit": "manchester",
        "score": 1,
    }
    if kind == "t3":
        title, _, selftext = str(line["text"]).partition("\n\n")
        data.update(title=title.strip("*"), selftext=selftext, permalink=f"/r/manchester/comments/{short}/_/")
        return {"kind": "t3", "data": data}
    parent, submission = native(line["parent_id"]), native(line["conversation_id"])
    ours = day.ours("reddit")
    parent_author = day.author_of(line["parent_id"], "reddit")
    submission_author = day.author_of(line["conversation_id"], "reddit")
    data.update(body=line["text"], parent_id=parent)
    inbox_type = None
    if line["source"] == "mention":
        inbox_type = "username_mention"
    elif parent_author == ours["id"]:
        inbox_type = "post_reply" if parent.startswith("t3_") else "comment_reply"
    if inbox_type:
        # Inbox items carry no link_id or permalink: the thread is in ``context``.
        data.update(
            type=inbox_type,
            context=f"/r/manchester/comments/{submission.removeprefix('t3_')}/_/{short}/?context=3",
            dest=ours["handle"],
            subject={"username_mention": "username mention", "post_reply": "post reply"}.get(
                inbox_type, "comment reply"
            ),
            was_comment=True,
            new=True,
        )
        return {"kind": "t1", "data": data}
    # A subreddit comments listing: link_author says whose submission the comment sits under.
    data.update(link_id=submission, permalink=f"/r/manchester/comments/{submission.removeprefix('t3_')}/_/{short}/")
    if submission_author == ours["id"]:
        data["link_author"] = ours["handle"]
    return {"kind": "t1", "data": data}


# -- Mastodon ----------------------------------------------------------------------------------


def mastodon_handle(handle: str, day: Day) -> str:
    """The ``acct`` Mastodon gives: local accounts (on our instance) without their domain."""
    domain = day.ours("mastodon")["handle"].partition("@")[2]
    return handle.removesuffix(f"@{domain}") if domain else handle


def mastodon_account(author: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """A Mastodon account entity: ``bot`` is the platform's flag, ``note`` is HTML."""
    acct = mastodon_handle(str(author["handle"]), day)
    username, _, domain = acct.partition("@")
    home = domain or day.ours("mastodon")["handle"].partition("@")[2] or "mastodon.example"
    bio = str(author["bio"])
    return {
        "id": str(author["id"]),
        "username": username,
        "acct": acct,
        "display_name": author["name"],
        "bot": bool(author.get("is_bot_account")),
        "note": f"<p>{html.escape(bio, quote=False)}</p>" if bio else "",
        "url": f"https://{home}/@{username}",
        "followers_count": author.get("followers", 0),
        "locked": False,
        "group": False,
    }


def mastodon_content(text: str) -> tuple[str, list[str]]:
    """Plain text as Mastodon's status HTML (mentions as h-cards), and the accts it mentions."""
    mentioned: list[str] = []

    def card(found: re.Match[str]) -> str:
        mentioned.append(found.group(1))
        link = f'<a href="#" class="u-url mention">@<span>{found.group(1)}</span></a>'
        return f'<span class="h-card" translate="no">{link}</span>'

    paragraphs = []
    for para in text.split("\n\n"):
        escaped = html.escape(para, quote=False).replace("\n", "<br />")
        paragraphs.append("<p>" + _MENTION.sub(card, escaped) + "</p>")
    return "".join(paragraphs), mentioned


def mastodon_payload(line: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """A mention notification with its status, or (keyword) a hashtag-timeline status wrapped as heard wraps it."""
    content, mentioned = mastodon_content(str(line["text"]))
    account = mastodon_account(line["author"], day)
    sid = native(line["id"])
    ours = day.ours("mastodon")
    mentions = []
    for acct in mentioned:
        known = day.handles.get(("mastodon", acct.lower())) or day.handles.get(
            ("mastodon", f"{acct}@{ours['handle'].partition('@')[2]}".lower())
        )
        mentions.append({"id": known or "", "username": acct.split("@")[0], "acct": mastodon_handle(acct, day)})
    parent = line.get("parent_id")
    status = {
        "id": sid,
        "created_at": iso_ms(line["created_at"]),
        "in_reply_to_id": native(parent) if parent else None,
        "in_reply_to_account_id": day.author_of(parent, "mastodon") if parent else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": line.get("lang"),
        "uri": f"{account['url']}/statuses/{sid}",
        "url": f"{account['url']}/{sid}",
        "content": content,
        "account": account,
        "mentions": mentions,
        "tags": [],
        "reblog": None,
    }
    kind = "tag" if line["source"] == "keyword" else "mention"
    return {"id": sid, "type": kind, "created_at": status["created_at"], "account": account, "status": status}


# -- Bluesky -----------------------------------------------------------------------------------


def bluesky_author(author: Mapping[str, Any]) -> dict[str, Any]:
    """A Bluesky profile view; an account that says it is a bot carries the self-label ``bot``."""
    did = str(author["id"])
    labels = []
    if author.get("is_bot_account"):
        labels.append(
            {
                "src": did,
                "uri": f"at://{did}/app.bsky.actor.profile/self",
                "cid": fake_cid(did + "/profile"),
                "val": "bot",
                "cts": "2025-01-01T00:00:00.000Z",
            }
        )
    return {
        "did": did,
        "handle": author["handle"],
        "displayName": author["name"],
        "description": author["bio"],
        "labels": labels,
    }


def bluesky_facets(text: str, day: Day) -> list[dict[str, Any]]:
    """Mention facets with UTF-8 byte offsets, for handles we know the DID of."""
    facets = []
    for found in _MENTION.finditer(text):
        did = day.handles.get(("bluesky", found.group(1).lower().rstrip(".")))
        if not did:
            continue
        start = len(text[: found.start()].encode())
        end = start + len(found.group(0).encode())
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                "index": {"byteStart": start, "byteEnd": end},
            }
        )
    return facets


def bluesky_payload(line: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """A listNotifications item (mention/reply) or a searchPosts post view (keyword)."""
    uri = native(line["id"])
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": line["text"],
        "createdAt": iso_ms(line["created_at"]),
        "langs": [line["lang"]] if line.get("lang") not in (None, "und", "zxx") else [],
    }
    facets = bluesky_facets(str(line["text"]), day)
    if facets:
        record["facets"] = facets
    if line.get("parent_id"):
        parent, root = native(line["parent_id"]), native(line["conversation_id"])
        record["reply"] = {
            "root": {"uri": root, "cid": fake_cid(root)},
            "parent": {"uri": parent, "cid": fake_cid(parent)},
        }
    payload: dict[str, Any] = {
        "uri": uri,
        "cid": fake_cid(uri),
        "author": bluesky_author(line["author"]),
        "record": record,
        "indexedAt": iso_ms(line["created_at"]).replace(".000Z", ".600Z"),
        "labels": [],
    }
    if line["source"] in ("mention", "reply"):
        payload.update(reason=line["source"], isRead=False)
        if line["source"] == "reply":
            payload["reasonSubject"] = native(line["parent_id"])
    else:
        payload.update(replyCount=0, repostCount=0, likeCount=0, quoteCount=0)
    return payload


# -- YouTube -----------------------------------------------------------------------------------


def youtube_payload(line: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """A ``comment`` resource as heard's thread walk yields it: the thread's videoId and channelId merged in."""
    author = line["author"]
    parent = line.get("parent_id")
    parent_is_comment = bool(parent) and parent in day.by_id
    video = native(line["conversation_id"])
    snippet: dict[str, Any] = {
        "videoId": video,
        "channelId": day.ours("youtube")["id"],  # the channel that owns the video: ours
        "textDisplay": html.escape(str(line["text"]), quote=False),
        "textOriginal": line["text"],
        "authorDisplayName": author["handle"],  # YouTube shows the @handle, not a display name
        "authorProfileImageUrl": "https://yt3.ggpht.com/a/default-user=s48-c-k-c0x00ffffff-no-rj",
        "authorChannelUrl": f"http://www.youtube.com/{author['handle']}",
        "authorChannelId": {"value": author["id"]},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": line["created_at"],
        "updatedAt": line["created_at"],
    }
    item: dict[str, Any] = {"kind": "youtube#comment", "etag": fake_cid(line["id"])[:27], "id": native(line["id"])}
    if parent_is_comment:
        snippet["parentId"] = native(str(parent))
        starter = day.author_of(parent, "youtube")
        if starter:
            item[THREAD_AUTHOR] = starter
    item["snippet"] = snippet
    return item


# -- profiles (Reddit and YouTube comments carry no bio; heard looks the profile up) -------------------


def reddit_profile(author: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /user/<name>/about`` as Reddit answers it: the account, with its profile subreddit's description."""
    name, fullname = str(author["handle"]), str(author["id"])
    return {
        "kind": "t2",
        "data": {
            "id": fullname.removeprefix("t2_"),
            "name": name,
            "created": 1.5e9,
            "created_utc": 1.5e9,
            "link_karma": 1,
            "comment_karma": 1,
            "total_karma": 2,
            "is_employee": False,
            "is_mod": False,
            "verified": True,
            "has_verified_email": True,
            "accept_followers": True,
            "icon_img": "https://www.redditstatic.com/avatars/defaults/v2/avatar_default_1.png",
            "subreddit": {
                "display_name": f"u_{name}",
                "display_name_prefixed": f"u/{name}",
                "name": "t5_" + hashlib.sha256(fullname.encode()).hexdigest()[:7],
                "title": "",
                "public_description": author["bio"],
                "description": "",
                "subreddit_type": "user",
                "url": f"/user/{name}/",
                "subscribers": author.get("followers", 0),
                "over_18": False,
            },
        },
    }


def youtube_profile(author: Mapping[str, Any]) -> dict[str, Any]:
    """A ``channel`` resource as ``channels.list(part="snippet", id=...)`` returns it among its items."""
    bio, title = str(author["bio"]), str(author["name"])
    return {
        "kind": "youtube#channel",
        "etag": fake_cid(str(author["id"]))[:27],
        "id": str(author["id"]),
        "snippet": {
            "title": title,
            "description": bio,
            "customUrl": str(author["handle"]).lower(),
            "publishedAt": "2019-03-01T12:00:00Z",
            "thumbnails": {
                "default": {"url": "https://yt3.ggpht.com/a/default-user=s88-c-k-c0x00ffffff-no-rj", "width": 88}
            },
            "localized": {"title": title, "description": bio},
        },
    }


PROFILES = {"reddit": reddit_profile, "youtube": youtube_profile}


def profile_lines(day: Day) -> Iterable[dict[str, Any]]:
    """One ``{"platform", "profile"}`` per Reddit or YouTube author with profile text, first appearance first."""
    seen: set[tuple[str, str]] = set()
    for line in day.lines:
        platform, author = str(line["platform"]), line["author"]
        key = (platform, str(author["id"]))
        if platform in PROFILES and author.get("bio") and key not in seen:
            seen.add(key)
            yield {"platform": platform, "profile": PROFILES[platform](author)}


CONVERTERS = {
    "x": x_payload,
    "reddit": reddit_payload,
    "mastodon": mastodon_payload,
    "bluesky": bluesky_payload,
    "youtube": youtube_payload,
}


def payload(line: Mapping[str, Any], day: Day) -> dict[str, Any]:
    """The real-shape payload heard's poller would hand over for one day line."""
    return CONVERTERS[str(line["platform"])](line, day)


def recording_lines(day: Day) -> Iterable[str]:
    """The replay recording: our accounts, the authors' profiles, then one ``{"platform", "payload"}`` a line."""
    yield json.dumps({"heard_recording": 1, "accounts": dict(day.accounts)}, ensure_ascii=False)
    for profile in profile_lines(day):
        yield json.dumps(profile, ensure_ascii=False)
    for line in day.lines:
        yield json.dumps({"platform": line["platform"], "payload": payload(line, day)}, ensure_ascii=False)


def write_recording(day: Day, path: Path) -> None:
    """Write the replay recording for a day (``expect`` never reaches it: payloads are built field by field)."""
    path.write_text("\n".join(recording_lines(day)) + "\n", encoding="utf-8")
