import time

import pytest
import requests

from social_crm.connectors import errors, get_client
from social_crm.connectors.base import MAX_RESPONSE_BYTES, BaseClient, retry_after_seconds
from social_crm.connectors.netguard import check_url
from social_crm.connectors.utils import BadItem, clean_text, html_to_text, parse_datetime


def test_only_http_urls():
    with pytest.raises(ValueError):
        check_url("file:///etc/passwd")
    with pytest.raises(ValueError):
        get_client("mastodon", base_url="ftp://example.org", token="t")


def test_unknown_network():
    with pytest.raises(ValueError, match="Unknown network"):
        get_client("myspace")


def client_for(server, **kwargs):
    client = BaseClient(base_url=server.url, token="t", sleep=lambda s: None, allowed_hosts="127.0.0.1", **kwargs)
    client.label, client.network = "Test", "test"
    return client


def test_retries_5xx_then_succeeds(server):
    answers = iter([(502, {}, {"error": "bad gateway"}), (503, {}, "down"), (200, {}, {"ok": True})])
    server.route("GET", "/x", lambda request: next(answers))
    assert client_for(server).request("GET", "/x") == {"ok": True}
    assert len(server.requests) == 3


def test_post_is_not_retried(server):
    server.route("POST", "/x", (503, {}, {"message": "down"}))
    with pytest.raises(errors.ApiError, match="503"):
        client_for(server).request("POST", "/x", json_body={})
    assert len(server.requests) == 1


def test_timeout_is_connection_failed(server):
    server.route("GET", "/slow", lambda request: (time.sleep(1.5), (200, {}, {}))[1])
    client = client_for(server, timeout=0.3)
    with pytest.raises(errors.ConnectionFailed, match="did not answer"):
        client.request("GET", "/slow")


def test_connection_refused():
    client = BaseClient(base_url="http://127.0.0.1:9", sleep=lambda s: None, allowed_hosts="127.0.0.1")
    client.label = "Test"
    with pytest.raises(errors.ConnectionFailed):
        client.request("GET", "/")


def test_a_request_that_never_left_is_not_sent():
    """Refused connection, unknown host, TLS handshake refused: nothing reached the network."""
    client = BaseClient(base_url="http://127.0.0.1:9", sleep=lambda s: None, allowed_hosts="127.0.0.1")
    client.label = "Test"
    with pytest.raises(errors.NotSent, match="nothing was sent") as refused:
        client.request("POST", "/statuses", json_body={"status": "hi"})
    assert refused.value.never_reached
    client = BaseClient(base_url="https://no-such-host.invalid", sleep=lambda s: None)
    client.label = "Test"
    with pytest.raises(errors.NotSent) as unknown_host:
        client.request("POST", "/statuses", json_body={"status": "hi"})
    assert unknown_host.value.never_reached


def test_a_tls_handshake_failure_is_not_sent(server):
    server.route("POST", "/statuses", (200, {}, {"id": "1"}))
    client = BaseClient(
        base_url=server.url.replace("http://", "https://"), sleep=lambda s: None, allowed_hosts="127.0.0.1"
    )
    client.label = "Test"
    with pytest.raises(errors.NotSent):
        client.request("POST", "/statuses", json_body={"status": "hi"})
    assert not server.requests


def test_a_lost_answer_may_have_been_received(server):
    def drop(request):
        raise ConnectionResetError("took the post, lost the answer")

    server.route("POST", "/statuses", drop)
    with pytest.raises(errors.ConnectionFailed) as lost:
        client_for(server).request("POST", "/statuses", json_body={"status": "hi"})
    assert not lost.value.never_reached
    assert len(server.requests) == 1
    server.route("POST", "/slow", lambda request: (time.sleep(1.5), (200, {}, {}))[1])
    with pytest.raises(errors.ConnectionFailed) as slow:
        client_for(server, timeout=0.3).request("POST", "/slow", json_body={})
    assert not slow.value.never_reached


def test_not_json_and_too_big(server):
    server.route("GET", "/html", (200, {"Content-Type": "text/html"}, "<html>oops</html>"))
    server.route("GET", "/big", (200, {}, b"x" * (MAX_RESPONSE_BYTES + 10)))
    client = client_for(server)
    with pytest.raises(errors.BadPayload, match="not JSON"):
        client.request("GET", "/html")
    with pytest.raises(errors.BadPayload, match="MB"):
        client.request("GET", "/big")


def test_status_mapping(server):
    server.route("GET", "/401", (401, {}, {"error": "invalid token"}))
    server.route("GET", "/404", (404, {}, {"error": "gone"}))
    server.route("GET", "/429", (429, {"Retry-After": "42"}, {"error": "slow"}))
    client = client_for(server)
    with pytest.raises(errors.AuthenticationFailed, match="log in again"):
        client.request("GET", "/401")
    with pytest.raises(errors.NotFound):
        client.request("GET", "/404")
    with pytest.raises(errors.RateLimited) as caught:
        client.request("GET", "/429")
    assert caught.value.retry_after == 42


def test_retry_after_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None


def test_html_to_text_drops_scripts_and_keeps_rtl():
    html = '<p>سلام <b>دنیا</b></p><script>alert("x")</script><p>second&nbsp;line &amp; more</p>'
    assert html_to_text(html) == "سلام دنیا\n\nsecond line & more"


def test_clean_text_controls_surrogates_and_cap():
    assert clean_text("a\x00b\ud800c\r\nd") == "abc\nd"
    assert len(clean_text("ก" * 150_000)) == 100_000
    with pytest.raises(BadItem):
        clean_text(42)


def test_parse_datetime_forms():
    assert parse_datetime("2026-01-15T10:30:00.000Z").isoformat() == "2026-01-15T10:30:00+00:00"
    assert parse_datetime("2026-01-15T10:30:00+0000").isoformat() == "2026-01-15T10:30:00+00:00"
    assert parse_datetime("Thu, 15 Jan 2026 17:30:00 +0700").isoformat() == "2026-01-15T10:30:00+00:00"
    assert parse_datetime(1768473000).isoformat() == "2026-01-15T10:30:00+00:00"
    assert parse_datetime(1768473000000).isoformat() == "2026-01-15T10:30:00+00:00"
    for bad in (None, "", "yesterday", True, [1]):
        with pytest.raises(BadItem):
            parse_datetime(bad)


def test_one_session_per_client(server):
    server.route("GET", "/x", (200, {}, {}))
    client = client_for(server)
    assert isinstance(client.session, requests.Session)
    client.request("GET", "/x")
    client.request("GET", "/x")
    assert server.requests[0]["headers"]["User-Agent"].startswith("social_crm/")
