# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Posts their authors deleted on the network are mirrored here by the next fetch (the account's cron path)."""

from datetime import UTC, datetime, timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SocialCrmCommon
from .mastodon_case import BRAND, MastodonReplyCase
from .test_bluesky_devnet import start_devnet_with_brand
from .test_privacy import analyzed_as

PLACEHOLDER = "[deleted by its author]"
JANE = {**BRAND, "id": "77", "username": "jane", "acct": "jane@mastodon.example", "display_name": "Jane Doe"}


def notification(status_id, text, minutes_ago=5):
    created = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    status = {
        "id": status_id,
        "uri": f"https://mastodon.example/users/jane/statuses/{status_id}",
        "url": f"https://mastodon.example/@jane/{status_id}",
        "created_at": created,
        "in_reply_to_id": None,
        "content": f'<p><span class="h-card"><a href="https://mastodon.example/@acme">@acme</a></span> {text}</p>',
        "language": "en",
        "account": JANE,
        "visibility": "public",
        "mentions": [{"id": "1", "username": "acme", "acct": "acme", "url": "https://mastodon.example/@acme"}],
        "tags": [],
    }
    return {"id": f"9{status_id}", "type": "mention", "created_at": created, "account": JANE, "status": status}


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestMastodonDeletions(MastodonReplyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.state = "draft"  # the cron below fetches the Mastodon account only
        cls.online = {}
        cls.notifications = [
            notification("3002", "the kettle you sent me is broken, I want my money back", 3),
            notification("3001", "where is my order 5521, nobody answers", 4),
        ]

    def setUp(self):
        super().setUp()
        self.online.clear()
        self.online.update({"3001": 200, "3002": 200})
        self.server.requests.clear()
        self.server.route("GET", "/api/v1/notifications", (200, {}, self.notifications))
        for status_id in ("3001", "3002"):
            self.server.route(
                "GET",
                f"/api/v1/statuses/{status_id}",
                lambda request, sid=status_id: (self.online[sid], {}, {"id": sid} if self.online[sid] == 200 else {}),
            )

    def cron_fetch(self):
        self.masto.last_attempt_at = fields.Datetime.now() - timedelta(minutes=10)
        with analyzed_as("negative", "complaint"):
            self.env["social_crm.account"]._cron_fetch_mentions()

    def by_id(self, status_id):
        return self.masto.mention_ids.filtered(lambda m: m.external_id == status_id)

    def status_requests(self):
        return [r["path"] for r in self.server.requests if r["path"].startswith("/api/v1/statuses/30")]

    def test_status_answering_404_is_marked_deleted_at_the_next_fetch(self):
        self.cron_fetch()
        kettle, order = self.by_id("3002"), self.by_id("3001")
        self.assertIn("kettle you sent me is broken", kettle.body)
        ticket = kettle.ticket_id
        self.assertTrue(ticket)
        self.assertFalse(kettle.deleted_on_network)
        self.assertEqual(sorted(self.status_requests()), ["/api/v1/statuses/3001", "/api/v1/statuses/3002"])

        self.online["3002"] = 404  # Jane deletes her post
        self.server.requests.clear()
        self.cron_fetch()
        self.assertEqual(self.masto.state, "connected")
        self.assertFalse(self.masto.last_error)
        self.assertTrue(kettle.deleted_on_network)
        self.assertEqual(kettle.body, PLACEHOLDER)
        self.assertFalse(kettle.url)
        self.assertFalse(order.deleted_on_network)
        self.assertIn("where is my order 5521", order.body)
        self.assertTrue(ticket.exists())
        for text in (ticket.name, ticket.description, kettle.thread_id.name):
            self.assertNotIn("kettle", text or "")
        messages = self.env["mail.message"].search([("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        self.assertFalse(messages.filtered(lambda m: "kettle" in (m.body or "")))
        self.assertTrue(messages.filtered(lambda m: "deleted a post" in (m.body or "")))

        # Marked once: the next fetch no longer asks about it.
        self.server.requests.clear()
        self.cron_fetch()
        self.assertEqual(self.status_requests(), ["/api/v1/statuses/3001"])

    @mute_logger("odoo.addons.social_crm.models.social_crm_deletion_request")
    def test_failing_check_does_not_fail_the_fetch(self):
        self.online.update({"3001": 401, "3002": 401})
        self.cron_fetch()
        self.assertEqual(self.masto.state, "connected")
        self.assertEqual(len(self.masto.mention_ids.filtered(lambda m: m.external_id.startswith("300"))), 2)
        self.assertIn("which posts were deleted failed", self.masto.last_error)
        self.assertIn("rejected the credentials", self.masto.last_error)
        self.assertFalse(self.masto.mention_ids.filtered("deleted_on_network"))

    def test_each_fetch_checks_a_bounded_batch_in_turn(self):
        many = [notification(str(4000 + n), f"complaint number {n} about the blender", 10 + n) for n in range(25)]
        self.server.route("GET", "/api/v1/notifications", (200, {}, many))
        for n in range(25):
            self.server.route("GET", f"/api/v1/statuses/{4000 + n}", (200, {}, {"id": str(4000 + n)}))
        self.cron_fetch()
        first = {r["path"] for r in self.server.requests if r["path"].startswith("/api/v1/statuses/40")}
        self.assertEqual(len(first), 20, "one fetch asks about 20 Mastodon statuses at most")
        self.server.requests.clear()
        self.cron_fetch()
        second = {r["path"] for r in self.server.requests if r["path"].startswith("/api/v1/statuses/40")}
        self.assertEqual(len(second), 20)
        self.assertEqual(len(first | second), 25, "the posts not yet checked come first")


@tagged("social_crm", "social_crm_devnet", "post_install", "-at_install")
class TestBlueskyDevnetDeletions(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_devnet_with_brand(cls, "malee")
        cls.account.state = "draft"  # the cron below fetches the devnet account only

    def cron_fetch(self):
        self.live.last_attempt_at = fields.Datetime.now() - timedelta(minutes=10)
        with analyzed_as("negative", "complaint"):
            self.env["social_crm.account"]._cron_fetch_mentions()

    def test_post_deleted_on_bluesky_is_mirrored_after_the_next_fetch(self):
        self.live.action_test_connection()
        self.assertEqual(self.live.state, "connected")
        text = "@acmecare.test my blender from order 8812 caught fire, answer me"
        post = self.net.post(self.customer, text, mentions=[("acmecare.test", self.brand["did"])])
        kept = self.net.post(
            self.customer,
            "@acmecare.test and the receipt is wrong too",
            mentions=[("acmecare.test", self.brand["did"])],
        )

        def fetched():
            self.cron_fetch()
            return len(self.live.mention_ids.filtered(lambda m: m.external_id in (post["uri"], kept["uri"]))) == 2

        self.net.wait_for(fetched, timeout=30)
        mention = self.live.mention_ids.filtered(lambda m: m.external_id == post["uri"])
        self.assertEqual(mention.body, text)
        ticket = mention.ticket_id
        self.assertTrue(ticket)
        self.assertIn("blender", ticket.description)
        self.assertFalse(mention.deleted_on_network)

        repo, collection, rkey = post["uri"][len("at://") :].split("/")
        self.net.xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            self.customer,
            json={"repo": repo, "collection": collection, "rkey": rkey},
        )
        # The AppView drops the post once it has read the deletion from the relay.
        self.net.wait_for(
            lambda: (
                not self.net.xrpc("GET", "app.bsky.feed.getPosts", self.brand, params={"uris": [post["uri"]]})["posts"]
            ),
            timeout=30,
        )
        self.cron_fetch()
        self.assertEqual(self.live.state, "connected", self.live.last_error)
        self.assertTrue(mention.deleted_on_network)
        self.assertEqual(mention.body, PLACEHOLDER)
        self.assertFalse(mention.url)
        self.assertTrue(ticket.exists())
        self.assertNotIn("blender", ticket.description)
        self.assertNotIn("blender", ticket.name)
        self.assertIn(PLACEHOLDER, ticket.description)
        other = self.live.mention_ids.filtered(lambda m: m.external_id == kept["uri"])
        self.assertFalse(other.deleted_on_network)
        self.assertIn("receipt is wrong", other.body)
