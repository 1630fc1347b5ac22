"""The base HTTP client: one session, timeouts, bounded retries, size cap, typed errors."""

import functools
import json
import logging
import socket
import ssl
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin

import requests
import urllib3

from . import errors, netguard, textlength
from .models import FetchPage
from .utils import BadItem, check_id, parse_datetime, scrub_item

_logger = logging.getLogger(__name__)

TIMEOUT = 20  # seconds, connect and read
DEADLINE = 300  # seconds, one fetch (or verify, reply, thread) in total
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
RETRIES = 3  # attempts for idempotent reads on connection errors and 5xx
BACKOFF = 0.5  # seconds, doubled at each retry
DEFAULT_RATE_LIMIT_WAIT = 60.0
USER_AGENT = "social_crm/18.0 (Odoo social CRM; +https://github.com/social-crm/social_crm)"


def _within_deadline_call(method):
    """Run ``method`` under the client's overall deadline (an outer call's deadline wins)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._deadline_at is not None:
            return method(self, *args, **kwargs)
        self._deadline_at = time.monotonic() + self.deadline
        try:
            return method(self, *args, **kwargs)
        finally:
            self._deadline_at = None

    return wrapper


def _within_deadline_pages(method):
    """Run the page generator ``method`` under one overall deadline, counted from its first page."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return self._pages_within_deadline(method(self, *args, **kwargs))

    return wrapper


class BaseClient:
    """What every network client shares. Subclasses set the class attributes and
    implement ``verify``, ``fetch``, ``reply`` (and ``thread`` where the network has one).

    Every request goes through ``netguard`` (no private addresses unless
    ``allowed_hosts`` lists them, redirects followed here and re-checked hop by
    hop), credentials go only to the account's own origin (scheme, host, port of
    ``base_url``), and ``fetch``/``verify``/``reply``/``thread`` stop after
    ``deadline`` seconds in total.
    """

    network = ""
    label = ""
    default_base_url = ""
    max_length = 0
    can_reply = True

    def __init_subclass__(cls, **kwargs):
        if "fetch" in cls.__dict__:
            cls.fetch = _within_deadline_pages(cls.__dict__["fetch"])
        for name in ("verify", "reply", "thread", "publish", "engagement"):
            if name in cls.__dict__:
                setattr(cls, name, _within_deadline_call(cls.__dict__[name]))
        return super().__init_subclass__(**kwargs)

    def __init__(
        self,
        base_url=None,
        login=None,
        token=None,
        *,
        session=None,
        timeout=None,
        options=None,
        sleep=time.sleep,
        allowed_hosts=None,
        deadline=None,
    ):
        self.base_url = (base_url or self.default_base_url or "").rstrip("/")
        if self.base_url:
            netguard.check_syntax(self.base_url)
        self.login = (login or "").strip()
        self.token = (token or "").strip()
        self.options = dict(options or {})
        self.allowed_hosts = netguard.parse_allowed_hosts(
            allowed_hosts if allowed_hosts is not None else self.options.get("allowed_hosts")
        )
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
        self.adapter = netguard.GuardedAdapter(self.allowed_hosts)
        session.mount("http://", self.adapter)
        session.mount("https://", self.adapter)
        self.session = session
        self.timeout = timeout or TIMEOUT
        self.deadline = float(deadline or self.options.get("deadline") or DEADLINE)
        self.sleep = sleep
        self._own = None
        self._deadline_at = None
        # ``on_unauthorized()``: called once when the network answers 401; returns a renewed access token (the
        # account refreshed it under its row lock) or None. ``answered``: requests the network answered with a
        # success, so a caller knows whether the credentials were actually checked.
        self.on_unauthorized = None
        self.answered = 0
        self._token_renewed = False

    def set_token(self, token):
        """Use a renewed access token for the next requests."""
        self.token = (token or "").strip()

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------

    def url(self, path):
        """``base_url`` + ``path``. A path never changes the host: absolute URLs are refused here
        (``request`` takes an absolute URL only on the account's own origin, see ``own_url``)."""
        path = str(path or "")
        if netguard.looks_absolute(path):
            raise errors.UnsafeId(f"{path!r} is an absolute URL, not a path of {self.label}.", self.network)
        return self.base_url + "/" + path.lstrip("/")

    def segment(self, value, strict=True):
        """``value`` as one quoted path segment. ``strict``: a network id, refused when it holds
        ``/``, ``?``, ``#``, ``..`` or looks like a URL (``errors.UnsafeId``)."""
        text = str(value if value is not None else "")
        if strict:
            try:
                check_id(text)
            except BadItem as exc:
                raise errors.UnsafeId(f"{text!r} is not a valid {self.label} id ({exc}).", self.network) from exc
        elif text in ("", ".", ".."):
            raise errors.UnsafeId(f"{text!r} cannot be part of a {self.label} address.", self.network)
        return quote(text, safe="")

    def trusted_origins(self):
        """Origins (scheme, host, port) the account's credentials may be sent to."""
        return {netguard.origin(self.base_url)} if self.base_url else set()

    def own_url(self, url):
        """An absolute URL (a next-page link from a payload) if it stays on a trusted origin, else refused."""
        netguard.check_syntax(url)
        if netguard.origin(url) not in self.trusted_origins():
            raise errors.UnsafeAddress(
                f"{self.label} pointed to another address ({netguard.describe_origin(url)}); the account's "
                f"credentials are only sent to {netguard.describe_origin(self.base_url)}, so it was not followed.",
                self.network,
            )
        return url

    def request(self, method, path, **kwargs):
        """Send one request and return the decoded JSON (or the response when expect_json is False).

        A 401 answer is retried once with a renewed access token when ``on_unauthorized`` gives one (nothing
        was done by the network on a 401, so even a post is safe to send again)."""
        try:
            return self._request(method, path, **kwargs)
        except errors.AuthenticationFailed as exc:
            if getattr(exc, "http_status", None) != 401 or not self.on_unauthorized or self._token_renewed:
                raise
            self._token_renewed = True
            renewed = self.on_unauthorized()
            if not renewed:
                raise
            self.set_token(renewed)
            return self._request(method, path, **kwargs)

    def _request(
        self,
        method,
        path,
        *,
        params=None,
        json_body=None,
        data=None,
        files=None,
        headers=None,
        auth=None,
        idempotent=None,
        expect_json=True,
        allow_status=(),
    ):
        url = self.own_url(path) if netguard.looks_absolute(path) else self.url(path)
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        attempts = RETRIES if idempotent else 1
        for attempt in range(1, attempts + 1):
            timer = self._arm_deadline()
            try:
                response = self._send(
                    method,
                    url,
                    params=params,
                    json_body=json_body,
                    data=data,
                    files=files,
                    headers={**self.auth_headers(), **(headers or {})},
                    auth=auth,
                )
                body = read_capped(response, self)
                self._check_deadline()
            except errors.DeadlineExceeded:
                raise
            except (requests.exceptions.RequestException, OSError, errors.ConnectionFailed) as exc:
                self._check_deadline()
                failure, cause = self._connection_failure(exc), exc
            else:
                if response.status_code >= 500 and attempt < attempts:
                    failure, cause = None, None
                    _logger.info("%s answered %s for %s, retrying", self.label, response.status_code, url)
                else:
                    response._social_body = body
                    if response.status_code >= 400 and response.status_code not in allow_status:
                        try:
                            self.raise_for_error(response, self.decode(response, strict=False))
                        except errors.SocialApiError as exc:
                            exc.http_status = response.status_code
                            raise
                    self.answered += 1
                    return self.decode(response) if expect_json else response
            finally:
                if timer is not None:
                    timer.cancel()
            if attempt >= attempts:
                raise failure from cause
            wait = BACKOFF * 2 ** (attempt - 1)
            remaining = self._remaining()
            self.sleep(wait if remaining is None else min(wait, remaining))
        raise AssertionError("unreachable")

    def _connection_failure(self, exc):
        if isinstance(exc, errors.ConnectionFailed):
            return exc
        if never_reached(exc):
            if isinstance(exc, requests.exceptions.Timeout):
                text = f"{self.label} did not accept the connection within {self.timeout} seconds; nothing was sent."
            else:
                text = f"{self.label} cannot be reached ({type(exc).__name__}); nothing was sent."
            return errors.NotSent(text, self.network)
        if isinstance(exc, requests.exceptions.Timeout):
            return errors.ConnectionFailed(f"{self.label} did not answer within {self.timeout} seconds.", self.network)
        return errors.ConnectionFailed(f"{self.label} cannot be reached ({type(exc).__name__}).", self.network)

    def _send(self, method, url, *, params=None, json_body=None, data=None, files=None, headers=None, auth=None):
        """One exchange, redirects followed here: every hop is checked by ``netguard``; credentials
        never leave the origin of the first hop (a redirect elsewhere is refused when the request
        carries any); 303 (and 301/302 after a POST) continue as a body-less GET."""
        headers = dict(headers or {})
        home = netguard.origin(url)
        carries_credentials = bool(self.token or auth or any(k.lower() == "authorization" for k in headers))
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                netguard.check_url(url, self.allowed_hosts)
            except errors.SocialApiError as exc:
                exc.network = exc.network or self.network
                raise
            response = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                files=files,
                headers=headers,
                auth=auth,
                timeout=self._request_timeout(),
                stream=True,
                allow_redirects=False,
            )
            target = self.session.get_redirect_target(response) if response.is_redirect else None
            if not target:
                return response
            response.close()
            next_url = urljoin(response.url, target).split("#", 1)[0]
            netguard.check_syntax(next_url)
            if netguard.origin(next_url) != home:
                if carries_credentials:
                    raise errors.UnsafeAddress(
                        f"{self.label} redirected to another address ({netguard.describe_origin(next_url)}); the "
                        f"account's credentials are only sent to {netguard.describe_origin(url)}, so the "
                        "redirect was not followed.",
                        self.network,
                    )
                headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method = "GET" if method != "HEAD" else method
                json_body = data = files = None
            params = None
            url = next_url
        raise errors.ApiError(f"{self.label} redirected more than {MAX_REDIRECTS} times.", self.network)

    # --- overall deadline ---------------------------------------------

    def _pages_within_deadline(self, pages):
        deadline_at = None
        try:
            while True:
                outer = self._deadline_at
                if deadline_at is None:
                    deadline_at = outer if outer is not None else time.monotonic() + self.deadline
                self._deadline_at = deadline_at
                try:
                    page = next(pages)
                except StopIteration:
                    return
                finally:
                    self._deadline_at = outer
                yield page
        finally:
            pages.close()

    def _remaining(self):
        """Seconds left before the overall deadline (None when no call is timed); raises when spent."""
        if self._deadline_at is None:
            return None
        left = self._deadline_at - time.monotonic()
        if left <= 0:
            raise self._deadline_error()
        return left

    def _check_deadline(self):
        self._remaining()

    def _deadline_error(self):
        return errors.DeadlineExceeded(
            f"{self.label} took longer than the overall limit of {self.deadline:g} seconds and was stopped; "
            "what was already saved is kept and the next run continues from there.",
            self.network,
        )

    def _request_timeout(self):
        remaining = self._remaining()
        return self.timeout if remaining is None else min(self.timeout, max(remaining, 0.05))

    def _arm_deadline(self):
        """A timer that cuts this client's connections at the deadline, so a server dripping bytes
        cannot hold a read (each byte would reset a per-read timeout)."""
        remaining = self._remaining()
        if remaining is None:
            return None
        timer = threading.Timer(remaining, self.adapter.cut_connections)
        timer.daemon = True
        timer.start()
        return timer

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
        except LookupError as exc:
            if not strict:
                return {}
            raise errors.BadPayload(
                f"{self.label} sent an answer in an unknown character set ({response.encoding}).", self.network
            ) from exc
        except RecursionError as exc:
            if not strict:
                return {}
            raise errors.BadPayload(f"{self.label} sent an answer nested too deeply to be read.", self.network) from exc
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
                f"{self.label} refused access: check the account's permissions ({detail}).", self.network
            )
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
            f"{self.label} rate limit reached: waiting {int(wait)} seconds.",
            self.network,
            retry_after=max(float(wait), 1.0),
            reset_at=reset_at,
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
            except RecursionError:
                ident = raw.get("id") if isinstance(raw, dict) else None
                skipped.append(f"{self.label} item {index} (id={ident!r}): nested too deeply to be read")
                continue
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

    def history_start(self):
        """How far back the first fetch goes: ``options["history_days"]`` before now, or None (newest page only)."""
        days = self.options.get("history_days")
        if days is None or days == "":
            return None
        return datetime.now(timezone.utc) - timedelta(days=max(int(days), 0))

    def drain(self, state, load_page, marker, newer, max_pages, first_run_pages=1, dated=None):
        """Walk a newest-first list down to what the last run saw, losslessly.

        ``state`` is ``{"mark", "resume", "pending"}``: ``mark`` is the newest
        marker fully saved, ``resume`` the page token to continue an unfinished
        walk, ``pending`` the newest marker of that walk. ``load_page(token)``
        returns ``(raw_items, next_token)``. Yields ``(raw_items, state, has_more)``
        where ``state`` may be stored once the items are saved.

        The first run reads the newest page only, or, when ``dated(raw)`` gives
        an item's date and ``history_start()`` is set, every page back to that
        date (at most ``max_pages``).
        """
        mark, token, pending = state.get("mark"), state.get("resume"), state.get("pending")
        # "seen": an earlier run found the list empty; everything on it now is new, so walk it whole.
        first_run = mark is None and not state.get("seen")
        since = self.history_start() if first_run and dated else None
        limit = (max_pages if since else first_run_pages) if first_run else max_pages
        for page_number in range(limit):
            raw_items, next_token = load_page(token)
            fresh = [raw for raw in raw_items if mark is None or newer(marker(raw), mark)]
            if pending is None:
                markers = [m for m in (marker(raw) for raw in raw_items) if m is not None]
                pending = max(markers, key=sort_key) if markers else mark
            reached_seen = len(fresh) < len(raw_items)
            if since:
                recent = [raw for raw in fresh if not _older(dated(raw), since)]
                reached_seen = reached_seen or len(recent) < len(fresh)
                fresh = recent
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

    # Publishing (social_crm.post). A network that can publish sets ``can_publish`` and implements
    # ``publish``; ``publish_limits`` tells the composer what it takes.
    can_publish = False
    publish_limits = {"max_length": 0, "max_images": 0, "needs_image": False, "link": False}

    def publish(self, text, link=None, media=()):
        """Publish a new post as the account; ``media`` is a sequence of ``models.Media``. Returns the posted
        ``Item`` (``is_own=True``, ``kind="post"``, ``external_id``, ``url``). Uploads media first where the
        network needs it."""
        raise errors.ApiError(f"{self.label} cannot publish posts.", self.network)

    def engagement(self, external_ids):
        """``{external_id: {"replies": n, "likes": n, "reposts": n}}`` for the account's own posts (``None``
        where the network does not give a count); ids the network no longer has are left out."""
        return {}

    # Deletions (privacy): a network that can tell which posts were deleted sets ``deletion_batch`` (how many
    # posts one fetch re-checks) and implements ``_gone``.
    deletion_batch = 0

    @_within_deadline_call
    def gone(self, external_ids):
        """The ids among ``external_ids`` that the network no longer has (deleted by their author).

        Networks that cannot tell answer an empty set. An id that is not valid for the network is never
        reported deleted; any failure to ask raises a typed error (nothing is guessed)."""
        ids = [i for i in dict.fromkeys(external_ids) if i]
        if not ids or not self.deletion_batch:
            return set()
        return set(self._gone(ids)) & set(ids)

    def _gone(self, external_ids):
        return set()

    # What ``publish`` shares: the checks before anything is sent, and the upload to another host.
    image_types = ("image/jpeg", "image/png", "image/gif", "image/webp")
    max_image_bytes = 5 * 1024 * 1024
    link_in_text = True  # the link is appended to the text (networks without a separate link field)

    def prepare_post(self, text, link=None, media=()):
        """``(text, link, media)`` checked against ``publish_limits``; ``text`` ends with the link when the
        network takes it in the text and it is not there yet. Raises ``errors.InvalidPost``; nothing is sent."""
        if not self.can_publish:
            raise errors.InvalidPost(f"{self.label} cannot publish posts.", self.network)
        limits = self.publish_limits
        text = (text or "").strip()
        link = (link or "").strip() or None
        media = list(media or ())
        if link:
            try:
                netguard.check_syntax(link)
            except errors.UnsafeAddress as exc:
                raise errors.InvalidPost(f"The link {link[:200]!r} is not a web address: {exc}", self.network) from exc
            if not limits.get("link"):
                raise errors.InvalidPost(f"{self.label} does not take links in posts.", self.network)
            if self.link_in_text and link not in text:
                text = f"{text}\n\n{link}" if text else link
        if not text and not media:
            raise errors.InvalidPost("The post is empty.", self.network)
        length = self.text_length(text)
        if limits.get("max_length") and length > limits["max_length"]:
            raise errors.InvalidPost(
                f"The post has {length} characters as {self.label} counts them; {self.label} allows "
                f"{limits['max_length']}.",
                self.network,
            )
        if limits.get("needs_image") and not media:
            raise errors.InvalidPost(f"{self.label} only publishes posts with an image.", self.network)
        if len(media) > limits.get("max_images", 0):
            raise errors.InvalidPost(
                f"{self.label} takes at most {limits.get('max_images', 0)} images in a post; {len(media)} were given.",
                self.network,
            )
        for image in media:
            if image.mimetype not in self.image_types:
                raise errors.InvalidPost(
                    f"{image.filename} is {image.mimetype or 'of an unknown type'}; {self.label} takes "
                    f"{', '.join(t.split('/')[1].upper() for t in self.image_types)} images.",
                    self.network,
                )
            if not image.data:
                raise errors.InvalidPost(f"{image.filename} is empty.", self.network)
            if len(image.data) > self.max_image_bytes:
                raise errors.InvalidPost(
                    f"{image.filename} takes {len(image.data) / 1e6:.1f} MB; {self.label} takes images up to "
                    f"{self.max_image_bytes / 1e6:.1f} MB.",
                    self.network,
                )
        return text, link, media

    def send_elsewhere(self, method, url, *, data=None, headers=None, with_credentials=False):
        """One request to an absolute URL the network handed over (an upload address on another host), checked
        by ``netguard`` like any other. The account's credentials go along only when ``with_credentials``
        (the caller decided the host is the network's own); never on a redirect to yet another host."""
        netguard.check_syntax(url)
        headers = {**(self.auth_headers() if with_credentials else {}), **(headers or {})}
        timer = self._arm_deadline()
        try:
            response = self._send(method, url, data=data, headers=headers)
            body = read_capped(response, self)
        except (requests.exceptions.RequestException, OSError) as exc:
            self._check_deadline()
            raise self._connection_failure(exc) from exc
        finally:
            if timer is not None:
                timer.cancel()
        response._social_body = body
        if response.status_code >= 400:
            self.raise_for_error(response, self.decode(response, strict=False))
        return response

    @classmethod
    def text_length(cls, text):
        """The length of ``text`` as this network counts it against ``max_length`` (see ``textlength``)."""
        return textlength.code_points(text)

    def check_reply_text(self, text):
        text = (text or "").strip()
        if not text:
            raise ValueError("The reply is empty.")
        length = self.text_length(text)
        if self.max_length and length > self.max_length:
            raise ValueError(
                f"The reply has {length} characters as {self.label} counts them; {self.label} allows {self.max_length}."
            )
        return text

    def own(self):
        if self._own is None:
            self._own = self.verify()
        return self._own


def read_capped(response, client):
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        try:
            client._check_deadline()
        except errors.DeadlineExceeded:
            response.close()
            raise
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            response.close()
            raise errors.BadPayload(
                f"{client.label} sent more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB in one answer.", client.network
            )
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


def _older(value, since):
    """True when ``value`` (a date in any form the networks use) is before ``since``; undated items are kept."""
    if value is None or value == "":
        return False
    try:
        return parse_datetime(value) < since
    except BadItem:
        return False


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


# TLS failures that happen during the handshake, before any byte of the request is sent.
_HANDSHAKE_MARKERS = ("handshake", "WRONG_VERSION_NUMBER", "CERTIFICATE", "TLSV1_ALERT", "UNSUPPORTED_PROTOCOL")


def never_reached(exc):
    """True when ``exc`` proves the request never left: no address (DNS), connection refused or not accepted in
    time, TLS handshake refused. A lost answer, a reset after sending or a read timeout may have been received."""
    if isinstance(exc, errors.ConnectionFailed):
        return exc.never_reached
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    stack, seen = [exc], set()
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        # NewConnectionError (refused, no route, DNS) is a ConnectTimeoutError in urllib3 2.
        if isinstance(current, (urllib3.exceptions.ConnectTimeoutError, ConnectionRefusedError, socket.gaierror)):
            return True
        if isinstance(current, ssl.SSLError) and (
            isinstance(current, ssl.SSLCertVerificationError)
            or any(marker in str(current) for marker in _HANDSHAKE_MARKERS)
        ):
            return True
        stack.append(getattr(current, "reason", None))
        stack.append(current.__cause__)
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return False
