# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A brand account on a Mastodon server on loopback, with a customer's complaint to answer."""

import json
from urllib.parse import parse_qs

from .common import SocialCrmCommon
from .loopback import LoopbackServer

BRAND = {
    "id": "1",
    "username": "acme",
    "acct": "acme",
    "display_name": "Acme",
    "url": "https://mastodon.example/@acme",
    "avatar": "",
    "followers_count": 5000,
    "note": "",
}


def status_json(status_id, text, in_reply_to):
    return {
        "id": status_id,
        "uri": f"https://mastodon.example/users/acme/statuses/{status_id}",
        "url": f"https://mastodon.example/@acme/{status_id}",
        "created_at": "2026-11-01T10:30:00.000Z",
        "in_reply_to_id": in_reply_to,
        "content": f"<p>{text}</p>",
        "language": "en",
        "account": BRAND,
        "visibility": "public",
        "mentions": [],
        "tags": [],
    }


class MastodonReplyCase(SocialCrmCommon):
    """``posted``: the statuses the server received (request data); ``server.fail_with`` answers an error;
    ``server.drop_connection`` takes the post and drops the answer (an unknown outcome)."""

    account_name = "Acme on Mastodon (test)"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = LoopbackServer()
        cls.server.__enter__()
        cls.addClassCleanup(cls.server.__exit__, None, None, None)
        cls.posted, cls.statuses = [], []
        cls.server.fail_with = None
        cls.server.drop_connection = False

        def post_status(request):
            if cls.server.fail_with:
                return cls.server.fail_with
            body = request["body"].decode()
            data = json.loads(body) if body.startswith("{") else {k: v[0] for k, v in parse_qs(body).items()}
            status = status_json(str(2000 + len(cls.posted)), data["status"], data.get("in_reply_to_id"))
            cls.posted.append(data)
            cls.statuses.append(status)
            if cls.server.drop_connection:
                raise ConnectionResetError("the network took the post but the answer was lost")
            return 200, {}, status

        root = {
            **status_json("1100", "@acme my parcel never arrived", None),
            "account": {**BRAND, "id": "77", "acct": "jane@mastodon.example"},
        }
        cls.server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
        cls.server.route("POST", "/api/v1/statuses", post_status)
        cls.server.route("GET", "/api/v1/statuses/1100", (200, {}, root))
        cls.server.route(
            "GET",
            "/api/v1/statuses/1100/context",
            lambda request: (200, {}, {"ancestors": [], "descendants": cls.statuses}),
        )
        cls.masto = cls.env["social_crm.account"].create(
            {
                "name": cls.account_name,
                "network": "mastodon",
                "base_url": cls.server.url,
                "login": "acme",
                "token": "token-123",
                "state": "connected",
                "team_id": cls.team.id,
                "own_external_id": "1",
            }
        )
        cls.mention = cls.env["social_crm.mention"]._ingest_items(
            cls.masto,
            [
                cls.make_item(
                    "1100",
                    "@acme my parcel never arrived, this is terrible",
                    author_id="77",
                    handle="jane@mastodon.example",
                    name="Jane",
                ),
            ],
        )
        cls.thread = cls.mention.thread_id

    def setUp(self):
        super().setUp()
        self.posted.clear()
        self.statuses.clear()
        self.server.fail_with = None
        self.server.drop_connection = False

    def draft(self, user, body="Sorry Jane, we are checking your parcel now."):
        action = self.thread.with_user(user).action_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        return self.env["social_crm.reply"].with_user(user).create({**ctx, "body": body})
