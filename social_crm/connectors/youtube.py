"""YouTube Data API v3.

``base_url``: default https://www.googleapis.com/youtube/v3; ``login``: the
channel id; ``token``: an OAuth access token with youtube.force-ssl (reads and
replies). Comment threads of the channel come newest first
(``allThreadsRelatedToChannelId``, ``order=time``); there is no since-cursor, so
the walk stops at the last saved ``publishedAt``. Quota exhaustion is a 403
``quotaExceeded`` (the daily quota resets at midnight Pacific time).
"""

from datetime import datetime, timedelta, timezone

from . import errors
from .base import BaseClient, dump_state, load_state
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, html_to_text, parse_datetime, require_str, safe_int


def seconds_to_pacific_midnight(now=None):
    now = now or datetime.now(timezone.utc)
    pacific = now - timedelta(hours=8)  # PST; during PDT the reset comes an hour earlier, we wait a little more
    next_midnight = (pacific + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (next_midnight - pacific).total_seconds()


class YoutubeClient(BaseClient):
    network = "youtube"
    label = "YouTube"
    default_base_url = "https://www.googleapis.com/youtube/v3"
    max_length = 10000

    def raise_for_error(self, response, payload):
        error = as_dict(as_dict(payload).get("error"))
        reasons = {as_dict(e).get("reason") for e in as_list(error.get("errors"))}
        message = error.get("message") or response.reason
        if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
            raise errors.RateLimited(
                "YouTube daily quota used up: fetching resumes after midnight Pacific time.",
                self.network,
                retry_after=seconds_to_pacific_midnight(),
            )
        if "rateLimitExceeded" in reasons or "userRateLimitExceeded" in reasons or response.status_code == 429:
            raise self.rate_limited(response)
        if response.status_code == 401 or reasons & {"authError", "forbidden", "insufficientPermissions"}:
            raise errors.AuthenticationFailed(f"token rejected by YouTube: log in again ({message}).", self.network)
        if response.status_code == 404 or reasons & {"commentNotFound", "channelNotFound", "videoNotFound"}:
            raise errors.NotFound(f"YouTube says this does not exist: {message}.", self.network)
        raise errors.ApiError(
            f"YouTube answered {response.status_code}: {message}.",
            self.network,
            status=response.status_code,
            code=next(iter(reasons), None),
        )

    def verify(self):
        params = {"part": "snippet,statistics"}
        params.update({"id": self.login} if self.login else {"mine": "true"})
        items = as_list(as_dict(self.request("GET", "/channels", params=params)).get("items"))
        if not items:
            raise errors.NotFound("YouTube has no such channel.", self.network)
        channel = as_dict(items[0])
        snippet = as_dict(channel.get("snippet"))
        return Author(
            external_id=require_str(channel, "id"),
            handle=snippet.get("customUrl") or "",
            name=snippet.get("title") or "",
            profile_url=f"https://www.youtube.com/channel/{channel['id']}",
            followers=safe_int(as_dict(channel.get("statistics")).get("subscriberCount")),
        )

    def _load(self, params, token):
        params = {
            **params,
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": self.own().external_id,
            "order": "time",
            "maxResults": 100,
            "textFormat": "plainText",
        }
        if token:
            params["pageToken"] = token
        payload = self.request("GET", "/commentThreads", params=params)
        return self.page_list(payload, "items", "comment threads"), payload.get("nextPageToken")

    @staticmethod
    def _published(thread):
        top = as_dict(as_dict(as_dict(thread).get("snippet")).get("topLevelComment"))
        value = as_dict(top.get("snippet")).get("publishedAt")
        try:
            return parse_datetime(value).isoformat()
        except BadItem:
            return None

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        own = self.own()
        sources = [("threads", {})] + [(f"search:{kw}", {"searchTerms": kw}) for kw in keywords if kw]
        for key, params in sources:
            for raw, source_state, has_more in self.drain(
                state.get(key, {}),
                lambda token, p=params: self._load(p, token),
                self._published,
                lambda left, right: left > right,
                max_pages,
                dated=self._published,
            ):
                state[key] = source_state
                comments = []
                for thread in raw:
                    thread = as_dict(thread)
                    snippet = as_dict(thread.get("snippet"))
                    comments.append(
                        {
                            **as_dict(snippet.get("topLevelComment")),
                            "_thread": thread.get("id"),
                            "_video": snippet.get("videoId"),
                        }
                    )
                    for reply in as_list(as_dict(thread.get("replies")).get("comments")):
                        comments.append(
                            {**as_dict(reply), "_thread": thread.get("id"), "_video": snippet.get("videoId")}
                        )
                yield self.make_page(comments, lambda r: self._normalize(r, own), dump_state(state), has_more)

    def _normalize(self, raw, own):
        comment_id = check_id(require_str(raw, "id"))
        snippet = as_dict(raw.get("snippet"))
        channel = as_dict(snippet.get("authorChannelId")).get("value")
        if not channel:
            raise BadItem("missing author channel")
        text = (
            snippet.get("textOriginal")
            if isinstance(snippet.get("textOriginal"), str)
            else html_to_text(snippet.get("textDisplay") or "")
        )
        thread_id = check_id(raw.get("_thread") or snippet.get("parentId") or comment_id, "thread id")
        video = check_id(raw.get("_video") or snippet.get("videoId") or None, "video id") or ""
        check_id(snippet.get("parentId"), "parentId")
        handle = (snippet.get("authorDisplayName") or "").lstrip("@")
        return Item(
            external_id=comment_id,
            author=Author(
                external_id=channel,
                handle=handle,
                name=snippet.get("authorDisplayName") or "",
                profile_url=snippet.get("authorChannelUrl") or f"https://www.youtube.com/channel/{channel}",
                avatar_url=snippet.get("authorProfileImageUrl") or "",
            ),
            text=clean_text(text),
            posted_at=parse_datetime(snippet.get("publishedAt")),
            url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else "",
            parent_id=snippet.get("parentId") or None,
            root_id=thread_id,
            is_own=bool(own) and channel == own.external_id,
            kind="reply" if snippet.get("parentId") else "comment",
            extra={"thread_id": thread_id, "video_id": video},
        )

    def reply(self, text, parent_id, root_id=None, extra=None):
        text = self.check_reply_text(text)
        thread_id = (extra or {}).get("thread_id") or root_id or parent_id
        self.segment(thread_id)  # an id, never a path or a URL
        created = as_dict(
            self.request(
                "POST",
                "/comments",
                params={"part": "snippet"},
                json_body={"snippet": {"parentId": thread_id, "textOriginal": text}},
            )
        )
        created.setdefault("snippet", {})
        created["snippet"].setdefault("publishedAt", datetime.now(timezone.utc).isoformat())
        created["snippet"].setdefault("authorChannelId", {"value": self.own().external_id})
        created["snippet"].setdefault("textOriginal", text)
        item = self._normalize({**created, "_thread": thread_id, "_video": (extra or {}).get("video_id")}, self.own())
        item.is_own, item.kind, item.parent_id = True, "reply", parent_id
        return item
