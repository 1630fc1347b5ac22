"""The project's Bluesky client on the dev network of tests/e2e (see conftest.py for the network itself)."""

from social_crm.connectors import get_client

# The dev network listens on loopback: allow it as an administrator would (social_crm.allowed_hosts).
LOOPBACK = "127.0.0.1,localhost"
TIMEOUT = 20  # seconds the network may take to show a change (indexing, notifications)


def client_of(net, login, password):
    """The project's Bluesky client of the account ``login`` of the dev network ``net``."""
    return get_client("bluesky", base_url=net.pds_url, allowed_hosts=LOOPBACK, login=login, token=password)


def new_account(net, handle, password):
    """A new account on the network, and the project's client of it: ``(account, client)``."""
    return net.create_account(handle, password), client_of(net, handle, password)
