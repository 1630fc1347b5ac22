# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A brand account on a Mastodon server on loopback, with a customer's complaint to answer."""

import json
from urllib.parse import parse_qs

from odoo.exceptions import UserError

from .loopback import LoopbackServer
from .network_case import NetworkCase

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


def mastodon_server(case):
    """A Mastodon instance on loopback that knows the brand's token, running as long as the test class ``case``."""
    server = case.enterClassContext(LoopbackServer())
    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
    return server


class MastodonReplyCase(NetworkCase):
    """``posted``: the statuses the server received (request data); ``server.fail_with`` answers an error;
    ``server.drop_connection`` takes the post and drops the answer (an unknown outcome)."""

    account_name = "Acme on Mastodon (test)"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = mastodon_server(cls)
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
        cls.server.route("POST", "/api/v1/statuses", post_status)
        cls.server.route("GET", "/api/v1/statuses/1100", (200, {}, root))
        cls.server.route(
            "GET",
            "/api/v1/statuses/1100/context",
            lambda request: (200, {}, {"ancestors": [], "descendants": cls.statuses}),
        )
        cls.masto = cls.connected_account(
            "mastodon", cls.account_name, cls.server.url, login="acme", token="token-123", own_external_id="1"
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
        return self.compose(self.thread.with_user(user).action_reply(), user, body)

    def submit_once_privacy_acknowledged(self, record):
        """``record`` (a reply or a post) names someone's personal data: refused until its writer acknowledges the
        warning, then submitted."""
        with self.assertRaises(UserError):
            record.action_submit()
        record.privacy_acknowledged = True
        record.action_submit()

    def reject_as_manager(self, records, reason):
        """The manager's Reject button on replies or posts: the wizard it opens, given ``reason``, confirmed."""
        action = records.with_user(self.social_manager).action_open_reject_wizard()
        wizard = self.env[action["res_model"]].with_user(self.social_manager).with_context(action["context"])
        wizard.create({"reason": reason}).action_reject()
