"""HTTP for the network clients: one guarded session, timeouts, bounded retries, an overall deadline, a size cap
on answers, typed errors (``errors``). ``BaseClient`` (``base.py``) builds on it."""

import contextlib
import functools
import json
import logging
import socket
import ssl
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin

import requests
import urllib3

from . import errors, netguard
from .utils import BadItem, check_id

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


class HttpClient:
    """Requests to one network: every request goes through ``netguard`` (no private addresses unless
    ``allowed_hosts`` lists them, redirects followed here and re-checked hop by hop), credentials go only to the
    account's own origin (scheme, host, port of ``base_url``), and a timed call stops after ``deadline`` seconds
    in total."""

    network = ""
    label = ""
    default_base_url = ""

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
        self, method, path, *, headers=None, auth=None, idempotent=None, expect_json=True, allow_status=(), **content
    ):
        url = self.own_url(path) if netguard.looks_absolute(path) else self.url(path)
        content = request_content(**content)
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        attempts = RETRIES if idempotent else 1
        for attempt in range(1, attempts + 1):
            timer = self._arm_deadline()
            try:
                response = self._send(
                    method, url, content, headers={**self.auth_headers(), **(headers or {})}, auth=auth
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

    def _send(self, method, url, content=None, *, headers=None, auth=None):
        """One exchange, redirects followed here: every hop is checked by ``netguard``; credentials
        never leave the origin of the first hop (a redirect elsewhere is refused when the request
        carries any); 303 (and 301/302 after a POST) continue as a body-less GET. ``content``: what the
        request carries, as ``requests`` names it (``params``, ``json``, ``data``, ``files``)."""
        headers = dict(headers or {})
        content = dict(content or {})
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
                **content,
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
                content = {}
            content.pop("params", None)  # the next address carries its own query
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

    @contextlib.contextmanager
    def timed_exchange(self):
        """One exchange outside ``request`` (an upload elsewhere, a download): cut at the overall deadline, a
        connection failure raised as the typed error ``request`` would raise (not retried)."""
        timer = self._arm_deadline()
        try:
            yield
        except (requests.exceptions.RequestException, OSError) as exc:
            self._check_deadline()
            raise self._connection_failure(exc) from exc
        finally:
            if timer is not None:
                timer.cancel()

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

    def send_elsewhere(self, method, url, *, data=None, headers=None, with_credentials=False):
        """One request to an absolute URL the network handed over (an upload address on another host), checked
        by ``netguard`` like any other. The account's credentials go along only when ``with_credentials``
        (the caller decided the host is the network's own); never on a redirect to yet another host."""
        netguard.check_syntax(url)
        headers = {**(self.auth_headers() if with_credentials else {}), **(headers or {})}
        with self.timed_exchange():
            response = self._send(method, url, {"data": data}, headers=headers)
            body = read_capped(response, self)
        response._social_body = body
        if response.status_code >= 400:
            self.raise_for_error(response, self.decode(response, strict=False))
        return response


def request_content(params=None, json_body=None, data=None, files=None):
    """What a request carries (``request``'s keywords), under the names ``requests`` gives them."""
    return {"params": params, "json": json_body, "data": data, "files": files}


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
