# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Facebook Page comments and Instagram mentions by webhook, end to end: signed deliveries to the real route
(shaped as Meta's Webhooks reference shows the Page ``feed`` field and the Instagram ``mentions`` field), the
processing cron, a ticket, an approved answer leaving once through a loopback Graph API; polling stays the
safety net and never stores a comment twice; another company's accounts never receive anything."""

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

from odoo.tests import tagged
from odoo.tools import mute_logger

from .webhook_case import WebhookCase

APP_SECRET = "5e2a9c7d1b3f4e6a8d0c2b4f6e8a0c1d"
PAGE_ID = "104567890123456"
POST_ID = f"{PAGE_ID}_987654321098765"
COMMENT_ID = "987654321098765_1122334455667788"
IG_ID = "17841405822304914"
MEDIA_ID = "17918195224117851"
MENTION_COMMENT_ID = "17894227972186120"
THAI_COMMENT = "สั่งรองเท้าไปตั้งแต่วันจันทร์ ยังไม่ได้ของเลยค่ะ ช่วยเช็กให้หน่อยได้ไหมคะ"
THAI_MENTION = "@acme.th สั่งกระเป๋าไปสองอาทิตย์แล้ว ยังไม่ได้เลยค่ะ"
THAI_ANSWER = "ขออภัยค่ะ ทีมงานจะตรวจสอบคำสั่งซื้อให้ทันทีค่ะ"
OTHER_PAGE_ID = "209876543210987"
OTHER_IG_ID = "17841400000000001"


def hub_signature(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def feed_change(verb="add", message=THAI_COMMENT, comment_id=COMMENT_ID, page_id=PAGE_ID, created=None):
    """A comment on the Page's post, as the Page ``feed`` webhook field delivers it."""
    now = int(time.time())
    value = {
        "from": {"id": "7010203040506070", "name": "สมหญิง ใจดี"},
        "post": {
            "status_type": "added_photos",
            "is_published": True,
            "permalink_url": f"https://www.facebook.com/{page_id}/posts/987654321098765",
            "id": f"{page_id}_987654321098765",
        },
        "post_id": f"{page_id}_987654321098765",
        "comment_id": comment_id,
        "created_time": created or now - 5,
        "item": "comment",
        "parent_id": f"{page_id}_987654321098765",
        "verb": verb,
    }
    if verb != "remove":
        value["message"] = message
    return {"object": "page", "entry": [{"id": page_id, "time": now, "changes": [{"field": "feed", "value": value}]}]}


def instagram_change(field, value, owner=IG_ID):
    return {
        "object": "instagram",
        "entry": [{"id": owner, "time": int(time.time()), "changes": [{"field": field, "value": value}]}],
    }


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestMetaCommentWebhooks(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = cls.server
        cls.poll_comments = []

        def created(prefix):
            def handler(request):
                return server.fail.get(request["path"]) or (200, {}, {"id": f"{prefix}{time.time_ns()}"})

            return handler

        def page(request):
            return 200, {}, {"id": PAGE_ID, "name": "Acme Thailand", "link": "https://www.facebook.com/acme.th"}

        def ig_user(request):
            fields = request["query"].get("fields", [""])[0]
            if fields.startswith(f"mentioned_comment.comment_id({MENTION_COMMENT_ID})"):
                mentioned = {
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
                    "text": THAI_MENTION,
                    "username": "mint.ch",
                    "media": {"id": MEDIA_ID, "permalink": "https://www.instagram.com/p/DAbc123/"},
                    "id": MENTION_COMMENT_ID,
                }
                return 200, {}, {"mentioned_comment": mentioned, "id": IG_ID}
            return 200, {}, {"id": IG_ID, "username": "acme.th", "name": "Acme Thailand"}

        server.route("GET", f"/{PAGE_ID}", page)
        server.route("GET", f"/{IG_ID}", ig_user)
        server.route("POST", f"/{COMMENT_ID}/comments", created("987654321098765_90000"))
        server.route("POST", f"/{IG_ID}/mentions", created("1784631983822"))
        server.route(
            "POST", f"/{PAGE_ID}/subscribed_apps", lambda r: server.fail.get(r["path"]) or (200, {}, {"success": True})
        )
        # The poller's Graph API: the Page's recent posts, their comments, the posts it is tagged in.
        server.route(
            "GET",
            f"/{PAGE_ID}/feed",
            (200, {}, {"data": [{"id": POST_ID, "created_time": "2026-12-01T10:00:00+0000"}]}),
        )
        server.route("GET", f"/{POST_ID}/comments", lambda r: (200, {}, {"data": cls.poll_comments}))
        server.route("GET", f"/{PAGE_ID}/tagged", (200, {}, {"data": []}))
        server.route(
            "GET",
            f"/{IG_ID}/media",
            (200, {}, {"data": [{"id": "17895695668004550", "permalink": "https://www.instagram.com/p/DAown1/"}]}),
        )
        server.route("GET", "/17895695668004550/comments", lambda r: (200, {}, {"data": cls.poll_comments}))
        server.route("GET", f"/{IG_ID}/tags", (200, {}, {"data": []}))

        cls.page = cls.meta_account(
            "facebook",
            "Acme TH on Facebook",
            PAGE_ID,
            token="EAAGm0PX4ZCpsBAPageToken",
            verify_token="acme-verify-2026",
            reply_policy="always",
        )
        cls.insta = cls.meta_account(
            "instagram", "Acme TH on Instagram", IG_ID, token="EAAGm0PX4ZCpsBAIgToken", reply_policy="always"
        )
        # Another company, on the same Meta app (same secret): it must never receive what the route gets
        # for this company's addresses, even for its own Page and Instagram account.
        cls.other_company = cls.env["res.company"].create({"name": "Acme Vietnam"})
        vietnam = {"team_id": False, "company_id": cls.other_company.id}
        cls.other_page = cls.meta_account("facebook", "Acme VN on Facebook", OTHER_PAGE_ID, **vietnam)
        cls.other_insta = cls.meta_account("instagram", "Acme VN on Instagram", OTHER_IG_ID, **vietnam)

    @classmethod
    def meta_account(cls, network, name, external_id, **values):
        """A Page or an Instagram account of the Meta app (its secret) on the loopback Graph API."""
        return cls.account_by_id(network, name, external_id, secret=APP_SECRET, **values)

    def setUp(self):
        super().setUp()
        self.poll_comments.clear()

    def deliver_meta(self, account, payload, secret=APP_SECRET):
        body = json.dumps(payload, ensure_ascii=False).encode()
        return self.deliver(account, body, {"X-Hub-Signature-256": hub_signature(body, secret)})

    def mentions(self, account):
        return self.env["social_crm.mention"].search([("account_id", "=", account.id)], order="id")

    def posted_forms(self, path):
        return [
            {key: values[0] for key, values in parse_qs(r["body"].decode()).items()}
            for r in self.server.requests
            if r["method"] == "POST" and r["path"] == path
        ]

    def approve(self, ticket, body=THAI_ANSWER):
        reply = self.answer_from_ticket(ticket, self.social_user, body)
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted", reply.error_message)
        return reply

    def test_thai_facebook_comment_to_ticket_and_one_approved_answer(self):
        delivery = feed_change()
        self.assertEqual(self.deliver_meta(self.page, delivery).status_code, 200)
        delivery["entry"][0]["time"] += 30  # Meta redelivers later: the envelope changes, not the change itself
        self.assertEqual(self.deliver_meta(self.page, delivery).status_code, 200, "a redelivery is acknowledged")
        self.assertEqual(len(self.events(self.page)), 1, "stored once")
        self.run_processing()
        self.assertEqual(self.events(self.page).state, "done")
        mention = self.mentions(self.page)
        self.assertEqual(len(mention), 1)
        self.assertEqual(
            (mention.external_id, mention.body, mention.visibility, mention.lang, mention.kind),
            (COMMENT_ID, THAI_COMMENT, "public", "th", "comment"),
        )
        self.assertEqual((mention.parent_external_id, mention.root_external_id), (POST_ID, POST_ID))
        self.assertEqual(mention.identity_id.name, "สมหญิง ใจดี")
        self.assertEqual(mention.thread_id.visibility, "public")
        ticket = mention.ticket_id
        self.assertTrue(ticket, "a complaint in a comment opens a ticket")
        self.assertFalse(self.posted_forms(f"/{COMMENT_ID}/comments"), "nothing goes out before approval")

        reply = self.approve(ticket)
        self.assertEqual(self.posted_forms(f"/{COMMENT_ID}/comments"), [{"message": THAI_ANSWER}])
        self.assertEqual(reply.posted_mention_id.direction, "outbound")
        # The Page's own answer comes back by webhook: it is the answer already stored, not a new message.
        own = feed_change(message=THAI_ANSWER, comment_id=reply.posted_mention_id.external_id)
        own["entry"][0]["changes"][0]["value"]["from"] = {"id": PAGE_ID, "name": "Acme Thailand"}
        own["entry"][0]["changes"][0]["value"]["parent_id"] = COMMENT_ID
        self.assertEqual(self.deliver_meta(self.page, own).status_code, 200)
        self.run_processing()
        self.assertEqual(len(self.mentions(self.page)), 2)
        self.assertEqual(reply._post(), False, "posting again sends nothing")
        self.assertEqual(len(self.posted_forms(f"/{COMMENT_ID}/comments")), 1)

    def test_forged_signature_is_refused_and_nothing_stored(self):
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            forged = self.deliver_meta(self.page, feed_change(), secret="guessed-app-secret")
        self.assertEqual(forged.status_code, 403)
        self.assertFalse(self.events(self.page))

    def test_a_comment_stored_by_webhook_is_not_stored_again_by_polling(self):
        self.deliver_meta(self.page, feed_change())
        self.run_processing()
        self.assertEqual(self.mentions(self.page).mapped("external_id"), [COMMENT_ID])
        # Polling (the safety net) reads the same comment, and one that the webhook missed.
        self.poll_comments[:] = [
            {
                "id": COMMENT_ID,
                "message": THAI_COMMENT,
                "created_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() - 5)),
                "from": {"id": "7010203040506070", "name": "สมหญิง ใจดี"},
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/987654321098765?comment_id=1122334455667788",
            },
            {
                "id": "987654321098765_1122334455660000",
                "message": "ของถึงหรือยังคะ",
                "created_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() - 60)),
                "from": {"id": "7010203040506079", "name": "Dao"},
            },
        ]
        self.page.action_fetch_now()
        self.assertEqual(
            sorted(self.mentions(self.page).mapped("external_id")),
            sorted([COMMENT_ID, "987654321098765_1122334455660000"]),
        )
        self.assertEqual(len(self.mentions(self.page).thread_id), 1, "one conversation under the post")
        # ... and the other way round: a comment polled first and delivered later is kept once too.
        later = feed_change(comment_id="987654321098765_1122334455660000", message="ของถึงหรือยังคะ")
        self.deliver_meta(self.page, later)
        self.run_processing()
        self.assertEqual(len(self.mentions(self.page)), 2)

    def test_an_instagram_comment_by_webhook_then_polled_is_stored_once(self):
        comment = {
            "from": {"id": "1284590127364512", "username": "nok.sirin"},
            "media": {"id": "17895695668004550", "media_product_type": "FEED"},
            "id": "17865799348089039",
            "text": "ส่งของช้ามากค่ะ สั่งไปอาทิตย์นึงแล้ว",
        }
        self.assertEqual(self.deliver_meta(self.insta, instagram_change("comments", comment)).status_code, 200)
        self.run_processing()
        mention = self.mentions(self.insta)
        self.assertEqual(
            (mention.external_id, mention.visibility, mention.kind), ("17865799348089039", "public", "comment")
        )
        self.assertEqual(mention.root_external_id, "17895695668004550")
        self.assertTrue(mention.ticket_id)
        self.poll_comments[:] = [
            {
                "id": "17865799348089039",
                "text": "ส่งของช้ามากค่ะ สั่งไปอาทิตย์นึงแล้ว",
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() - 5)),
                "username": "nok.sirin",
                "from": {"id": "1284590127364512", "username": "nok.sirin"},
            }
        ]
        self.insta.action_fetch_now()
        self.assertEqual(self.mentions(self.insta), mention, "polling found it stored")
        self.assertIn(f"/{IG_ID}/media", [r["path"] for r in self.server.requests], "polling did run")

    def test_one_callback_url_serves_every_page_of_the_app_in_the_company(self):
        second = self.env["social_crm.account"].create(
            {
                "name": "Acme TH Outlet on Facebook",
                "network": "facebook",
                "base_url": self.server.url,
                "login": "104567890999999",
                "own_external_id": "104567890999999",
                "secret": APP_SECRET,
                "state": "connected",
            }
        )
        other_app = self.env["social_crm.account"].create(
            {
                "name": "Acme TH Kids on Facebook",
                "network": "facebook",
                "base_url": self.server.url,
                "login": "104567890888888",
                "secret": "another-apps-secret",
                "state": "connected",
            }
        )
        self.deliver_meta(self.page, feed_change(page_id="104567890999999", comment_id="5_6"))
        self.deliver_meta(self.page, feed_change(page_id="104567890888888", comment_id="7_8"))
        self.run_processing()
        self.assertEqual(self.mentions(second).mapped("external_id"), ["5_6"], "the Page its entry names")
        self.assertFalse(self.events(other_app), "an account of another app is not handed what this app signed")
        self.assertFalse(self.mentions(self.page), "the Page addressed keeps only its own")

    def test_an_edit_is_kept_next_to_the_comment_and_a_deletion_marks_it_deleted(self):
        self.deliver_meta(self.page, feed_change())
        self.run_processing()
        edited = "สั่งรองเท้าไปตั้งแต่วันจันทร์ ยังไม่ได้ของเลยค่ะ เลขคำสั่งซื้อ 55012"
        self.deliver_meta(self.page, feed_change(verb="edited", message=edited))
        self.run_processing()
        original, edit = self.mentions(self.page)
        self.assertEqual((original.body, edit.body), (THAI_COMMENT, edited))
        self.assertEqual(edit.parent_id, original)
        self.assertEqual(edit.thread_id, original.thread_id)
        # An answer to the edit goes to the comment itself.
        self.approve(edit.ticket_id or original.ticket_id)
        self.assertEqual(len(self.posted_forms(f"/{COMMENT_ID}/comments")), 1)

        self.deliver_meta(self.page, feed_change(verb="remove"))
        self.run_processing()
        self.assertEqual(self.events(self.page).mapped("state"), ["done"] * 3)
        self.assertTrue(original.deleted_on_network)
        self.assertTrue(edit.deleted_on_network, "its edit goes with it")
        self.assertNotIn("รองเท้า", original.body + edit.body)
        self.assertFalse(original.url)

    def test_thai_instagram_mention_read_by_id_to_ticket_and_answered_under_the_comment(self):
        # One callback URL per Meta app: the Instagram delivery reaches the Page's address.
        mention_change = instagram_change("mentions", {"media_id": MEDIA_ID, "comment_id": MENTION_COMMENT_ID})
        self.assertEqual(self.deliver_meta(self.page, mention_change).status_code, 200)
        self.assertFalse(self.events(self.page))
        self.assertEqual(len(self.events(self.insta)), 1, "handed to the Instagram account it names")
        self.run_processing()
        self.assertEqual(self.events(self.insta).state, "done", self.events(self.insta).error)
        mention = self.mentions(self.insta)
        self.assertEqual(
            (mention.external_id, mention.body, mention.visibility, mention.lang, mention.author_handle),
            (MENTION_COMMENT_ID, THAI_MENTION, "public", "th", "mint.ch"),
        )
        self.assertEqual(mention.url, "https://www.instagram.com/p/DAbc123/")
        self.assertTrue(mention.ticket_id)

        self.approve(mention.ticket_id)
        self.assertEqual(
            self.posted_forms(f"/{IG_ID}/mentions"),
            [{"media_id": MEDIA_ID, "comment_id": MENTION_COMMENT_ID, "message": THAI_ANSWER}],
        )
        # A redelivery of the mention stores nothing more and sends nothing.
        self.deliver_meta(self.insta, mention_change)
        self.run_processing()
        self.assertEqual(len(self.mentions(self.insta)), 2, "the mention and the brand's answer")
        self.assertEqual(len(self.posted_forms(f"/{IG_ID}/mentions")), 1)

    def test_another_companys_accounts_never_receive_deliveries(self):
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            # Its Page's comment, its Instagram account's mention, delivered to this company's addresses.
            self.deliver_meta(self.page, feed_change(page_id=OTHER_PAGE_ID, comment_id="1_2"))
            self.deliver_meta(self.insta, instagram_change("mentions", {"media_id": MEDIA_ID}, owner=OTHER_IG_ID))
            self.deliver_meta(self.page, instagram_change("comments", {"id": "3", "text": "x"}, owner=OTHER_IG_ID))
        self.run_processing()
        for account in (self.other_page, self.other_insta):
            self.assertFalse(self.events(account))
            self.assertFalse(self.mentions(account))
        self.assertFalse(self.mentions(self.page) | self.mentions(self.insta))
        self.assertIn("another Page", self.events(self.page).outcome or "")
        self.assertFalse(self.server.requests, "nothing was read on the network for them")

    def test_test_connection_subscribes_the_page_and_a_refusal_is_a_warning(self):
        action = self.page.with_user(self.social_manager).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        [form] = self.posted_forms(f"/{PAGE_ID}/subscribed_apps")
        self.assertEqual(form["subscribed_fields"], "feed,messages,messaging_postbacks,message_echoes,message_edits")
        self.assertIn("feed", self.page.message_ids[0].body)

        self.server.requests.clear()
        self.server.fail[f"/{PAGE_ID}/subscribed_apps"] = (
            403,
            {},
            {
                "error": {
                    "message": "(#200) Requires pages_manage_metadata permission",
                    "type": "OAuthException",
                    "code": 200,
                }
            },
        )
        action = self.page.with_user(self.social_manager).action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("pages_manage_metadata", action["params"]["message"])
        self.assertEqual(self.page.state, "connected", "the connection itself works: polling goes on")
        self.assertEqual(len(self.posted_forms(f"/{PAGE_ID}/subscribed_apps")), 2, "all fields, then the feed alone")
        # Instagram: the Page connected to it is subscribed, nothing to call here.
        self.server.requests.clear()
        self.assertEqual(
            self.insta.with_user(self.social_manager).action_test_connection()["params"]["type"], "success"
        )
        self.assertFalse(self.posted_forms(f"/{IG_ID}/subscribed_apps"))
