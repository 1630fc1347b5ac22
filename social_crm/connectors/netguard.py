"""Which addresses the network clients may reach.

Every URL a client requests, and every redirect hop, goes through
``check_url``: only http and https; plain ``http://`` only for hosts an
administrator allowed; the host is resolved and *every* address it resolves to
must be a global unicast address. Loopback, private, shared (100.64/10),
link-local, multicast, reserved, documentation and unspecified addresses are
refused, IPv4 and IPv6 alike, including IPv4 addresses wrapped in IPv6
(mapped ``::ffff:a.b.c.d``, compatible ``::a.b.c.d``, 6to4, NAT64, Teredo) and
every numeric spelling of an IPv4 address (``0x7f000001``, ``2130706433``,
``0177.0.0.1``, ``127.1``): those are read the way the C resolver reads them,
so what is judged is what would be connected to.

The allow list (system parameter ``social_crm.allowed_hosts``) holds host
names, matched exactly (case-insensitive), and IP addresses or CIDR ranges,
matched against the resolved addresses: ``127.0.0.1,localhost,10.0.0.0/8``.

DNS rebinding: a name may resolve to a public address when checked and to a
private one when the connection is made. ``GuardedAdapter`` closes that race
for direct connections: after each TCP connect, before a byte is sent, it
checks the address actually connected to (``getpeername``) against the same
rules. Residual risk: through an HTTP(S) proxy taken from the environment the
peer is the proxy, so only the resolution done by ``check_url`` protects, and
the proxy resolves the name again; do not give Odoo a proxy that can reach the
internal network, or allow only what the proxy may reach. Names must also
resolve on the Odoo host itself (a name only the proxy can resolve is refused
as unknown). A deadline cuts only direct connections (``cut_connections``);
through a proxy the read loop still checks it between chunks.
"""

import ipaddress
import logging
import re
import socket
import weakref
from urllib.parse import urlsplit

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import errors

_logger = logging.getLogger(__name__)

PARAMETER = "social_crm.allowed_hosts"
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$")
_ABSOLUTE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?[/\\]{2}")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")  # what inet_aton may read as an IPv4 address (0x7f.1, 017700000001)

# Special-purpose ranges (IANA registries) that are never reachable on the internet, whatever the
# Python version's ``is_global`` says.
_BLOCKED_V4 = [
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_BLOCKED_V6 = [
    ipaddress.ip_network(net)
    for net in (
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "2002::/16",
    )
]
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"),)
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_KINDS_V4 = (
    (ipaddress.ip_network("127.0.0.0/8"), "a loopback address"),
    (ipaddress.ip_network("0.0.0.0/8"), "an unspecified address"),
    (ipaddress.ip_network("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    (ipaddress.ip_network("169.254.0.0/16"), "a link-local address"),
    (ipaddress.ip_network("224.0.0.0/4"), "a multicast address"),
    (ipaddress.ip_network("240.0.0.0/4"), "a reserved address"),
)


class HostPolicy:
    """The hosts an administrator allowed: exact names and IP networks."""

    def __init__(self, names=(), networks=()):
        self.names = frozenset(names)
        self.networks = tuple(networks)

    def __bool__(self):
        return bool(self.names or self.networks)

    def __repr__(self):
        return f"HostPolicy(names={sorted(self.names)!r}, networks={[str(n) for n in self.networks]!r})"

    def allows_name(self, host):
        return normalize_host(host) in self.names

    def allows_address(self, address):
        candidates = {address, _unwrap(address)} if address.version == 6 else {address}
        return any(
            candidate.version == net.version and candidate in net for candidate in candidates for net in self.networks
        )


def parse_allowed_hosts(value, strict=False):
    """A ``HostPolicy`` from ``"127.0.0.1,localhost,10.0.0.0/8"`` (or an iterable, a policy, None).

    Entries that are neither a host name nor an IP address or range are
    skipped with a warning, or refused with ``ValueError`` when ``strict``
    (use that to validate what an administrator types).
    """
    if isinstance(value, HostPolicy):
        return value
    if value is None:
        return HostPolicy()
    entries = value.replace(";", ",").replace("\n", ",").split(",") if isinstance(value, str) else list(value)
    names, networks = set(), []
    for entry in entries:
        entry = str(entry or "").strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        try:
            names.add(_ascii_host(entry))
        except ValueError as exc:
            if strict:
                raise ValueError(
                    f"{entry!r} in {PARAMETER} is neither a host name nor an IP address or range "
                    "(example: 127.0.0.1,localhost,10.0.0.0/8)."
                ) from exc
            _logger.warning("%s: ignoring %r, neither a host name nor an IP address or range", PARAMETER, entry)
    return HostPolicy(names, networks)


def normalize_host(host):
    try:
        return _ascii_host(host)
    except ValueError:
        return ""


def _ascii_host(host):
    host = (host or "").strip().lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"{host!r} is not a valid host name") from exc
    if not _HOSTNAME.match(host):
        raise ValueError(f"{host!r} is not a valid host name")
    return host


def origin(url):
    """``(scheme, host, port)`` of a URL, with the default port filled in: where credentials are bound."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return (
        scheme,
        normalize_host(parts.hostname or "") or (parts.hostname or "").lower(),
        port or {"http": 80, "https": 443}.get(scheme),
    )


def describe_origin(url):
    scheme, host, port = origin(url)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


def looks_absolute(path):
    """True for ``scheme://...`` and ``//host/...``: what would leave the base URL if joined."""
    return isinstance(path, str) and _ABSOLUTE.match(path) is not None


def check_syntax(url):
    """Raise ``errors.UnsafeAddress`` unless ``url`` is a well-formed http(s) URL (no DNS, no policy)."""
    _split(url)
    return url


def check_url(url, allowed_hosts=None, resolve=True):
    """Return ``url`` if a client may request it, else raise ``errors.UnsafeAddress``.

    ``resolve=False`` judges without DNS (for a form saved offline): IP
    literals in any spelling, ``localhost`` names and the scheme only.
    A name that cannot be resolved raises ``errors.ConnectionFailed``.
    """
    policy = parse_allowed_hosts(allowed_hosts)
    host, port, scheme = _split(url)
    listed = policy.allows_name(host)
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    elif listed or not resolve:
        addresses = []
    else:
        addresses = resolve_host(host, port)
    if not listed:
        for address in addresses:
            _check_address(host, address, policy)
        if not addresses and (host == "localhost" or host.endswith(".localhost")):
            raise errors.UnsafeAddress(_refusal(host, "a loopback address", None))
    if scheme == "http" and not (listed or (addresses and all(policy.allows_address(a) for a in addresses))):
        raise errors.UnsafeAddress(
            f"Plain http:// is refused for {host}: use https://, or an administrator can allow the host "
            f"in the system parameter {PARAMETER}."
        )
    return url


def check_peer(host, peer, allowed_hosts=None):
    """Refuse a connection whose peer address (``getpeername``) is not allowed for ``host``."""
    policy = parse_allowed_hosts(allowed_hosts)
    if policy.allows_name(host):
        return
    _check_address(host, ipaddress.ip_address(peer.split("%", 1)[0]), policy)


def resolve_host(host, port=None):
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise errors.NotSent(f"{host} cannot be resolved (unknown host name).") from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise errors.NotSent(f"{host} cannot be resolved (no address).")
    return addresses


def is_public(address):
    """True only for a global unicast address (an IPv4 wrapped in IPv6 is judged as IPv4)."""
    if address.version == 6:
        inner = _unwrap(address)
        if inner is not address:
            return is_public(inner)
        return address in _GLOBAL_UNICAST_V6 and not any(address in net for net in _BLOCKED_V6) and address.is_global
    return (
        not any(address in net for net in _BLOCKED_V4)
        and address.is_global
        and not (address.is_multicast or address.is_reserved or address.is_loopback or address.is_link_local)
    )


def _unwrap(address):
    """The IPv4 address inside an IPv6 one (mapped, compatible, 6to4, NAT64, Teredo client), else itself."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    value = int(address)
    if value >> 32 == 0 and value > 1:  # ::a.b.c.d (deprecated IPv4-compatible)
        return ipaddress.IPv4Address(value)
    if address in _SIXTOFOUR:
        return address.sixtofour
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if address.teredo:
        return address.teredo[1]
    return address


def _split(url):
    if not isinstance(url, str) or any(char in url for char in "\\\x00\t\r\n "):
        raise errors.UnsafeAddress(f"{url!r} is not a valid http or https URL.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise errors.UnsafeAddress(f"Only http and https URLs are allowed, not {url!r}.")
    if "@" in parts.netloc:
        raise errors.UnsafeAddress(f"{url!r} carries a user name or password in the address, which is refused.")
    try:
        port = parts.port
    except ValueError as exc:
        raise errors.UnsafeAddress(f"{url!r} has an invalid port.") from exc
    raw_host = parts.hostname or ""
    if "%" in raw_host:
        raise errors.UnsafeAddress(f"{url!r} names a network interface, which is refused.")
    host = raw_host if _literal_address(raw_host) is not None else normalize_host(raw_host)
    if not host:
        raise errors.UnsafeAddress(f"{url!r} has no valid host name.")
    return host, port or (443 if scheme == "https" else 80), scheme


def _literal_address(host):
    """The IP address a literal host means, in any spelling the C resolver accepts, else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host.lower()) and any(char.isdigit() for char in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _check_address(host, address, policy):
    if policy.allows_address(address) or is_public(address):
        return
    raise errors.UnsafeAddress(_refusal(host, _kind(address), address))


def _kind(address):
    inner = _unwrap(address) if address.version == 6 else address
    if inner.version == 4:
        for net, kind in _KINDS_V4:
            if inner in net:
                return kind
        return "a private address" if inner.is_private else "a reserved address"
    for flag, kind in (
        ("is_loopback", "a loopback address"),
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_site_local", "a site-local address"),
    ):
        if getattr(inner, flag):
            return kind
    return "a private address" if inner in ipaddress.ip_network("fc00::/7") else "a reserved address"


def _refusal(host, kind, address):
    where = (
        f"{host} is {kind}"
        if address is None or str(address) == host.strip("[]")
        else f"{host} resolves to {kind} ({address})"
    )
    return f"{where}; an administrator can allow it in the system parameter {PARAMETER}."


# ----------------------------------------------------------------------
# Connected-peer check (DNS rebinding)
# ----------------------------------------------------------------------


class _PeerChecked:
    """Mixin for urllib3 connections: judge the address really connected to, before sending anything."""

    social_policy = HostPolicy()
    social_sockets = None  # a WeakSet shared with the adapter, so a deadline can cut open connections

    def _new_conn(self):
        sock = super()._new_conn()
        if getattr(self, "_tunnel_host", None) is None:  # through a proxy the peer is the proxy
            try:
                check_peer(self.host, sock.getpeername()[0], self.social_policy)
            except errors.UnsafeAddress:
                sock.close()
                raise
        if self.social_sockets is not None:
            self.social_sockets.add(sock)
        return sock


class GuardedAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter whose direct connections check their peer address and can be cut at a deadline."""

    def __init__(self, allowed_hosts=None, **kwargs):
        self.social_policy = parse_allowed_hosts(allowed_hosts)
        self.social_sockets = weakref.WeakSet()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        result = super().init_poolmanager(*args, **kwargs)
        attrs = {"social_policy": self.social_policy, "social_sockets": self.social_sockets}
        http_conn = type("GuardedHTTPConnection", (_PeerChecked, HTTPConnection), attrs)
        https_conn = type("GuardedHTTPSConnection", (_PeerChecked, HTTPSConnection), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        return result

    def cut_connections(self):
        """Shut every socket this adapter opened: a read blocked on a dripping server returns at once."""
        for sock in list(self.social_sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.social_sockets.clear()
