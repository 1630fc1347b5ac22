"""Private addresses are refused by default, in every spelling, before and after DNS and at connect time."""

import ipaddress
import socket

import pytest

from social_crm.connectors import errors, get_client, netguard

# Loopback and other internal addresses, spelled every way the C resolver (and so urllib3) accepts.
LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "0x7f000001",
    "2130706433",
    "0177.0.0.1",
    "127.1",
    "0x7f.1",
    "017700000001",
    "127.000.000.001",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::127.0.0.1]",
    "[2002:7f00:1::]",
    "[64:ff9b::127.0.0.1]",
]
INTERNAL = [
    ("10.0.0.5", "a private address"),
    ("172.16.3.4", "a private address"),
    ("192.168.1.1", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("0.0.0.0", "an unspecified address"),
    ("0", "an unspecified address"),
    ("224.0.0.1", "a multicast address"),
    ("255.255.255.255", "a reserved address"),
    ("[fe80::1]", "a link-local address"),
    ("[fd00::1]", "a private address"),
    ("[ff02::1]", "a multicast address"),
    ("[::]", "an unspecified address"),
    ("[::ffff:10.0.0.1]", "a private address"),
    ("[::ffff:169.254.169.254]", "a link-local address"),
    ("198.18.0.1", "a private address"),
]


def fake_dns(monkeypatch, table):
    """getaddrinfo answering ``table[host]`` (a list of addresses), as a resolver would."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port) if ":" not in a else (a, port, 0, 0),
            )
            for a in table[host]
        ]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_every_spelling_of_loopback_is_refused_by_default(host):
    with pytest.raises(errors.UnsafeAddress, match="loopback address.*social_crm.allowed_hosts"):
        netguard.check_url(f"https://{host}/feed")
    with pytest.raises(errors.UnsafeAddress, match="loopback"):  # also without DNS, when a form is saved
        netguard.check_url(f"https://{host}/feed", resolve=False)


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_every_spelling_of_loopback_passes_when_allowed(host):
    assert netguard.check_url(f"http://{host}:8080/feed", "127.0.0.0/8, ::1") == f"http://{host}:8080/feed"


@pytest.mark.parametrize(("host", "kind"), INTERNAL)
def test_internal_addresses_are_refused_with_what_they_are(host, kind):
    with pytest.raises(errors.UnsafeAddress) as caught:
        netguard.check_url(f"https://{host}/")
    assert kind in str(caught.value)
    assert "an administrator can allow it in the system parameter social_crm.allowed_hosts" in str(caught.value)


def test_localhost_names_are_refused_without_dns():
    for url in ("https://localhost/", "https://LOCALHOST./", "https://shop.localhost/"):
        with pytest.raises(errors.UnsafeAddress, match="loopback"):
            netguard.check_url(url, resolve=False)


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    fake_dns(
        monkeypatch,
        {
            "intranet.example": ["10.0.0.5"],
            "mixed.example": ["93.184.216.34", "192.168.0.7"],
            "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
            "mapped.example": ["::ffff:127.0.0.1"],
        },
    )
    with pytest.raises(errors.UnsafeAddress) as caught:
        netguard.check_url("https://intranet.example/api")
    assert str(caught.value) == (
        "intranet.example resolves to a private address (10.0.0.5); an administrator can "
        "allow it in the system parameter social_crm.allowed_hosts."
    )
    with pytest.raises(errors.UnsafeAddress, match=r"192\.168\.0\.7"):  # every address must be public
        netguard.check_url("https://mixed.example/")
    with pytest.raises(errors.UnsafeAddress, match="loopback"):
        netguard.check_url("https://mapped.example/")
    assert netguard.check_url("https://public.example/x")
    # allowed by name, or by a range holding every address
    assert netguard.check_url("https://intranet.example/api", "intranet.example")
    assert netguard.check_url("https://intranet.example/api", "10.0.0.0/8")
    assert netguard.check_url("http://intranet.example/api", ["10.0.0.0/8"])
    with pytest.raises(errors.UnsafeAddress):
        netguard.check_url("https://intranet.example/api", "192.168.0.0/16,other.example")
    # without DNS (a form saved offline) only the literal is judged
    assert netguard.check_url("https://intranet.example/api", resolve=False)


def test_unknown_host_is_a_connection_failure(monkeypatch):
    fake_dns(monkeypatch, {})
    with pytest.raises(errors.ConnectionFailed, match="cannot be resolved"):
        netguard.check_url("https://nowhere.example/")


def test_plain_http_only_for_allowed_hosts(monkeypatch):
    fake_dns(monkeypatch, {"example.org": ["93.184.216.34"]})
    assert netguard.check_url("https://example.org/feed")
    with pytest.raises(errors.UnsafeAddress, match=r"Plain http:// is refused for example\.org"):
        netguard.check_url("http://example.org/feed")
    assert netguard.check_url("http://example.org/feed", "example.org")
    assert netguard.check_url("http://example.org/feed", "93.184.216.0/24")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/",
        "gopher://127.0.0.1/",
        "https://",
        "http:///x",
        "https://user:pass@example.org/",
        "https://127.0.0.1@example.org/",
        "https://exa mple.org/",
        "https://example.org\\@127.0.0.1/",
        "https://[fe80::1%25eth0]/",
        "https://example.org:99999/",
    ],
)
def test_malformed_or_deceptive_urls_are_refused(url):
    with pytest.raises(errors.UnsafeAddress):
        netguard.check_url(url, "127.0.0.1,example.org")


def test_public_addresses_pass():
    for address in ("93.184.216.34", "8.8.8.8", "2606:2800:220:1::1", "2a00:1450:4001::1", "::ffff:8.8.8.8"):
        assert netguard.is_public(ipaddress.ip_address(address)), address
    for address in ("2001:db8::1", "2001::1", "64:ff9b::a00:1", "::ffff:0:0", "100::1", "192.0.2.1", "240.0.0.1"):
        assert not netguard.is_public(ipaddress.ip_address(address)), address


def test_parse_allowed_hosts():
    policy = netguard.parse_allowed_hosts(" 127.0.0.1, LocalHost ,10.0.0.0/8,[::1]\nfeeds.example.")
    assert policy.names == {"localhost", "feeds.example"}
    assert [str(n) for n in policy.networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert netguard.parse_allowed_hosts(["127.0.0.1"]).networks
    assert not netguard.parse_allowed_hosts(None) and not netguard.parse_allowed_hosts("")
    assert netguard.parse_allowed_hosts(policy) is policy
    assert netguard.parse_allowed_hosts("http://x.example/, ok.example").names == {"ok.example"}  # bad entry skipped
    with pytest.raises(ValueError, match="neither a host name nor an IP address"):
        netguard.parse_allowed_hosts("http://x.example/", strict=True)


def test_a_client_never_reaches_loopback_by_default(server):
    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, {"id": "1", "acct": "acme"}))
    port = server.url.rsplit(":", 1)[1]
    for host in ("127.0.0.1", "0x7f000001", "2130706433", "127.1", "localhost"):
        client = get_client("mastodon", base_url=f"http://{host}:{port}", token="tok")
        with pytest.raises(errors.UnsafeAddress):
            client.verify()
    assert server.requests == []
    allowed = get_client("mastodon", base_url=f"http://0x7f000001:{port}", token="tok", allowed_hosts="127.0.0.1")
    assert allowed.verify().handle == "acme"
    assert len(server.requests) == 1


def test_dns_rebinding_is_caught_at_connect_time(server, monkeypatch):
    """The name is public when checked, loopback when connected: the peer address check refuses it."""
    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, {"id": "1", "acct": "acme"}))
    port = server.url.rsplit(":", 1)[1]
    monkeypatch.setattr(netguard, "resolve_host", lambda host, port=None: [ipaddress.ip_address("93.184.216.34")])
    # The admin allowed what the name resolved to at check time (so plain http is accepted), not loopback.
    client = get_client("mastodon", base_url=f"http://localhost:{port}", token="tok", allowed_hosts="93.184.216.34")
    with pytest.raises(errors.UnsafeAddress, match=r"localhost resolves to a loopback address \(127\.0\.0\.1\)"):
        client.verify()
    assert server.requests == []
