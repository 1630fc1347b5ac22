"""Reddit (OAuth API).

``base_url``: default https://oauth.reddit.com. Credentials, either:
``login`` = ``client_id:username``, the app's client secret in ``options["secret"]``
(the account's ``secret`` field) and ``token`` = the password (a "script" app: the
password grant), or ``login`` empty and ``token`` = a bearer token. Mentions of u/brand come from ``/message/mentions``; keywords
from ``/search?sort=new``. ``link_id`` (the post) is the thread key. Rate
limits: ``X-Ratelimit-Reset`` (seconds) and 429.
"""

from datetime import datetime, timezone

from . import errors, netguard
from .base import BaseClient, dump_state, load_state
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, html_to_text, parse_datetime, require_str, safe_int

TOKEN_URL = "https://www.reddit.com/api/v1/access_token"


class RedditClient(BaseClient):
    network = "reddit"
    label = "Reddit"
    default_base_url = "https://oauth.reddit.com"
    max_length = 10000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bearer = None if ":" in self.login else self.token

    def set_token(self, token):
        result = super().set_token(token)
        if ":" not in self.login:
            self._bearer = self.token
        return result

    @property
    def token_url(self):
        return self.options.get("token_url", TOKEN_URL)

    def trusted_origins(self):
        return super().trusted_origins() | {netguard.origin(self.token_url)}

    def auth_headers(self):
        return {"Authorization": f"Bearer {self._bearer}"} if self._bearer else {}

    def _authenticate(self):
        if self._bearer:
            return
        parts = self.login.split(":")
        secret = self.options.get("secret") or ""
        if len(parts) != 2 or not self.token or not secret:
            raise errors.AuthenticationFailed(
                "Reddit needs client_id:username as login, the app's client secret as secret and the password "
                "as token.",
                self.network,
            )
        client_id, username = parts
        # Through request(): the token URL is checked like any other (no private address, no
        # redirect elsewhere with the password); it is a trusted origin because it is configured.
        response = self.request(
            "POST",
            self.token_url,
            auth=(client_id, secret),
            data={"grant_type": "password", "username": username, "password": self.token},
            expect_json=False,
            allow_status=tuple(range(400, 600)),
        )
        payload = self.decode(response, strict=False)
        if response.status_code != 200 or not as_dict(payload).get("access_token"):
            raise errors.AuthenticationFailed(
                f"Reddit refused the credentials: log in again ({as_dict(payload).get('error', response.status_code)}).",
                self.network,
            )
        self._bearer = payload["access_token"]

    def api(self, method, path, **kwargs):
        self._authenticate()
        return self.request(method, path, **kwargs)

    def raise_for_error(self, response, payload):
        if response.status_code == 429:
            raise self.rate_limited(response, wait=safe_int(response.headers.get("X-Ratelimit-Reset")))
        return super().raise_for_error(response, payload)

    def verify(self):
        me = as_dict(self.api("GET", "/api/v1/me"))
        name = require_str(me, "name")
        return Author(
            external_id=f"t2_{me.get('id')}" if me.get("id") else name,
            handle=name,
            name=name,
            profile_url=f"https://www.reddit.com/user/{name}",
            avatar_url=(me.get("icon_img") or "").split("?")[0],
        )

    def _load(self, path, params, token):
        params = {**params, "limit": 100, "raw_json": 1}
        if token:
            params["after"] = token
        payload = self.api("GET", path, params=params)
        data = as_dict(as_dict(payload).get("data"))
        if as_dict(payload).get("kind") != "Listing" or not isinstance(data.get("children"), list):
            raise errors.BadPayload(f"Reddit sent {path} in an unknown shape.", self.network)
        return [as_dict(child).get("data") for child in data["children"]], data.get("after")

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        own = self.own()
        sources = [("mentions", "/message/mentions", {})] + [
            (f"search:{kw}", "/search", {"q": kw, "sort": "new", "type": "link"}) for kw in keywords if kw
        ]
        for key, path, params in sources:
            for raw, source_state, has_more in self.drain(
                state.get(key, {}),
                lambda token, p=path, q=params: self._load(p, q, token),
                lambda raw: str(as_dict(raw).get("created_utc")) if as_dict(raw).get("created_utc") else None,
                lambda left, right: float(left) > float(right),
                max_pages,
                dated=lambda raw: as_dict(raw).get("created_utc"),
            ):
                state[key] = source_state
                yield self.make_page(raw, lambda r: self._normalize(r, own), dump_state(state), has_more)

    def _normalize(self, raw, own):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        fullname = raw.get("name") or (f"t1_{raw['id']}" if raw.get("id") else None)
        if not fullname:
            raise BadItem("missing id")
        check_id(fullname)
        check_id(raw.get("parent_id"), "parent_id")
        check_id(raw.get("link_id"), "link_id")
        author = raw.get("author")
        if not isinstance(author, str) or not author:
            raise BadItem("missing author")
        is_post = fullname.startswith("t3_")
        text = raw.get("body") if not is_post else "\n".join(filter(None, [raw.get("title"), raw.get("selftext")]))
        if not isinstance(text, str):
            raise BadItem("missing text")
        if raw.get("body_html") and not text:
            text = html_to_text(raw["body_html"])
        permalink = raw.get("permalink") or raw.get("context") or ""
        link_id = raw.get("link_id") or (fullname if is_post else None)
        return Item(
            external_id=fullname,
            author=Author(
                external_id=raw.get("author_fullname") or author,
                handle=author,
                name=author,
                profile_url=f"https://www.reddit.com/user/{author}",
            ),
            text=clean_text(text),
            posted_at=parse_datetime(raw.get("created_utc")),
            url=f"https://www.reddit.com{permalink}" if permalink.startswith("/") else permalink,
            parent_id=raw.get("parent_id") if not is_post else None,
            root_id=link_id or fullname,
            is_own=bool(own) and author.lower() == own.handle.lower(),
            kind="post" if is_post else "mention",
            extra={"subreddit": raw.get("subreddit") or ""},
        )

    def reply(self, text, parent_id, root_id=None, extra=None):
        text = self.check_reply_text(text)
        self.segment(parent_id)  # a fullname (t1_..., t3_...), never a path or a URL
        payload = as_dict(
            self.api("POST", "/api/comment", data={"thing_id": parent_id, "text": text, "api_type": "json"})
        )
        body = as_dict(payload.get("json"))
        problems = as_list(body.get("errors"))
        if problems:
            detail = "; ".join(" ".join(map(str, p)) if isinstance(p, list) else str(p) for p in problems)
            if any("RATELIMIT" in str(p) for p in problems):
                raise errors.RateLimited(
                    f"Reddit asks to wait before commenting again ({detail}).", self.network, retry_after=600
                )
            raise errors.ApiError(f"Reddit refused the reply: {detail}.", self.network)
        things = as_list(as_dict(body.get("data")).get("things"))
        data = as_dict(as_dict(things[0]).get("data")) if things else {}
        if not data.get("name") and not data.get("id"):
            raise errors.BadPayload("Reddit did not say which comment was created.", self.network)
        data.setdefault("created_utc", datetime.now(timezone.utc).timestamp())
        data.setdefault("author", self.own().handle)
        item = self._normalize(data, self.own())
        item.is_own, item.kind = True, "reply"
        item.parent_id = parent_id
        item.root_id = root_id or item.root_id
        return item
