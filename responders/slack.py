"""Deliver escalation digests and operational alerts to Slack as Block Kit messages (slack_sdk models)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.webhook import WebhookClient

from listener.errors import ConfigError, HeardError
from listener.records import priority_rank
from responders.escalate import Overdue, notice_label
from responders.wording import ELLIPSIS, clip, waited

if TYPE_CHECKING:
    from responders.alerts import AlertChange

MAX_BLOCKS = 50
HEADER_CHARS = 150
COMMENT_CHARS = 300
REPLY_CHARS = 300
# The longest Retry-After we sleep through inside a job; a longer one is recorded and the
# notices wait for a later pass, so a rate limit never holds up the service's shutdown.
MAX_RETRY_WAIT = 5
# Lookalikes for mrkdwn's control characters: Slack has no escape for them.
_MRKDWN_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


class SlackError(HeardError):
    """Slack did not take a message."""


class SlackRateLimited(SlackError):
    """Slack asked us to wait until retry_at before the next message."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


# -- escaping ------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack requires, so no ``<!channel>`` or ``<url|label>`` survives."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_mrkdwn(text: str) -> str:
    """Make untrusted text inert inside a mrkdwn field: escaped, unformatted, and pinging no one."""
    text = escape(text).translate(_MRKDWN_LOOKALIKES)
    for word in ("@channel", "@here", "@everyone"):
        text = text.replace(word, "@\u2060" + word[1:])
    return text


def plain(text: str, limit: int = 2900) -> PlainTextObject:
    """Make a plain_text object: Slack renders it literally, without mrkdwn, links or mentions.

    The text is cut so that it fits ``limit`` once escaped: each ``&``, ``<`` or ``>`` grows to an entity.
    """
    shown = escape(text)
    if len(shown) > limit:
        kept, size = [], 1  # room for the ellipsis
        for part in map(escape, text):
            if size + len(part) > limit:
                break
            kept.append(part)
            size += len(part)
        shown = "".join(kept) + ELLIPSIS
    return PlainTextObject(text=shown or " ", emoji=True)


def mrkdwn(text: str) -> MarkdownTextObject:
    """Make a mrkdwn object from text whose untrusted parts were made inert with `escape_mrkdwn`."""
    return MarkdownTextObject(text=text)


# -- the digest ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """One Slack message and the items it shows in full."""

    text: str
    blocks: list[dict[str, Any]]
    shown: list[Overdue]


def build_digest(
    items: Sequence[Overdue], *, now: datetime, queue_file: str = "the queue file", max_items: int = 20
) -> Digest:
    """Build one digest of the most urgent items, grouped by priority and platform, within Slack's limits."""
    batch = sorted(items[:max_items], key=lambda o: (priority_rank(o.priority), o.platform, o.created_at))
    oldest = waited(min(o.created_at for o in items), now)
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                plain(
                    f"Oldest waited {oldest}. Approve a suggestion with \u201cheard approve ID\u201d, "
                    f"or mark it approve in {queue_file}."
                )
            ]
        )
    ]
    shown: list[Overdue] = []
    group: tuple[str, str] | None = None
    for o in batch:
        part = _item_blocks(o, now=now, index=len(shown))
        if (o.priority, o.platform) != group:
            part.insert(
                0, _group_block(o, sum(1 for b in batch if (b.priority, b.platform) == (o.priority, o.platform)))
            )
        # One block for the header to come, and one kept for "+N more".
        if 1 + len(blocks) + len(part) > MAX_BLOCKS - 1:
            break
        blocks += part
        shown.append(o)
        group = (o.priority, o.platform)
    rest = len(items) - len(shown)
    if rest:
        more = f"+{rest} more waiting past the SLA: they follow in the next digest (or see heard status)."
        blocks.append(ContextBlock(elements=[plain(more)]))
    header = HeaderBlock(text=plain(_headline(len(items), len(shown)), HEADER_CHARS))
    return Digest(_fallback(shown, len(items)), _dicts([header, *blocks]), shown)


def _headline(total: int, shown: int) -> str:
    noun = "comment" if total == 1 else "comments"
    part = f" (showing {shown})" if shown < total else ""
    return f"{total} {noun} waiting past the SLA{part}"


def _group_block(o: Overdue, count: int) -> SectionBlock:
    platform, priority = escape_mrkdwn(o.platform), escape_mrkdwn(o.priority)
    return SectionBlock(text=mrkdwn(f"*{platform}* \u00b7 {priority} priority \u00b7 {count} waiting"))


def _item_blocks(o: Overdue, *, now: datetime, index: int) -> list[Block]:
    head = (
        f"{o.author or 'someone'} \u00b7 waited {waited(o.created_at, now)} \u00b7 {notice_label(o.step)} \u00b7 "
        f"due {o.due_at:%Y-%m-%d %H:%M} UTC \u00b7 {o.intent or 'other'}"
    )
    text = plain(f"{clip(head, 200)}\n\u201c{clip(o.text, COMMENT_CHARS)}\u201d")
    button = None
    if o.url.startswith(("https://", "http://")) and len(o.url) <= 3000:
        button = ButtonElement(text=plain("Open"), url=o.url, action_id=f"open-{index}")
    if o.rejected:
        hint = [plain(f"Draft rejected: write a reply in the queue file and approve, or heard dismiss {o.comment_id}")]
    elif o.suggested_reply:
        hint = [
            plain(f"Suggested reply: \u201c{clip(o.suggested_reply, REPLY_CHARS)}\u201d"),
            plain(f"Approve: heard approve {o.comment_id}"),
        ]
    else:
        hint = [plain(f"No suggested reply: answer on {o.platform}, then heard dismiss {o.comment_id}")]
    return [SectionBlock(text=text, accessory=button), ContextBlock(elements=hint)]


def _fallback(shown: Sequence[Overdue], total: int) -> str:
    # The top-level text is read as mrkdwn in notifications: nothing untrusted goes in unescaped.
    who = ", ".join(f"{escape_mrkdwn(clip(o.author, 40))} on {escape_mrkdwn(o.platform)}" for o in shown[:5])
    more = f" and {total - min(len(shown), 5)} more" if total > min(len(shown), 5) else ""
    return f"{_headline(total, total)}: {who}{more}"


def build_alert_message(changes: Sequence[AlertChange]) -> tuple[str, list[dict[str, Any]]]:
    """Build the text and blocks announcing operational alerts raised or recovered."""
    raised = sum(1 for c in changes if not c.recovered)
    head = f"heard: {raised} problem{'s' * (raised != 1)}" if raised else "heard: recovered"
    if raised and len(changes) > raised:
        head += f", {len(changes) - raised} recovered"
    blocks: list[Block] = [HeaderBlock(text=plain(head, HEADER_CHARS))]
    for change in changes[: MAX_BLOCKS - 2]:
        mark = "\u2705 recovered" if change.recovered else "\U0001f534 alert"
        blocks.append(SectionBlock(text=plain(f"{mark}: {change.message}")))
    if len(changes) > MAX_BLOCKS - 2:
        blocks.append(ContextBlock(elements=[plain(f"+{len(changes) - MAX_BLOCKS + 2} more")]))
    return escape_mrkdwn(head), _dicts(blocks)


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    # to_dict() validates each block against Block Kit's limits as it serialises.
    return [block.to_dict() for block in blocks]


# -- delivery --------------------------------------------------------------------------------


class ShortRateLimitRetry(RateLimitErrorRetryHandler):
    """Honour Slack's 429 Retry-After by waiting, but only when the wait is short."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _retry_after(response.headers) <= MAX_RETRY_WAIT


class SlackNotifier:
    """Deliver digests and alerts through an incoming webhook, or a bot token and a channel."""

    channel = "slack"

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        token: str | None = None,
        channel_id: str | None = None,
        base_url: str | None = None,
        queue_file: str = "the queue file",
        max_items: int = 20,
        secrets: Iterable[str] = (),
        timeout: int = 10,
        retries: int = 2,
    ) -> None:
        handlers: list[RetryHandler] = [ShortRateLimitRetry(max_retry_count=retries)]
        if webhook_url:
            self._webhook: WebhookClient | None = WebhookClient(
                url=webhook_url, timeout=timeout, retry_handlers=handlers
            )
            self._web: WebClient | None = None
        elif token and channel_id:
            self._webhook = None
            # urljoin drops the last path segment without the slash: .../api + chat.postMessage -> .../chat...
            base = base_url.rstrip("/") + "/" if base_url else WebClient.BASE_URL
            self._web = WebClient(token=token, base_url=base, timeout=timeout, retry_handlers=handlers)
        else:
            raise ConfigError("Slack needs SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN and SLACK_CHANNEL")
        self.channel_id = channel_id
        self.queue_file, self.max_items = queue_file, max_items
        self._secrets = sorted({s for s in [webhook_url, token, *secrets] if s and len(s) >= 4}, key=len, reverse=True)
        self.not_before: datetime | None = None

    @classmethod
    def from_secrets(cls, variables: Mapping[str, str], **options: Any) -> SlackNotifier | None:
        """Make a notifier from the SLACK_* variables, or None when Slack is not configured."""
        get = variables.get
        if not (get("SLACK_WEBHOOK_URL") or get("SLACK_BOT_TOKEN")):
            return None
        return cls(
            webhook_url=get("SLACK_WEBHOOK_URL"),
            token=get("SLACK_BOT_TOKEN"),
            channel_id=get("SLACK_CHANNEL"),
            base_url=get("SLACK_BASE_URL"),
            **options,
        )

    def deliver(self, items: Sequence[Overdue], *, now: datetime) -> list[Overdue]:
        """Send one digest; return the items it showed in full (the rest go in the next one)."""
        digest = build_digest(items, now=now, queue_file=self.queue_file, max_items=self.max_items)
        self._send(digest.text, digest.blocks, now=now)
        return digest.shown

    def announce(self, changes: Sequence[AlertChange], *, now: datetime) -> None:
        """Send one message announcing alerts raised and recovered."""
        text, blocks = build_alert_message(changes)
        self._send(text, blocks, now=now)

    def _send(self, text: str, blocks: list[dict[str, Any]], *, now: datetime) -> None:
        if self.not_before and now < self.not_before:
            raise SlackRateLimited(f"Slack rate limit: waiting until {self.not_before:%H:%M:%S}", self.not_before)
        text, blocks = self._scrub(text, blocks)
        try:
            status, headers, error = self._post(text, blocks)
        except SlackError:
            raise
        except Exception as exc:  # urllib and slack_sdk errors, translated without their URLs or tokens
            raise SlackError(f"Slack delivery failed: {type(exc).__name__}") from None
        if status == 429:
            self.not_before = now + timedelta(seconds=max(1, _retry_after(headers)))
            raise SlackRateLimited(f"Slack rate limit: retry after {self.not_before:%H:%M:%S}", self.not_before)
        if status != 200 or error:
            raise SlackError(f"Slack refused the message: HTTP {status} {error or ''}".strip())
        self.not_before = None

    def _post(self, text: str, blocks: list[dict[str, Any]]) -> tuple[int, Mapping[str, Any], str | None]:
        if self._webhook is not None:
            resp = self._webhook.send(text=text, blocks=blocks, unfurl_links=False, unfurl_media=False)
            return resp.status_code, resp.headers, None if resp.body == "ok" else clip(resp.body, 80)
        assert self._web is not None and self.channel_id is not None  # the constructor needs both for a bot
        try:
            self._web.chat_postMessage(
                channel=self.channel_id, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as exc:
            response = exc.response
            return response.status_code, response.headers, str(response.get("error") or "not ok")
        return 200, {}, None

    def _scrub(self, text: str, blocks: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        # A secret can reach a message only through an error text; scrub the whole payload to be sure.
        raw = json.dumps({"text": text, "blocks": blocks})
        if not any(s in raw for s in self._secrets):
            return text, blocks
        for secret in self._secrets:
            raw = raw.replace(secret, "***")
        clean = json.loads(raw)
        return clean["text"], clean["blocks"]


def _retry_after(headers: Mapping[str, Any]) -> int:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return int(float(value))
            except (TypeError, ValueError):
                return 1
    return 1
