"""The clients under test, pointed at a loopback server."""

from social_crm.connectors import get_client


def client_on(network, server, **options):
    """The ``network`` client for ``server`` on loopback: its host allowed, and no real waiting (retries, polls)."""
    return get_client(network, base_url=server.url, allowed_hosts="127.0.0.1", sleep=lambda seconds: None, **options)
