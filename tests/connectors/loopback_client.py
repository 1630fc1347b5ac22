"""The clients under test pointed at a loopback server, and an endpoint that answers what it was sent."""

import json

from social_crm.connectors import get_client


def client_on(network, server, **options):
    """The ``network`` client for ``server`` on loopback: its host allowed, and no real waiting (retries, polls)."""
    return get_client(network, base_url=server.url, allowed_hosts="127.0.0.1", sleep=lambda seconds: None, **options)


class JsonEndpoint:
    """A route handler that keeps the JSON body of each request (``received``) and answers 200 ``answer(body)``."""

    def __init__(self, answer):
        self.answer = answer
        self.received = []

    def __call__(self, request):
        body = json.loads(request["body"])
        self.received.append(body)
        return 200, {}, self.answer(body)
