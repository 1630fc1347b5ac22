"""OAuth 2.0 connections: the client side of the authorization code flow, with ``authlib``.

Plain Python (never ``odoo``). ``PROFILES`` holds what each network's authorization server
expects (vendor documentation, checked when written; the URLs are defaults an administrator may
change on the app registration). ``OAuthClient`` builds the authorization URL (code flow, PKCE
``S256``, the network's scopes, offline access where the network needs it for a refresh token),
exchanges the code, refreshes, and does the vendor-specific steps around them: Meta's long-lived
exchanges, Instagram's ``refresh_access_token``, the Pages of a Facebook user, and the app
registration of a Mastodon instance (``POST /api/v1/apps``).

Every request goes through ``netguard`` (private hosts refused unless allowed, the peer checked
after connect), never follows a redirect, has a timeout, and fails with the typed errors of
``errors``: ``GrantRevoked`` when the authorization server says the grant is gone for good
(``invalid_grant``), so the caller asks for a new consent instead of trying again.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from . import errors, netguard

TIMEOUT = 20  # seconds, connect and read
MAX_BODY = 1024 * 1024
FB_GRAPH = "https://graph.facebook.com/v21.0"
IG_GRAPH = "https://graph.instagram.com"
TIKTOK_API = "https://business-api.tiktok.com/open_api/v1.3"
TIKTOK_GRANT_CODES = {40102, 40104, 40105}  # the token or refresh token expired, is missing or was revoked
THREADS_GRAPH = "https://graph.threads.net"


@dataclass(frozen=True)
class Profile:
    """What a network's authorization server expects."""

    network: str
    label: str
    authorize_url: str
    token_url: str
    scopes: tuple
    scope_separator: str = " "
    auth_method: str = "client_secret_post"  # or client_secret_basic (HTTP basic auth at the token endpoint)
    authorize_params: dict = field(default_factory=dict)
    rotates: bool = False  # a refresh answers a new refresh token and the old one is spent
    refreshable: bool = True  # a refresh_token grant exists
    long_lived: str = ""  # "facebook" / "instagram" / "threads": exchange the short token at connect
    console: str = ""  # where the administrator registers the app
    api_base_url: str = ""  # the API base a token of this flow talks to, when it differs from the client's default
    token_style: str = ""  # "tiktok": JSON token requests answered in TikTok's code/message/data envelope


def meta_profile(network, label, authorize_url, token_url, scopes, api_base_url):
    """A Meta login (Facebook, Instagram, Threads): scopes separated by commas, no refresh grant (the short token
    is exchanged for a long-lived one at connect), the app registered on Meta's developer console."""
    return Profile(
        network,
        label,
        authorize_url,
        token_url,
        scopes,
        scope_separator=",",
        refreshable=False,
        long_lived=network,
        console="https://developers.facebook.com/apps",
        api_base_url=api_base_url,
    )


PROFILES = {
    "x": Profile(
        "x",
        "X",
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
        ("tweet.read", "tweet.write", "users.read", "offline.access"),
        auth_method="client_secret_basic",
        rotates=True,
        console="https://developer.x.com/en/portal/dashboard",
    ),
    "youtube": Profile(
        "youtube",
        "YouTube (Google)",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        ("https://www.googleapis.com/auth/youtube.force-ssl",),
        authorize_params={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        console="https://console.cloud.google.com/apis/credentials",
    ),
    "linkedin": Profile(
        "linkedin",
        "LinkedIn",
        "https://www.linkedin.com/oauth/v2/authorization",
        "https://www.linkedin.com/oauth/v2/accessToken",
        ("r_organization_social", "w_organization_social", "rw_organization_admin"),
        console="https://www.linkedin.com/developers/apps",
    ),
    "facebook": meta_profile(
        "facebook",
        "Facebook",
        "https://www.facebook.com/v21.0/dialog/oauth",
        f"{FB_GRAPH}/oauth/access_token",
        (
            "pages_show_list",
            "pages_read_engagement",
            "pages_read_user_content",
            "pages_manage_engagement",
            "pages_manage_metadata",
            "pages_manage_posts",
            "pages_messaging",
        ),
        FB_GRAPH,
    ),
    "instagram": meta_profile(
        "instagram",
        "Instagram",
        "https://www.instagram.com/oauth/authorize",
        "https://api.instagram.com/oauth/access_token",
        (
            "instagram_business_basic",
            "instagram_business_manage_comments",
            "instagram_business_manage_messages",
            "instagram_business_content_publish",
        ),
        f"{IG_GRAPH}/v21.0",
    ),
    # Threads: its own authorization window and token endpoint (code answered with the user id), a one-hour
    # token exchanged for a 60-day one (th_exchange_token), refreshed with th_refresh_token.
    "threads": meta_profile(
        "threads",
        "Threads",
        "https://threads.net/oauth/authorize",
        f"{THREADS_GRAPH}/oauth/access_token",
        (
            "threads_basic",
            "threads_read_replies",
            "threads_manage_replies",
            "threads_manage_mentions",
            "threads_keyword_search",
            "threads_content_publish",
            "threads_manage_insights",
        ),
        f"{THREADS_GRAPH}/v1.0",
    ),
    "reddit": Profile(
        "reddit",
        "Reddit",
        "https://www.reddit.com/api/v1/authorize",
        "https://www.reddit.com/api/v1/access_token",
        ("identity", "read", "history", "submit", "privatemessages"),
        auth_method="client_secret_basic",
        authorize_params={"duration": "permanent"},
        console="https://www.reddit.com/prefs/apps",
    ),
    # TikTok API for Business, "TikTok account holders" authorization: the consent page takes ``client_key``
    # (the app id), the token endpoints take JSON and answer ``{"code", "message", "request_id", "data"}``;
    # ``data.open_id`` is the ``business_id`` every call names; refresh tokens rotate.
    "tiktok": Profile(
        "tiktok",
        "TikTok",
        "https://www.tiktok.com/v2/auth/authorize/",
        f"{TIKTOK_API}/tt_user/oauth2/token/",
        (
            "user.info.basic",
            "user.info.username",
            "user.info.profile",
            "video.list",
            "comment.list",
            "comment.list.manage",
            "message.list.read",
            "message.list.send",
            "video.publish",
        ),
        scope_separator=",",
        rotates=True,
        console="https://business-api.tiktok.com/portal",
        api_base_url=TIKTOK_API,
        token_style="tiktok",
    ),
    "mastodon": Profile(
        "mastodon",
        "Mastodon",
        "/oauth/authorize",  # on the account's instance
        "/oauth/token",
        ("read", "write"),
        refreshable=False,
        console="",
    ),
}
OAUTH_NETWORKS = tuple(PROFILES)
# Where the long-lived exchange and refresh of Instagram Login and Threads tokens go (no API version in the path).
_LONG_LIVED_GRAPH = {"instagram": IG_GRAPH, "threads": THREADS_GRAPH}


@dataclass
class Token:
    """What a token endpoint answered, in one shape for every network."""

    access_token: str
    refresh_token: str = ""
    expires_at: float = 0.0  # epoch seconds; 0 = does not expire (or the network did not say)
    scope: str = ""
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_answer(cls, answer, now=None):
        answer = answer if isinstance(answer, dict) else {}
        access = answer.get("access_token")
        if not isinstance(access, str) or not access:
            raise errors.BadPayload("The authorization server answered without an access token.")
        expires_in = answer.get("expires_in")
        expires_at = 0.0
        if isinstance(expires_in, (int, float, str)) and not isinstance(expires_in, bool):
            try:
                seconds = float(expires_in)
            except ValueError:
                seconds = 0.0
            if seconds > 0:
                expires_at = (now or time.time()) + seconds
        refresh = answer.get("refresh_token")
        scope = answer.get("scope")
        return cls(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) else "",
            expires_at=expires_at,
            scope=" ".join(scope) if isinstance(scope, list) else (scope if isinstance(scope, str) else ""),
            raw=answer,
        )


def get_profile(network):
    try:
        return PROFILES[network]
    except KeyError:
        raise ValueError(f"{network!r} does not connect with OAuth 2.0.") from None


def new_state():
    """A random, unguessable ``state`` (256 bits)."""
    return secrets.token_urlsafe(32)


def new_code_verifier():
    """A PKCE code verifier (RFC 7636: 43-128 characters of the unreserved set)."""
    return secrets.token_urlsafe(64)[:96]


def code_challenge(verifier):
    """The ``S256`` challenge of ``verifier``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthClient:
    """One network's authorization server, as a confidential client.

    ``authorize_url`` / ``token_url`` default to the profile's; Mastodon's are paths on
    ``instance_url``. ``allowed_hosts`` as for every client (``netguard``).
    """

    def __init__(
        self,
        network,
        client_id,
        client_secret,
        redirect_uri,
        authorize_url=None,
        token_url=None,
        allowed_hosts=None,
        timeout=TIMEOUT,
        instance_url=None,
    ):
        self.profile = get_profile(network)
        self.network = network
        self.client_id = client_id or ""
        self.client_secret = client_secret or ""
        self.redirect_uri = redirect_uri
        base = (instance_url or "").rstrip("/")
        self.authorize_url = authorize_url or (base + self.profile.authorize_url)
        self.token_url = token_url or (base + self.profile.token_url)
        self.allowed_hosts = netguard.parse_allowed_hosts(allowed_hosts)
        self.timeout = timeout
        for url in (self.authorize_url, self.token_url):
            netguard.check_syntax(url)

    # ------------------------------------------------------------------
    # authlib session, guarded
    # ------------------------------------------------------------------

    def _session(self):
        from authlib.integrations.requests_client import OAuth2Session  # lazy: only when connecting

        session = OAuth2Session(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.profile.scope_separator.join(self.profile.scopes),
            redirect_uri=self.redirect_uri,
            token_endpoint_auth_method=self.profile.auth_method,
            code_challenge_method="S256",
        )
        adapter = netguard.GuardedAdapter(self.allowed_hosts)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = "social_crm/18.0 (Odoo social CRM)"
        return session

    def _check(self, url):
        try:
            netguard.check_url(url, self.allowed_hosts)
        except errors.SocialApiError as exc:
            exc.network = exc.network or self.network
            raise

    def authorization_url(self, state, code_verifier):
        """The provider's consent page: code flow, PKCE ``S256``, the network's scopes and parameters."""
        if not self.client_id:
            raise errors.AuthenticationFailed(f"No client id is registered for {self.profile.label}.", self.network)
        session = self._session()
        params = dict(self.profile.authorize_params)
        if self.profile.token_style == "tiktok":
            params["client_key"] = self.client_id  # TikTok's name for the app id on its consent page
        url, _state = session.create_authorization_url(
            self.authorize_url, state=state, code_verifier=code_verifier, **params
        )
        return url

    def _unreachable(self, exc):
        if isinstance(exc, requests.exceptions.Timeout):
            return errors.ConnectionFailed(
                f"{self.profile.label} did not answer within {self.timeout} seconds.", self.network
            )
        return errors.ConnectionFailed(f"{self.profile.label} cannot be reached ({type(exc).__name__}).", self.network)

    def _token_call(self, call):
        """Run an authlib token request; map what can go wrong to typed errors."""
        from authlib.integrations.base_client import OAuthError

        self._check(self.token_url)
        try:
            answer = call(self._session())
        except OAuthError as exc:
            raise self._oauth_error(exc.error, exc.description) from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc
        except ValueError as exc:  # not JSON
            raise errors.BadPayload(f"{self.profile.label} answered the token request with no JSON.") from exc
        token = Token.from_answer(dict(answer))
        return token

    def _oauth_error(self, code, description):
        text = f"{self.profile.label}: {code or 'error'}" + (f" ({description})" if description else "")
        if code in ("invalid_grant", "invalid_token"):
            return errors.GrantRevoked(text, self.network)
        if code in ("invalid_client", "unauthorized_client"):
            return errors.AuthenticationFailed(text, self.network)
        return errors.ApiError(text, self.network, code=code)

    def _kwargs(self):
        return {"timeout": self.timeout, "allow_redirects": False}

    def exchange_code(self, code, code_verifier):
        """The token of an authorization code (with its PKCE verifier)."""
        if self.profile.token_style == "tiktok":
            return self._tiktok_token(
                self.token_url,
                {"grant_type": "authorization_code", "auth_code": code, "redirect_uri": self.redirect_uri},
            )
        return self._token_call(
            lambda session: session.fetch_token(
                self.token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=self.redirect_uri,
                **self._kwargs(),
            )
        )

    def refresh(self, refresh_token):
        """A new access token (and, on rotating networks, a new refresh token: store it before use)."""
        if not refresh_token:
            raise errors.GrantRevoked(f"{self.profile.label} gave no refresh token.", self.network)
        if self.profile.token_style == "tiktok":
            url = self.token_url[: -len("/token/")] + "/refresh_token/" if self.token_url.endswith("/token/") else ""
            if not url:
                raise errors.ApiError(f"{self.profile.label}: the token URL does not end in /token/.", self.network)
            return self._tiktok_token(url, {"grant_type": "refresh_token", "refresh_token": refresh_token}, True)
        return self._token_call(
            lambda session: session.refresh_token(self.token_url, refresh_token=refresh_token, **self._kwargs())
        )

    # ------------------------------------------------------------------
    # Vendor steps around the standard flow
    # ------------------------------------------------------------------

    def _tiktok_token(self, url, body, refreshing=False):
        """TikTok's token endpoints: a JSON body with the app's id and secret, the answer in its envelope."""
        self._check(url)
        session = requests.Session()
        adapter = netguard.GuardedAdapter(self.allowed_hosts)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            response = session.post(
                url,
                json={"client_id": self.client_id, "client_secret": self.client_secret, **body},
                headers={"User-Agent": "social_crm/18.0 (Odoo social CRM)"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except (requests.exceptions.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc
        finally:
            session.close()
        raw = response.content[: MAX_BODY + 1]
        if len(raw) > MAX_BODY:
            raise errors.BadPayload(f"{self.profile.label} sent too large an answer.", self.network)
        try:
            answer = json.loads(raw.decode("utf-8", errors="replace"))
        except ValueError as exc:
            raise errors.BadPayload(f"{self.profile.label} answered the token request with no JSON.") from exc
        if not isinstance(answer, dict) or "code" not in answer:
            raise errors.BadPayload(f"{self.profile.label} answered the token request in an unknown shape.")
        code = answer.get("code")
        if code != 0:
            message = answer.get("message") if isinstance(answer.get("message"), str) else ""
            text = f"{self.profile.label}: {message or 'error'} (code {code})"
            if code in TIKTOK_GRANT_CODES or (refreshing and "refresh" in message.lower()):
                raise errors.GrantRevoked(text, self.network)
            raise errors.ApiError(text, self.network, status=response.status_code, code=code)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        return Token.from_answer(data)

    def _get_json(self, method, url, params=None, data=None):
        self._check(url)
        session = self._session()
        try:
            response = session.request(
                method, url, params=params, data=data, timeout=self.timeout, allow_redirects=False, withhold_token=True
            )
        except (requests.exceptions.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc
        body = response.content[: MAX_BODY + 1]
        if len(body) > MAX_BODY:
            raise errors.BadPayload(f"{self.profile.label} sent too large an answer.", self.network)
        try:
            payload = json.loads(body.decode("utf-8", errors="replace")) if body.strip() else {}
        except ValueError as exc:
            raise errors.BadPayload(f"{self.profile.label} answered with no JSON.", self.network) from exc
        if response.status_code >= 400:
            error = payload.get("error") if isinstance(payload, dict) else None
            if isinstance(error, dict):  # Graph API: {"error": {"message", "type", "code"}}
                code = error.get("code")
                text = f"{self.profile.label}: {error.get('message') or error.get('type') or response.status_code}"
                if code == 190 or response.status_code == 401:
                    raise errors.GrantRevoked(text, self.network)
                raise errors.ApiError(text, self.network, status=response.status_code, code=code)
            description = payload.get("error_description") if isinstance(payload, dict) else None
            raise self._oauth_error(error if isinstance(error, str) else str(response.status_code), description)
        return payload if isinstance(payload, dict) else {}

    def long_lived(self, token, graph_url=None):
        """Meta: a short-lived user token exchanged for the long-lived one (about 60 days)."""
        if self.profile.long_lived == "facebook":
            base = (graph_url or origin_path(self.token_url, "/oauth/access_token")).rstrip("/")
            answer = self._get_json(
                "GET",
                f"{base}/oauth/access_token",
                params={
                    "grant_type": "fb_exchange_token",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "fb_exchange_token": token.access_token,
                },
            )
        elif self.profile.long_lived in ("instagram", "threads"):
            base = (graph_url or _LONG_LIVED_GRAPH[self.profile.long_lived]).rstrip("/")
            answer = self._get_json(
                "GET",
                f"{base}/access_token",
                params={
                    "grant_type": "ig_exchange_token"
                    if self.profile.long_lived == "instagram"
                    else "th_exchange_token",
                    "client_secret": self.client_secret,
                    "access_token": token.access_token,
                },
            )
        else:
            return token
        long = Token.from_answer(answer)
        long.raw = {**token.raw, **answer}
        return long

    def refresh_long_lived(self, access_token, graph_url=None):
        """Instagram, Threads: a long-lived token (at least a day old, not expired) refreshed for another 60 days."""
        if self.profile.long_lived not in ("instagram", "threads"):
            raise errors.GrantRevoked(f"{self.profile.label} tokens cannot be refreshed.", self.network)
        base = (graph_url or _LONG_LIVED_GRAPH[self.profile.long_lived]).rstrip("/")
        grant = "ig_refresh_token" if self.profile.long_lived == "instagram" else "th_refresh_token"
        answer = self._get_json(
            "GET", f"{base}/refresh_access_token", params={"grant_type": grant, "access_token": access_token}
        )
        return Token.from_answer(answer)

    def facebook_pages(self, user_token, graph_url=None):
        """The Pages a Facebook user manages, each with its own Page token: ``[{"id", "name", "access_token"}]``."""
        base = (graph_url or FB_GRAPH).rstrip("/")
        url, params, pages = f"{base}/me/accounts", {"fields": "id,name,access_token", "limit": 100}, []
        for _page in range(10):
            answer = self._get_json("GET", url, params={**params, "access_token": user_token})
            for row in answer.get("data") or []:
                if isinstance(row, dict) and row.get("id") and row.get("access_token"):
                    pages.append(
                        {"id": str(row["id"]), "name": str(row.get("name") or row["id"]), "token": row["access_token"]}
                    )
            after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (answer.get("paging") or {}).get("next"):
                break
            params = {**params, "after": after}
        return pages


def register_mastodon_app(instance_url, redirect_uri, scopes=("read", "write"), allowed_hosts=None, timeout=TIMEOUT):
    """Register this Odoo as an application on a Mastodon instance: ``(client_id, client_secret)``."""
    client = OAuthClient("mastodon", "", "", redirect_uri, instance_url=instance_url, allowed_hosts=allowed_hosts)
    client.timeout = timeout
    answer = client._get_json(
        "POST",
        instance_url.rstrip("/") + "/api/v1/apps",
        data={
            "client_name": "Odoo Social CRM",
            "redirect_uris": redirect_uri,
            "scopes": " ".join(scopes),
        },
    )
    client_id, client_secret = answer.get("client_id"), answer.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str) or not client_id or not client_secret:
        raise errors.BadPayload("Mastodon registered the application without a client id and secret.", "mastodon")
    return client_id, client_secret


def origin_path(url, suffix):
    """``url`` without ``suffix`` at its end (the Graph base of a token URL)."""
    return url[: -len(suffix)] if url.endswith(suffix) else f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
