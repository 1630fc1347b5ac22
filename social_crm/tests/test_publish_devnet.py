# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Publishing end to end on a real Bluesky network on loopback: an agent writes, a manager approves,
the scheduled action publishes once at the scheduled time; a post for next week waits.

Runs with the tag ``social_crm_devnet`` (see test_bluesky_devnet.py).
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_bluesky_devnet import DevnetCase

THAI = "@somchai.test ลดราคาทุกชิ้น 20% วันนี้เท่านั้น ขอบคุณที่เป็นลูกค้าของเรานะครับ 🙏"
PERSIAN = "حراج بهاره از امروز شروع شد: ۲۰٪ تخفیف روی همه‌ی بسته‌ها"
NEXT_WEEK = "สัปดาห์หน้าพบกับสินค้าใหม่ของเรา"
MARKER = "test marker, posted by the test itself: "


@tagged("social_crm", "social_crm_devnet", "post_install", "-at_install")
class TestPublishDevnet(DevnetCase):
    def brand_feed(self):
        """Every post of the brand's author feed, as the network's AppView serves it (all pages)."""
        posts, cursor = [], None
        while True:
            params = {"actor": self.brand["did"], "limit": 100, **({"cursor": cursor} if cursor else {})}
            page = self.net.xrpc("GET", "app.bsky.feed.getAuthorFeed", self.customer, params=params)
            posts += [entry["post"] for entry in page.get("feed", [])]
            cursor = page.get("cursor")
            if not cursor or not page.get("feed"):
                return posts

    def feed_settled(self):
        """The feed once the AppView has indexed everything posted so far: a marker posted now shows up last."""
        marker = self.net.post(self.brand, f"{MARKER}{fields.Datetime.now()}")
        self.net.wait_for(lambda: marker["uri"] in [p["uri"] for p in self.brand_feed()], timeout=30)
        return [post for post in self.brand_feed() if not post["record"]["text"].startswith(MARKER)]

    def run_cron(self):
        self.env.ref("social_crm.ir_cron_publish_posts").method_direct_trigger()
        self.env.invalidate_all()

    def write_and_submit(self, body, scheduled_at):
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_user)
            .create({"body": body, "account_ids": [(6, 0, self.live.ids)], "scheduled_at": scheduled_at})
        )
        post.action_submit()
        self.assertEqual(post.state, "to_approve")
        post.with_user(self.social_manager).action_approve()
        self.assertEqual(post.state, "scheduled")
        return post

    def test_thai_and_persian_posts_are_approved_and_published_once_next_week_waits(self):
        self.live.action_test_connection()
        self.assertEqual(self.live.state, "connected", self.live.last_error)
        past = fields.Datetime.now() - timedelta(minutes=5)
        thai = self.write_and_submit(THAI, past)
        persian = self.write_and_submit(PERSIAN, past)
        later = self.write_and_submit(NEXT_WEEK, fields.Datetime.now() + timedelta(days=7))
        self.assertFalse(self.feed_settled(), "nothing is on the network before the scheduled action runs")

        self.run_cron()
        for post in (thai, persian):
            self.assertEqual(post.state, "posted", post.result_ids.mapped("error"))
            self.assertEqual(post.approver_id, self.social_manager)
            result = post.result_ids
            self.assertEqual((result.account_id, result.state), (self.live, "posted"))
            self.assertTrue(result.external_id.startswith(f"at://{self.brand['did']}/app.bsky.feed.post/"))
            rkey = result.external_id.rsplit("/", 1)[-1]
            self.assertEqual(result.url, f"https://bsky.app/profile/acmecare.test/post/{rkey}")
            self.assertTrue(result.posted_at)
        self.assertEqual(later.state, "scheduled", "a post for next week waits")
        self.assertFalse(later.result_ids.filtered(lambda r: r.state == "posted"))

        self.run_cron()
        self.assertEqual((thai | persian).mapped("state"), ["posted", "posted"])
        self.assertEqual(later.state, "scheduled")
        feed = self.feed_settled()
        texts = [p["record"]["text"] for p in feed]
        self.assertCountEqual(texts, [THAI, PERSIAN], "each approved post exactly once, nothing for next week")
        by_uri = {p["uri"]: p for p in feed}
        for post, text in ((thai, THAI), (persian, PERSIAN)):
            on_network = by_uri.get(post.result_ids.external_id)
            self.assertTrue(on_network, "the recorded at:// id is the post on the network")
            self.assertEqual(on_network["record"]["text"], text)
            self.assertEqual(on_network["author"]["did"], self.brand["did"])

        # The Thai post's @handle is a real mention: a facet with the customer's DID, and a notification.
        facets = by_uri[thai.result_ids.external_id]["record"].get("facets", [])
        mentioned = [f["did"] for facet in facets for f in facet["features"] if f["$type"].endswith("#mention")]
        self.assertEqual(mentioned, [self.customer["did"]])
        notified = self.net.wait_for(
            lambda: [
                n
                for n in self.net.notifications(self.customer, reasons={"mention"})
                if n["uri"] == thai.result_ids.external_id
            ],
            timeout=30,
        )
        self.assertEqual(len(notified), 1)
