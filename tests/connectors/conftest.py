import pytest


@pytest.fixture
def other_server(server):
    """A second loopback server on another port: "another host" for redirects and next-page links."""
    with type(server)() as running:
        yield running
