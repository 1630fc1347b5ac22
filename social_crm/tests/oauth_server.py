# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A real OAuth 2.0 authorization server on 127.0.0.1, built on authlib's server classes.

It is shaped like X's OAuth 2.0 (authorization code + PKCE required, rotating refresh tokens,
a reused refresh token revokes the whole grant, as X documents) and also serves, on the same
port, an X-shaped API that checks the bearer token (``/2/users/me``, mentions, search) and
Mastodon's ``POST /api/v1/apps``. No Odoo import: the pure tests and the Odoo tests share it.

``provider.expires_in``: lifetime of the access tokens it issues (seconds). ``provider.consent``:
``"allow"`` (auto-consent as the brand's user) or ``"deny"`` (``error=access_denied``).
``provider.grants``: every token request, ``(grant_type, refresh token presented, ok)``.
"""

import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from authlib.oauth2 import rfc6749
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge

# The server runs on plain http on loopback (authlib refuses http otherwise).
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

BRAND = {"id": "783214", "username": "acme", "name": "Acme Support"}


class Client(rfc6749.ClientMixin):
    def __init__(self, client_id, client_secret, redirect_uris, scope):
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris, self.scope = list(redirect_uris), scope

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


class AuthCode(rfc6749.AuthorizationCodeMixin):
    def __init__(self, code, client_id, redirect_uri, scope, user, challenge, method):
        self.code, self.client_id, self.redirect_uri, self.scope, self.user = code, client_id, redirect_uri, scope, user
        self.code_challenge, self.code_challenge_method = challenge, method

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_code_challenge(self):
        return self.code_challenge

    def get_code_challenge_method(self):
        return self.code_challenge_method


class TokenRecord(rfc6749.TokenMixin):
    def __init__(self, client_id, user, scope, access_token, refresh_token, expires_at, family):
        self.client_id, self.user, self.scope = client_id, user, scope
        self.access_token, self.refresh_token, self.expires_at, self.family = (
            access_token,
            refresh_token,
            expires_at,
            family,
        )
        self.spent = False  # this refresh token was used (rotation)
        self.revoked = False  # the whole grant was revoked

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return max(int(self.expires_at - time.time()), 0)

    def is_revoked(self):
        return self.revoked

    def is_expired(self):
        return time.time() >= self.expires_at


class Request(OAuth2Request):
    def __init__(self, method, uri, headers, form):
        super().__init__(method, uri, headers=headers)
        query = {k: v[-1] for k, v in parse_qs(urlsplit(uri).query).items()}
        self._args, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class Provider:
    def __init__(self, expires_in=7200):
        self.expires_in = expires_in
        self.consent = "allow"
        self.clients = {}
        self.codes = {}
        self.by_access = {}
        self.by_refresh = {}
        self.grants = []
        self.api_calls = []
        self.mentions = []
        self.pages = [{"id": "1010", "name": "Acme TH"}, {"id": "1020", "name": "Acme IR"}]
        self.lock = threading.RLock()
        self.server = self._authorization_server()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # --- registrations -------------------------------------------------

    def register(
        self, client_id, client_secret, redirect_uri, scope="tweet.read tweet.write users.read offline.access"
    ):
        self.clients[client_id] = Client(client_id, client_secret, [redirect_uri], scope)
        return self.clients[client_id]

    def revoked_families(self):
        return {rec.family for rec in self.by_refresh.values() if rec.revoked}

    def refresh_reuses(self):
        return [g for g in self.grants if g[0] == "refresh_token" and g[2] == "reused"]

    # --- authlib server -------------------------------------------------

    def _authorization_server(self):
        provider = self

        class Server(rfc6749.AuthorizationServer):
            def query_client(self, client_id):
                return provider.clients.get(client_id)

            def save_token(self, token, request):
                previous = request.refresh_token
                family = previous.family if previous is not None else secrets.token_hex(8)
                record = TokenRecord(
                    request.client.client_id,
                    request.user,
                    token.get("scope", ""),
                    token["access_token"],
                    token.get("refresh_token"),
                    time.time() + token["expires_in"],
                    family,
                )
                provider.by_access[record.access_token] = record
                if record.refresh_token:
                    provider.by_refresh[record.refresh_token] = record

            def create_oauth2_request(self, request):
                return request

            def create_json_request(self, request):
                return request

            def handle_response(self, status, body, headers):
                return status, body, headers

            def send_signal(self, name, *args, **kwargs):
                pass

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                payload = request.payload.data
                provider.codes[code] = AuthCode(
                    code,
                    request.client.client_id,
                    payload.get("redirect_uri"),
                    payload.get("scope", ""),
                    request.user,
                    payload.get("code_challenge"),
                    payload.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class RotatingRefreshGrant(grants.RefreshTokenGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
            INCLUDE_NEW_REFRESH_TOKEN = True

            def authenticate_refresh_token(self, refresh_token):
                record = provider.by_refresh.get(refresh_token)
                if record is None or record.revoked:
                    provider.grants.append(("refresh_token", refresh_token, "refused"))
                    return None
                if record.spent:
                    # A refresh token used twice: the whole grant is revoked (X's rule).
                    for other in list(provider.by_refresh.values()) + list(provider.by_access.values()):
                        if other.family == record.family:
                            other.revoked = True
                    provider.grants.append(("refresh_token", refresh_token, "reused"))
                    return None
                provider.grants.append(("refresh_token", refresh_token, "ok"))
                return record

            def authenticate_user(self, refresh_token):
                return refresh_token.user

            def revoke_old_credential(self, refresh_token):
                refresh_token.spent = True

        server = Server()
        server.register_grant(CodeGrant, [CodeChallenge(required=True)])
        server.register_grant(RotatingRefreshGrant)
        server.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda **kw: secrets.token_urlsafe(24),
                lambda **kw: secrets.token_urlsafe(32),
                lambda client, grant_type: provider.expires_in,
            ),
        )
        return server

    # --- bearer check for the API --------------------------------------

    def bearer_ok(self, headers):
        value = headers.get("Authorization") or ""
        if not value.startswith("Bearer "):
            return False
        record = self.by_access.get(value[len("Bearer ") :])
        return bool(record and not record.revoked and not record.is_expired())

    # --- HTTP ----------------------------------------------------------

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status, body=b"", headers=None):
                headers = dict(headers or {})
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                    headers.setdefault("Content-Type", "application/json")
                elif isinstance(body, str):
                    body = body.encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _request(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                form = {k: v[-1] for k, v in parse_qs(raw).items()}
                return Request(self.command, provider.url + self.path, dict(self.headers), form)

            def do_GET(self):
                with provider.lock:
                    self._route()

            def do_POST(self):
                with provider.lock:
                    self._route()

            def _route(self):
                request = self._request()
                path = urlsplit(self.path).path
                if path == "/authorize" and self.command == "GET":
                    return self._authorize(request)
                if path == "/token" and self.command == "POST":
                    status, body, headers = provider.server.create_token_response(request)
                    grant_type = request.form.get("grant_type")
                    if grant_type == "authorization_code":
                        provider.grants.append(("authorization_code", request.form.get("code"), status == 200))
                    return self._send(status, body, dict(headers))
                if path == "/api/v1/apps" and self.command == "POST":
                    client_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
                    provider.register(client_id, secret, request.form.get("redirect_uris"), "read write")
                    return self._send(
                        200,
                        {
                            "id": "1",
                            "name": request.form.get("client_name"),
                            "redirect_uri": request.form.get("redirect_uris"),
                            "client_id": client_id,
                            "client_secret": secret,
                        },
                    )
                if path == "/oauth/access_token" and self.command == "GET":
                    return self._fb_exchange(request)
                if path == "/oauth/access_token" and self.command == "POST":
                    # Threads: the code exchange answers the user id beside the token
                    status, body, headers = provider.server.create_token_response(request)
                    provider.grants.append(("authorization_code", request.form.get("code"), status == 200))
                    if status == 200 and isinstance(body, dict):
                        body = {"access_token": body["access_token"], "user_id": int(BRAND["id"])}
                    return self._send(status, body, dict(headers))
                if path in ("/access_token", "/refresh_access_token") and self.command == "GET":
                    return self._threads_long_lived(path, request)
                if path == "/me/accounts" and self.command == "GET":
                    return self._fb_pages(request)
                return self._api(path, request)

            # Graph API shapes (Facebook Login for Pages): long-lived user token, then the user's Pages
            def _fb_exchange(self, request):
                args = request.args
                client = provider.clients.get(args.get("client_id"))
                short = provider.by_access.get(args.get("fb_exchange_token") or "")
                if (
                    args.get("grant_type") != "fb_exchange_token"
                    or not client
                    or not client.check_client_secret(args.get("client_secret"))
                    or not short
                    or short.is_expired()
                ):
                    return self._send(400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
                provider.grants.append(("fb_exchange_token", short.access_token, True))
                return self._send_long_lived(client, short, "fb")

            # Threads (Long-Lived Access Tokens): th_exchange_token, then th_refresh_token, 60 days each
            def _threads_long_lived(self, path, request):
                args = request.args
                current = provider.by_access.get(args.get("access_token") or "")
                grant = "th_exchange_token" if path == "/access_token" else "th_refresh_token"
                client = provider.clients.get(current.client_id) if current else None
                ok = (
                    args.get("grant_type") == grant
                    and client
                    and not current.is_expired()
                    and not current.revoked
                    and (grant == "th_refresh_token" or client.check_client_secret(args.get("client_secret")))
                )
                provider.grants.append((grant, args.get("access_token"), bool(ok)))
                if not ok:
                    return self._send(400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
                return self._send_long_lived(client, current, "th")

            def _send_long_lived(self, client, token, family):
                """A new 60-day token of ``family`` for the user and scope of ``token``, as both APIs answer it."""
                expires_in = 5184000
                long = TokenRecord(
                    client.client_id,
                    token.user,
                    token.scope,
                    secrets.token_urlsafe(24),
                    None,
                    time.time() + expires_in,
                    family,
                )
                provider.by_access[long.access_token] = long
                return self._send(
                    200, {"access_token": long.access_token, "token_type": "bearer", "expires_in": expires_in}
                )

            def _fb_pages(self, request):
                user = provider.by_access.get(request.args.get("access_token") or "")
                if not user or user.family != "fb" or user.is_expired():
                    return self._send(400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
                data = []
                for page in provider.pages:
                    token = f"page-{page['id']}-{secrets.token_urlsafe(8)}"
                    provider.by_access[token] = TokenRecord(user.client_id, page["id"], "", token, None, 1e12, "page")
                    data.append({**page, "access_token": token, "tasks": ["MODERATE", "MESSAGING"]})
                return self._send(200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}})

            def _authorize(self, request):
                try:
                    grant = provider.server.get_consent_grant(request, end_user=BRAND["id"])
                except rfc6749.OAuth2Error as error:
                    return self._send(400, {"error": error.error, "error_description": error.description})
                if provider.consent == "deny":
                    status, body, headers = provider.server.create_authorization_response(
                        request, grant_user=None, grant=grant
                    )
                else:
                    status, body, headers = provider.server.create_authorization_response(
                        request, grant_user=BRAND["id"], grant=grant
                    )
                return self._send(status, body or b"", dict(headers))

            def _api(self, path, request):
                provider.api_calls.append((path, provider.bearer_ok(request.headers)))
                if not provider.bearer_ok(request.headers):
                    return self._send(
                        401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
                    )
                if path == "/2/users/me":
                    return self._send(200, {"data": BRAND})
                if path in ("/me", f"/{BRAND['id']}"):  # Threads profile (the Graph API's shape)
                    return self._send(200, {"id": BRAND["id"], "username": BRAND["username"], "name": BRAND["name"]})
                page = next((p for p in provider.pages if path == f"/{p['id']}"), None)
                if page:  # Graph API: a Page read with its own Page token
                    return self._send(200, {"id": page["id"], "name": page["name"], "followers_count": 12})
                if path in (f"/2/users/{BRAND['id']}/mentions", "/2/tweets/search/recent"):
                    users = [
                        {"id": m["author_id"], "username": m["author_id"], "name": "Jane"} for m in provider.mentions
                    ]
                    body = {
                        "data": provider.mentions,
                        "includes": {"users": users},
                        "meta": {"result_count": len(provider.mentions)},
                    }
                    if provider.mentions:
                        body["meta"]["newest_id"] = provider.mentions[0]["id"]
                    return self._send(200, body)
                return self._send(404, {"title": "Not Found"})

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
