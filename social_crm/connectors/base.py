"""The base HTTP client: one session, timeouts, bounded retries, size cap, typed errors."""

import json
import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from . import errors
from .models import FetchPage
from .utils import BadItem, scrub_item

_logger = logging.getLogger(__name__)

TIMEOUT = 20  # seconds, connect and read
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
RETRIES = 3  # attempts for idempotent reads on connection errors and 5xx
BACKOFF = 0.5  # seconds, doubled at each retry
DEFAULT_RATE_LIMIT_WAIT = 60.0
USER_AGENT = "social_crm/18.0 (Odoo social CRM; +https://github.com/social-crm/social_crm)"


class BaseClient:
    """What every network client shares. Subclasses set the class attributes and
    implement ``verify``, ``fetch``, ``reply`` (and ``thread`` where the network has one)."""

    network = ""
    label = ""
    default_base_url = ""
    max_length = 0
    can_reply = True

    def __init__(self, base_url=None, login=None, token=None, *, session=None, timeout=None,
                 options=None, sleep=time.sleep):
        self.base_url = (base_url or self.default_base_url or "").rstrip("/")
        if self.base_url:
            check_url(self.base_url)
        self.login = (login or "").strip()
        self.token = (token or "").strip()
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
        self.session = session
        self.timeout = timeout or TIMEOUT
        self.options = dict(options or {})
        self.sleep = sleep
        self._own = None

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------

    def url(self, path):
        if path.startswith(("http://", "https://")):
            return check_url(path)
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def request(self, method, path, *, params=None, json_body=None, data=None, headers=None,
                idempotent=None, expect_json=True, allow_status=()):
        """Send one request and return the decoded JSON (or the response when expect_json is False)."""
        url = self.url(path)
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        attempts = RETRIES if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=data,
                    headers={**self.auth_headers(), **(headers or {})},
                    timeout=self.timeout, stream=True, allow_redirects=True,
                )
                body = read_capped(response, self)
            except requests.exceptions.Timeout as exc:
                failure = errors.ConnectionFailed(
                    f"{self.label} did not answer within {self.timeout} seconds.", self.network)
                cause = exc
            except requests.exceptions.RequestException as exc:
                failure = errors.ConnectionFailed(
                    f"{self.label} cannot be reached ({type(exc).__name__}).", self.network)
                cause = exc
            else:
                if response.status_code >= 500 and attempt < attempts:
                    failure, cause = None, None
                    _logger.info("%s answered %s for %s, retrying", self.label, response.status_code, url)
                else:
                    response._social_body = body
                    if response.status_code >= 400 and response.status_code not in allow_status:
                        self.raise_for_error(response, self.decode(response, strict=False))
                    return self.decode(response) if expect_json else response
            if attempt >= attempts:
                raise failure from cause
            self.sleep(BACKOFF * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def decode(self, response, strict=True):
        body = getattr(response, "_social_body", b"")
        if not body.strip():
            if strict and response.status_code not in (204, 304):
                raise errors.BadPayload(f"{self.label} sent an empty answer.", self.network)
            return {}
        try:
            return json.loads(body.decode(response.encoding or "utf-8", errors="replace"))
        except ValueError as exc:
            if not strict:
                return {}
            raise errors.BadPayload(f"{self.label} sent an answer that is not JSON.", self.network) from exc

    def raise_for_error(self, response, payload):
        """Map an error answer to a typed error; networks refine this."""
        status = response.status_code
        detail = self.error_detail(payload) or response.reason or ""
        if status == 429:
            raise self.rate_limited(response)
        if status == 401:
            raise errors.AuthenticationFailed(f"token rejected by {self.label}: log in again ({detail}).", self.network)
        if status == 403:
            raise errors.AuthenticationFailed(
                f"{self.label} refused access: check the account's permissions ({detail}).", self.network)
        if status == 404:
            raise errors.NotFound(f"{self.label} says this does not exist: {detail}.", self.network)
        raise errors.ApiError(f"{self.label} answered {status}: {detail}.", self.network, status=status)

    def error_detail(self, payload):
        if isinstance(payload, dict):
            for key in ("message", "error_description", "error", "detail", "title"):
                value = payload.get(key)
                if isinstance(value, str) and value:
                    return value
        return ""

    def rate_limited(self, response, wait=None, reset_at=None):
        if wait is None:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            wait = DEFAULT_RATE_LIMIT_WAIT
        return errors.RateLimited(
            f"{self.label} rate limit reached: waiting {int(wait)} seconds.", self.network,
            retry_after=max(float(wait), 1.0), reset_at=reset_at,
        )

    # ------------------------------------------------------------------
    # PAGES
    # ------------------------------------------------------------------

    def make_page(self, raw_items, normalize, cursor, has_more):
        """Normalize raw items; a bad one is skipped with a line saying why."""
        items, skipped, seen = [], [], set()
        for index, raw in enumerate(raw_items):
            try:
                item = normalize(raw)
            except BadItem as exc:
                ident = raw.get("id") if isinstance(raw, dict) else None
                skipped.append(f"{self.label} item {index} (id={ident!r}): {exc}")
                continue
            if item is None:
                continue
            item = scrub_item(item)
            if item.external_id in seen:
                continue
            seen.add(item.external_id)
            items.append(item)
        return FetchPage(items=items, cursor=cursor, has_more=has_more, skipped=skipped)

    def drain(self, state, load_page, marker, newer, max_pages, first_run_pages=1):
        """Walk a newest-first list down to what the last run saw, losslessly.

        ``state`` is ``{"mark", "resume", "pending"}``: ``mark`` is the newest
        marker fully saved, ``resume`` the page token to continue an unfinished
        walk, ``pending`` the newest marker of that walk. ``load_page(token)``
        returns ``(raw_items, next_token)``. Yields ``(raw_items, state, has_more)``
        where ``state`` may be stored once the items are saved.
        """
        mark, token, pending = state.get("mark"), state.get("resume"), state.get("pending")
        # "seen": an earlier run found the list empty; everything on it now is new, so walk it whole.
        first_run = mark is None and not state.get("seen")
        limit = first_run_pages if first_run else max_pages
        for page_number in range(limit):
            raw_items, next_token = load_page(token)
            fresh = [raw for raw in raw_items if mark is None or newer(marker(raw), mark)]
            if pending is None:
                markers = [m for m in (marker(raw) for raw in raw_items) if m is not None]
                pending = max(markers, key=sort_key) if markers else mark
            reached_seen = len(fresh) < len(raw_items)
            done = reached_seen or not next_token or (first_run and page_number + 1 >= limit)
            if done:
                yield fresh, {"mark": pending if pending is not None else mark, "seen": True}, False
                return
            token = next_token
            yield fresh, {"mark": mark, "resume": token, "pending": pending, "seen": True}, True
        # Page budget spent: the stored state resumes the walk next run.

    # ------------------------------------------------------------------
    # INTERFACE
    # ------------------------------------------------------------------

    def verify(self):
        raise NotImplementedError

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        raise NotImplementedError

    def reply(self, text, parent_id, root_id=None, extra=None):
        raise errors.ApiError(f"{self.label} does not accept replies.", self.network)

    def thread(self, root_id):
        return []

    def check_reply_text(self, text):
        text = (text or "").strip()
        if not text:
            raise ValueError("The reply is empty.")
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"The reply has {len(text)} characters; {self.label} allows {self.max_length}.")
        return text

    def own(self):
        if self._own is None:
            self._own = self.verify()
        return self._own


def check_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Only http and https URLs are allowed, not {url!r}.")
    return url


def read_capped(response, client):
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            response.close()
            raise errors.BadPayload(
                f"{client.label} sent more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB in one answer.",
                client.network)
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after_seconds(value):
    """Seconds to wait from a Retry-After header (delta seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max((moment - datetime.now(timezone.utc)).total_seconds(), 0.0)


def sort_key(marker):
    """Order markers: numeric ids numerically, anything else as text."""
    if isinstance(marker, str) and marker.isdigit():
        return (0, int(marker), marker)
    return (1, 0, str(marker))


def newer_than(left, right):
    return sort_key(left) > sort_key(right)


def load_state(cursor):
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def dump_state(state):
    return json.dumps(state, sort_keys=True, separators=(",", ":"))
