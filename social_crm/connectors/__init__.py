"""Network clients: plain Python, ``requests`` only, never ``odoo``.

``get_client(network, base_url=..., login=..., token=..., allowed_hosts=...)`` returns a client
with ``verify()``, ``fetch(cursor, keywords, max_pages)``, ``reply(...)`` and
``thread(root_id)``; every client hands back the same ``Item`` shape.
"""

from . import errors, netguard, textlength
from .bale import BaleClient
from .bluesky import BlueskyClient
from .facebook import FacebookClient
from .feed import FeedClient
from .instagram import InstagramClient
from .line import LineClient
from .linkedin import LinkedinClient
from .mastodon import MastodonClient
from .models import Author, FetchPage, Item, Media
from .reddit import RedditClient
from .telegram import TelegramClient
from .threads import ThreadsClient
from .tiktok import TiktokClient
from .whatsapp import WhatsappClient
from .x import XClient
from .youtube import YoutubeClient

CLIENTS = {
    client.network: client
    for client in (
        BlueskyClient,
        MastodonClient,
        XClient,
        FacebookClient,
        InstagramClient,
        RedditClient,
        YoutubeClient,
        LinkedinClient,
        FeedClient,
        WhatsappClient,
        LineClient,
        TelegramClient,
        BaleClient,
        TiktokClient,
        ThreadsClient,
    )
}
NETWORKS = tuple(CLIENTS)
DEFAULT_BASE_URLS = {network: client.default_base_url for network, client in CLIENTS.items()}


def get_client_class(network):
    try:
        return CLIENTS[network]
    except KeyError:
        raise ValueError(f"Unknown network {network!r}; known: {', '.join(NETWORKS)}.") from None


def get_client(network, base_url=None, login=None, token=None, allowed_hosts=None, **kwargs):
    """A client of ``network``; ``allowed_hosts`` (``"127.0.0.1,localhost,10.0.0.0/8"``) lifts the
    refusal of private addresses and plain http for those hosts (see ``netguard``)."""
    return get_client_class(network)(base_url=base_url, login=login, token=token, allowed_hosts=allowed_hosts, **kwargs)


__all__ = [
    "Author",
    "CLIENTS",
    "DEFAULT_BASE_URLS",
    "FetchPage",
    "Item",
    "Media",
    "NETWORKS",
    "errors",
    "get_client",
    "get_client_class",
    "netguard",
    "textlength",
]
