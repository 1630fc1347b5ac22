# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Threads API (``graph.threads.net``) on a loopback server, answering as Meta's Threads documentation shows.

No Odoo import: the pure tests (``tests/connectors/test_threads.py``) and the Odoo tests share it. It answers
what the client asks with payloads shaped as these documents show them (developers.facebook.com/docs/threads):

- *Retrieve and Manage Replies / Reply Management reference*: ``GET /{media-id}/conversation`` (``reverse``,
  ``after``), items ``{id, text, username, permalink, timestamp, media_type, shortcode, is_reply, replied_to{id},
  root_post{id}, hide_status}``, lists ``{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}``;
- *Mentions*: ``GET /{threads-user-id}/mentions``;
- *Keyword and Topic Tag Search*: ``GET /keyword_search?q=&search_type=RECENT`` (an empty answer for nothing);
- *Posts* and the *Publishing reference*: ``POST /{threads-user-id}/threads`` (``media_type`` TEXT / IMAGE /
  CAROUSEL, ``text``, ``image_url``, ``alt_text``, ``link_attachment``, ``reply_to_id``, ``is_carousel_item``,
  ``children``) answering ``{"id"}``, ``GET /{container-id}?fields=status,error_message`` (*Troubleshooting*),
  ``POST /{threads-user-id}/threads_publish`` (``creation_id``) answering ``{"id"}``;
- *Insights*: ``GET /{media-id}/insights?metric=...`` answering ``{"data": [{name, period, values: [{value}],
  title, description, id}]}``;
- *Overview, rate limits* and *Reply Management*: ``GET /{threads-user-id}/threads_publishing_limit?fields=
  quota_usage,config`` (or ``reply_quota_usage,reply_config``) answering ``{"data": [{"quota_usage": 4, "config":
  {"quota_total": 250, "quota_duration": 86400}}]}``;
- *User profiles*: ``GET /me?fields=id,username,name,threads_profile_picture_url,threads_biography``;
- Graph API errors ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` (code 190:
  invalid token; code 4: request limit reached).

``ThreadsGraph(server)`` takes over a ``LoopbackServer`` (any path is answered by ``dispatch``).
"""

import itertools
from urllib.parse import parse_qs

USER_ID = "17841401234567890"
BRAND = {
    "id": USER_ID,
    "username": "acme.support",
    "name": "Acme Support",
    "threads_profile_picture_url": "https://scontent.cdninstagram.com/acme.jpg",
    "threads_biography": "Acme customer care",
}
TEXT_LIMIT = 500


def media(media_id, username, text, timestamp, replied_to=None, root=None, media_type="TEXT_POST"):
    """A Threads media object as the Reply Management and Mentions endpoints return it."""
    item = {
        "id": media_id,
        "text": text,
        "username": username,
        "permalink": f"https://www.threads.com/@{username}/post/C{media_id[-6:]}",
        "timestamp": timestamp,
        "media_type": media_type,
        "shortcode": f"C{media_id[-6:]}",
        "is_reply": bool(replied_to),
        "hide_status": "NOT_HUSHED",
    }
    if replied_to:
        item["replied_to"] = {"id": replied_to}
        item["root_post"] = {"id": root or replied_to}
    return item


def graph_error(message, code, status=400, subcode=None, kind="OAuthException"):
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "A1b2C3d4E5f"}
    if subcode:
        error["error_subcode"] = subcode
    return status, {}, {"error": error}


class _Routes(dict):
    def __init__(self, fallback):
        super().__init__()
        self.fallback = fallback

    def get(self, key, default=None):
        return super().get(key) or (lambda request: self.fallback(key[0], key[1], request))


class ThreadsGraph:
    def __init__(self, server, token="threads-token", prefix=""):
        self.server = server
        self.prefix = prefix.rstrip("/")
        self.tokens = {token}
        self.mentions = []  # newest first
        self.posts = []  # the brand's posts, newest first: {"id", "timestamp", "permalink", "has_replies"}
        self.conversations = {}  # post id -> replies at any depth, newest first
        self.search = {}  # keyword -> results, newest first
        self.containers = {}  # container id -> {"data", "status": [...], "published": media id}
        self.published = []  # media ids published, in order
        self.media = {}  # media id -> media object (published by the brand)
        self.insights = {}  # media id -> {metric: value}
        self.throttled = set()  # paths answering "request limit reached"
        self.image_states = ["IN_PROGRESS", "FINISHED"]
        self.quota_usage = {"posts": 0, "replies": 0}  # added to what was published here
        self.ids = itertools.count(18000000000000001)
        server.routes = _Routes(self.dispatch)

    @property
    def url(self):
        return self.server.url + self.prefix

    def requests(self, method=None, path=None):
        return [
            r
            for r in self.server.requests
            if (method is None or r["method"] == method) and (path is None or r["path"] == self.prefix + path)
        ]

    # ------------------------------------------------------------------

    def dispatch(self, method, path, request):
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        auth = request["headers"].get("Authorization") or ""
        if auth[len("Bearer ") :] not in self.tokens:
            return graph_error("Error validating access token: Session has expired.", 190, subcode=463)
        if path in self.throttled:
            return graph_error("Application request limit reached", 4)
        query = {k: v[-1] for k, v in request["query"].items()}
        form = {k: v[-1] for k, v in parse_qs(request["body"].decode(), keep_blank_values=True).items()}
        parts = path.strip("/").split("/")
        if method == "GET" and path in ("/me", f"/{USER_ID}"):
            return 200, {}, BRAND
        if method == "GET" and path in (f"/{USER_ID}/mentions", "/me/mentions"):
            return self._page(self.mentions, query)
        if method == "GET" and path in (f"/{USER_ID}/threads", "/me/threads"):
            return self._page(self.posts, query)
        if method == "GET" and path == "/keyword_search":
            return self._page(self.search.get(query.get("q"), []), query)
        if method == "GET" and path in (f"/{USER_ID}/threads_publishing_limit", "/me/threads_publishing_limit"):
            return self._limits(query.get("fields") or "")
        if method == "POST" and path in (f"/{USER_ID}/threads", "/me/threads"):
            return self._create(form)
        if method == "POST" and path in (f"/{USER_ID}/threads_publish", "/me/threads_publish"):
            return self._publish(form)
        if method == "GET" and len(parts) == 2 and parts[1] == "conversation":
            if parts[0] not in self.conversations:
                return graph_error("Unsupported get request. Object does not exist.", 100, subcode=33)
            replies = list(self.conversations[parts[0]])
            if query.get("reverse") == "false":
                replies.reverse()
            return self._page(replies, query)
        if method == "GET" and len(parts) == 2 and parts[1] == "insights":
            if parts[0] not in self.insights:
                return graph_error("Unsupported get request. Object does not exist.", 100, subcode=33)
            metrics = (query.get("metric") or "").split(",")
            return 200, {}, {"data": [self._insight(parts[0], m) for m in metrics if m in self.insights[parts[0]]]}
        if method == "GET" and len(parts) == 1 and parts[0] in self.containers:
            container = self.containers[parts[0]]
            states = container["status"]
            status = states.pop(0) if len(states) > 1 else states[0]
            return 200, {}, {"status": status, "id": parts[0]}
        if method == "GET" and len(parts) == 1 and parts[0] in self.media:
            return 200, {}, {"id": parts[0], "permalink": self.media[parts[0]]["permalink"]}
        return graph_error("Unsupported get request. Object does not exist.", 100, subcode=33)

    def _limits(self, wanted):
        replies = sum(1 for c in self.containers.values() if c["published"] and c["data"].get("reply_to_id"))
        posts = len(self.published) - replies
        row = {
            "quota_usage": self.quota_usage["posts"] + posts,
            "config": {"quota_total": 250, "quota_duration": 86400},
            "reply_quota_usage": self.quota_usage["replies"] + replies,
            "reply_config": {"quota_total": 1000, "quota_duration": 86400},
        }
        return 200, {}, {"data": [{k: v for k, v in row.items() if k in wanted.split(",")}]}

    def _page(self, rows, query):
        start = int(query.get("after") or 0)
        size = int(query.get("limit") or 25)
        chunk = rows[start : start + size]
        body = {"data": chunk}
        if chunk:
            cursors = {"before": str(start), "after": str(start + len(chunk))}
            body["paging"] = {"cursors": cursors}
            if start + size < len(rows):
                body["paging"]["next"] = f"{self.url}/next?after={start + len(chunk)}"
        return 200, {}, body

    def _known(self, media_id):
        return (
            media_id in self.media
            or any(m["id"] == media_id for m in self.mentions)
            or any(m["id"] == media_id for rows in self.conversations.values() for m in rows)
            or any(p["id"] == media_id for p in self.posts)
        )

    def _create(self, form):
        kind = form.get("media_type")
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return graph_error("The parameter media_type is required.", 100)
        text = form.get("text") or ""
        if kind == "TEXT" and not text:
            return graph_error("The parameter text is required for a text post.", 100)
        if len(text) > TEXT_LIMIT:
            return graph_error("Param text must be at most 500 characters long.", 100)
        if kind == "IMAGE" and not (form.get("image_url") or "").startswith("https://"):
            return graph_error("The parameter image_url is required and must be public.", 100)
        if form.get("reply_to_id") and not self._known(form["reply_to_id"]):
            return graph_error("Unsupported post request. Object does not exist.", 100, subcode=33)
        if kind == "CAROUSEL":
            children = (form.get("children") or "").split(",")
            if not all(c in self.containers for c in children) or len(children) < 2:
                return graph_error("The parameter children is invalid.", 100)
        container = str(next(self.ids))
        states = list(self.image_states) if kind in ("IMAGE", "CAROUSEL") else ["FINISHED"]
        self.containers[container] = {"data": form, "status": states, "published": None}
        return 200, {}, {"id": container}

    def _publish(self, form):
        container = self.containers.get(form.get("creation_id") or "")
        if not container:
            return graph_error("The parameter creation_id is required.", 100)
        if container["published"]:
            return graph_error("The media has already been published.", 24, subcode=2207024)
        if container["status"][0] != "FINISHED":
            return graph_error(
                "The media is not ready for publishing, please wait for a moment.", 9007, subcode=2207027
            )
        media_id = str(next(self.ids))
        container["published"] = media_id
        container["status"] = ["PUBLISHED"]
        self.published.append(media_id)
        data = container["data"]
        self.media[media_id] = {
            **media(
                media_id, BRAND["username"], data.get("text") or "", "2026-12-07T03:00:00+0000", data.get("reply_to_id")
            ),
            "container": form["creation_id"],
        }
        self.insights.setdefault(media_id, {"views": 0, "likes": 0, "replies": 0, "reposts": 0, "quotes": 0})
        return 200, {}, {"id": media_id}

    def _insight(self, media_id, metric):
        return {
            "name": metric,
            "period": "lifetime",
            "values": [{"value": self.insights[media_id][metric]}],
            "title": metric.capitalize(),
            "description": f"The number of {metric} on your post.",
            "id": f"{media_id}/insights/{metric}/lifetime",
        }
