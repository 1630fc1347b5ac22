"""OAuth 2.0 client side against a real authorization server on loopback (authlib's server classes)."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import social_crm_path
from social_crm.connectors import errors, oauth
from social_crm.connectors.x import XClient

REDIRECT = "http://127.0.0.1:8069/social_crm/oauth/callback"


def _server_module():
    return social_crm_path.load_file("social_crm_oauth_server", "social_crm/tests/oauth_server.py")


@pytest.fixture
def provider():
    with _server_module().Provider(expires_in=2) as running:
        running.register("odoo-app", "s3cret", REDIRECT)
        yield running


def client_for(provider, secret="s3cret"):
    return oauth.OAuthClient(
        "x",
        "odoo-app",
        secret,
        REDIRECT,
        authorize_url=provider.url + "/authorize",
        token_url=provider.url + "/token",
        allowed_hosts="127.0.0.1",
    )


def consent(provider, url):
    """The browser's part: open the consent page, read the redirect back to Odoo."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}


def test_profiles_name_offline_access_and_vendor_endpoints():
    assert "offline.access" in oauth.PROFILES["x"].scopes and oauth.PROFILES["x"].rotates
    assert oauth.PROFILES["youtube"].authorize_params == {
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
    }
    assert oauth.PROFILES["reddit"].authorize_params["duration"] == "permanent"
    assert oauth.PROFILES["reddit"].auth_method == "client_secret_basic"
    assert oauth.PROFILES["facebook"].long_lived == "facebook"
    assert oauth.PROFILES["instagram"].long_lived == "instagram"
    url = oauth.OAuthClient("youtube", "cid", "sec", REDIRECT).authorization_url("st", oauth.new_code_verifier())
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"]
    masto = oauth.OAuthClient("mastodon", "cid", "sec", REDIRECT, instance_url="https://social.example")
    assert masto.authorize_url == "https://social.example/oauth/authorize"


def test_code_flow_with_pkce_then_api_with_the_token(provider):
    client = client_for(provider)
    verifier = oauth.new_code_verifier()
    url = client.authorization_url("state-1", verifier)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge"] == [oauth.code_challenge(verifier)]
    assert "offline.access" in query["scope"][0].split()
    back = consent(provider, url)
    assert back["state"] == "state-1"
    token = client.exchange_code(back["code"], verifier)
    assert token.access_token and token.refresh_token
    assert 0 < token.expires_at - time.time() <= 2
    x = XClient(base_url=provider.url, token=token.access_token, allowed_hosts="127.0.0.1")
    assert x.verify().handle == "acme"


def test_pkce_is_verified_by_the_server(provider):
    client = client_for(provider)
    back = consent(provider, client.authorization_url("s", oauth.new_code_verifier()))
    with pytest.raises(errors.GrantRevoked):
        client.exchange_code(back["code"], oauth.new_code_verifier())  # another verifier: invalid_grant


def test_wrong_client_secret_is_refused_in_words(provider):
    client = client_for(provider)
    verifier = oauth.new_code_verifier()
    back = consent(provider, client.authorization_url("s", verifier))
    with pytest.raises(errors.AuthenticationFailed) as caught:
        client_for(provider, secret="wrong").exchange_code(back["code"], verifier)
    assert "invalid_client" in str(caught.value)


def test_denied_consent_comes_back_as_access_denied(provider):
    provider.consent = "deny"
    back = consent(provider, client_for(provider).authorization_url("s", oauth.new_code_verifier()))
    assert back["error"] == "access_denied" and "code" not in back


def test_rotating_refresh_tokens_and_reuse_revokes_the_grant(provider):
    client = client_for(provider)
    verifier = oauth.new_code_verifier()
    first = client.exchange_code(consent(provider, client.authorization_url("s", verifier))["code"], verifier)
    second = client.refresh(first.refresh_token)
    assert second.refresh_token and second.refresh_token != first.refresh_token
    time.sleep(2.1)
    x = XClient(base_url=provider.url, token=second.access_token, allowed_hosts="127.0.0.1")
    with pytest.raises(errors.AuthenticationFailed):
        x.verify()  # expired after 2 seconds
    third = client.refresh(second.refresh_token)
    assert XClient(base_url=provider.url, token=third.access_token, allowed_hosts="127.0.0.1").verify()
    with pytest.raises(errors.GrantRevoked):
        client.refresh(first.refresh_token)  # spent: the whole grant goes
    with pytest.raises(errors.GrantRevoked):
        client.refresh(third.refresh_token)  # revoked with it
    assert provider.refresh_reuses()


def test_private_token_host_refused_without_allow_list(provider):
    client = oauth.OAuthClient(
        "x",
        "odoo-app",
        "s3cret",
        REDIRECT,
        authorize_url=provider.url + "/authorize",
        token_url=provider.url + "/token",
    )
    with pytest.raises(errors.UnsafeAddress):
        client.refresh("anything")
    assert not provider.grants


def test_unreachable_token_endpoint_is_a_connection_failure():
    client = oauth.OAuthClient(
        "x", "a", "b", REDIRECT, token_url="http://127.0.0.1:9/token", allowed_hosts="127.0.0.1", timeout=2
    )
    with pytest.raises(errors.ConnectionFailed):
        client.refresh("rt")


def test_mastodon_app_registration_on_the_instance(provider):
    client_id, secret = oauth.register_mastodon_app(provider.url, REDIRECT, allowed_hosts="127.0.0.1")
    assert provider.clients[client_id].client_secret == secret
    assert provider.clients[client_id].redirect_uris == [REDIRECT]


def test_token_answer_shapes():
    token = oauth.Token.from_answer({"access_token": "a", "expires_in": "3600", "scope": ["x", "y"]}, now=100)
    assert (token.expires_at, token.scope, token.refresh_token) == (3700, "x y", "")
    assert oauth.Token.from_answer({"access_token": "a"}).expires_at == 0
    with pytest.raises(errors.BadPayload):
        oauth.Token.from_answer({"token_type": "bearer"})


def test_a_401_renews_the_token_once_and_retries(provider):
    client = client_for(provider)
    verifier = oauth.new_code_verifier()
    first = client.exchange_code(consent(provider, client.authorization_url("s", verifier))["code"], verifier)
    time.sleep(2.1)
    renewed = []

    def on_unauthorized():
        token = client.refresh(first.refresh_token)
        renewed.append(token.access_token)
        return token.access_token

    x = XClient(base_url=provider.url, token=first.access_token, allowed_hosts="127.0.0.1")
    x.on_unauthorized = on_unauthorized
    assert x.verify().handle == "acme"
    assert len(renewed) == 1 and x.token == renewed[0]
    assert [ok for _path, ok in provider.api_calls] == [False, True]
    time.sleep(2.1)
    with pytest.raises(errors.AuthenticationFailed):
        XClient(base_url=provider.url, token=x.token, allowed_hosts="127.0.0.1").verify()  # no renewer: no retry


# Meta's Graph API, shaped as documented: the long-lived exchange, the user's Pages with their tokens,
# Instagram's ig_exchange_token and refresh_access_token.
EXPIRED_TOKEN = (
    400,
    {},
    {"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190}},
)


def serve_long_lived_tokens(server, prefix, long):
    """Instagram Login's (``ig_``) or Threads' (``th_``) token endpoints: ``GET /access_token`` exchanges the
    short-lived token "short" for ``long``, ``GET /refresh_access_token`` refreshes ``long`` to ``long``-2."""

    def exchange(request):
        query = {k: v[0] for k, v in request["query"].items()}
        assert query == {
            "grant_type": f"{prefix}_exchange_token",
            "client_secret": "meta-secret",
            "access_token": "short",
        }
        return 200, {}, {"access_token": long, "token_type": "bearer", "expires_in": 5183944}

    def refresh(request):
        query = {k: v[0] for k, v in request["query"].items()}
        assert query == {"grant_type": f"{prefix}_refresh_token", "access_token": long}
        return 200, {}, {"access_token": f"{long}-2", "token_type": "bearer", "expires_in": 5183944}

    server.route("GET", "/access_token", exchange)
    server.route("GET", "/refresh_access_token", refresh)


def meta_client(server, network):
    graph = server.url + ("/v21.0" if network == "facebook" else "")
    return oauth.OAuthClient(
        network,
        "meta-app",
        "meta-secret",
        REDIRECT,
        token_url=graph + ("/oauth/access_token" if network == "facebook" else "/oauth/access_token"),
        allowed_hosts="127.0.0.1",
    ), graph


def test_facebook_long_lived_user_token_then_one_token_per_page(server):
    def exchange(request):
        query = {k: v[0] for k, v in request["query"].items()}
        assert query == {
            "grant_type": "fb_exchange_token",
            "client_id": "meta-app",
            "client_secret": "meta-secret",
            "fb_exchange_token": "short-user-token",
        }
        return 200, {}, {"access_token": "long-user-token", "token_type": "bearer", "expires_in": 5183944}

    def accounts(request):
        assert request["query"]["access_token"] == ["long-user-token"]
        if "after" not in request["query"]:
            return (
                200,
                {},
                {
                    "data": [{"id": "101", "name": "Acme TH", "access_token": "page-101", "tasks": ["MODERATE"]}],
                    "paging": {
                        "cursors": {"before": "a", "after": "b"},
                        "next": server.url + "/v21.0/me/accounts?after=b",
                    },
                },
            )
        return 200, {}, {"data": [{"id": "102", "name": "Acme IR", "access_token": "page-102"}], "paging": {}}

    server.route("GET", "/v21.0/oauth/access_token", exchange)
    server.route("GET", "/v21.0/me/accounts", accounts)
    client, graph = meta_client(server, "facebook")
    long = client.long_lived(oauth.Token("short-user-token"), graph_url=graph)
    assert long.access_token == "long-user-token" and long.expires_at > time.time() + 59 * 86400
    pages = client.facebook_pages(long.access_token, graph_url=graph)
    assert pages == [
        {"id": "101", "name": "Acme TH", "token": "page-101"},
        {"id": "102", "name": "Acme IR", "token": "page-102"},
    ]


def test_facebook_expired_user_token_is_a_revoked_grant(server):
    server.route("GET", "/v21.0/me/accounts", EXPIRED_TOKEN)
    client, graph = meta_client(server, "facebook")
    with pytest.raises(errors.GrantRevoked):
        client.facebook_pages("old", graph_url=graph)


def test_instagram_login_short_to_long_lived_and_refresh(server):
    serve_long_lived_tokens(server, "ig", "long-ig")
    client, graph = meta_client(server, "instagram")
    long = client.long_lived(oauth.Token("short", raw={"user_id": 17841400000000000}), graph_url=graph)
    assert long.access_token == "long-ig" and long.raw["user_id"] == 17841400000000000
    assert client.refresh_long_lived("long-ig", graph_url=graph).access_token == "long-ig-2"
    with pytest.raises(errors.GrantRevoked):
        meta_client(server, "facebook")[0].refresh_long_lived("x")


def test_threads_short_to_long_lived_and_refresh(server):
    """Threads' *Long-Lived Access Tokens* document: ``GET /access_token?grant_type=th_exchange_token`` and
    ``GET /refresh_access_token?grant_type=th_refresh_token`` on graph.threads.net (no version in the path)."""

    serve_long_lived_tokens(server, "th", "long-th")
    client, graph = meta_client(server, "threads")
    profile = oauth.PROFILES["threads"]
    assert profile.authorize_url == "https://threads.net/oauth/authorize"
    assert profile.token_url == "https://graph.threads.net/oauth/access_token"
    assert {"threads_basic", "threads_manage_mentions", "threads_keyword_search"} <= set(profile.scopes)
    long = client.long_lived(oauth.Token("short", raw={"user_id": 17841401234567890}), graph_url=graph)
    assert long.access_token == "long-th" and long.raw["user_id"] == 17841401234567890
    assert long.expires_at > time.time() + 59 * 86400
    assert client.refresh_long_lived("long-th", graph_url=graph).access_token == "long-th-2"
    server.route("GET", "/refresh_access_token", EXPIRED_TOKEN)
    with pytest.raises(errors.GrantRevoked):
        client.refresh_long_lived("long-th", graph_url=graph)
