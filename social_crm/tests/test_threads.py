# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Threads end to end: polled from a loopback Threads API (``threads_graph.py``), analyzed, made a ticket,
answered once after approval; a post with an image published once; Connect and the token refresh against the
loopback authorization server (``oauth_server.py``)."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .loopback import LoopbackServer
from .network_case import NetworkCase
from .oauth_server import BRAND, Provider
from .threads_graph import USER_ID, ThreadsGraph, media

POST_ID = "17890000000000001"
PERSIAN = "سلام، سفارشم هنوز نرسیده. کی می‌رسه؟ خیلی ناراضی هستم"
THAI = "@acme.support สั่งของไปสองอาทิตย์แล้วยังไม่ได้ของเลย แย่มาก ช่วยตรวจสอบด่วนค่ะ"
APP_SECRET = "b8f1c0de5a7e4d2c9a1f3e6b7d8c9a0f"
ANSWER = "پوزش می‌خواهیم 🙏 سفارش شما را همین حالا بررسی می‌کنیم."
# A real (tiny) PNG image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def form(request):
    return {k: v[-1] for k, v in parse_qs(request["body"].decode(), keep_blank_values=True).items()}


@tagged("social_crm", "social_crm_threads", "post_install", "-at_install")
class TestThreads(HttpCase, NetworkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.enterClassContext(LoopbackServer())
        cls.graph = ThreadsGraph(cls.server, prefix="/v1.0")
        cls.threads = cls.account_by_id(
            "threads",
            "Acme on Threads (test)",
            USER_ID,
            base_url=cls.graph.url,
            token="threads-token",
            own_handle="acme.support",
            secret=APP_SECRET,
            verify_token="acme-threads-verify",
        )

    def setUp(self):
        super().setUp()
        self.server.requests.clear()
        self.graph.mentions, self.graph.posts, self.graph.search = [], [], {}
        self.graph.conversations.clear()
        self.graph.containers.clear()
        self.graph.published.clear()

    def fetch(self):
        self.threads.with_user(self.social_manager).action_fetch_now()
        self.env.invalidate_all()
        return self.env["social_crm.mention"].search([("account_id", "=", self.threads.id)], order="id")

    def publishes(self):
        return self.graph.requests("POST", f"/{USER_ID}/threads_publish")

    def test_persian_reply_and_thai_mention_become_tickets_and_the_approved_answer_leaves_once(self):
        self.graph.posts = [{"id": POST_ID, "timestamp": "2026-12-06T10:00:00+0000", "has_replies": True}]
        self.graph.conversations[POST_ID] = [
            media("17890000000000002", "sara.rezaei", PERSIAN, "2026-12-07T01:00:00+0000", POST_ID, POST_ID)
        ]
        self.graph.mentions = [media("17890000000000003", "somchai.r", THAI, "2026-12-07T02:00:00+0000")]
        mentions = self.fetch()
        self.assertEqual(len(mentions), 2)
        persian = mentions.filtered(lambda m: m.external_id == "17890000000000002")
        thai = mentions.filtered(lambda m: m.external_id == "17890000000000003")
        self.assertEqual((persian.lang, thai.lang), ("fa", "th"))
        for mention in persian | thai:
            self.assertEqual(mention.direction, "inbound")
            self.assertNotEqual(mention.nlp_state, "pending", "analyzed in the same cycle")
            self.assertIn(mention.intent, ("complaint", "question"), mention.body)
            self.assertTrue(mention.ticket_id, f"no ticket for {mention.body}")
        self.assertEqual(persian.identity_id.handle, "sara.rezaei")
        self.assertEqual(persian.identity_id.profile_url, "https://www.threads.com/@sara.rezaei")
        self.assertEqual(persian.thread_id.root_external_id, POST_ID)
        # polled again: nothing is stored twice
        self.assertEqual(len(self.fetch()), 2)

        # an agent answers in Persian; public replies wait for a manager
        thread = persian.thread_id
        action = thread.with_user(self.social_user).action_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        reply = self.env["social_crm.reply"].with_user(self.social_user).create({**ctx, "body": ANSWER})
        self.assertEqual(reply.parent_mention_id, persian)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertFalse(self.graph.requests("POST"), "nothing leaves Odoo before approval")
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        created = [form(r) for r in self.graph.requests("POST", f"/{USER_ID}/threads")]
        self.assertEqual(created, [{"media_type": "TEXT", "text": ANSWER, "reply_to_id": "17890000000000002"}])
        self.assertEqual(len(self.publishes()), 1)
        self.assertEqual(reply.posted_mention_id.external_id, self.graph.published[0])
        self.assertEqual(reply.posted_mention_id.direction, "outbound")
        # posting again does nothing: it left once
        self.assertFalse(reply._post())
        self.assertEqual(len(self.publishes()), 1)

    def deliver(self, field, value, secret=APP_SECRET, signed=True):
        """A notification of Meta's *Webhooks for Threads* document, signed with the app secret."""
        body = json.dumps(
            {
                "app_id": "990602627938098",
                "topic": "moderate" if field == "replies" else "interaction",
                "target_id": POST_ID,
                "time": 1796612400,
                "subscription_id": "234567",
                "has_uid_field": False,
                "values": {"value": value, "field": field},
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = f"sha256={digest}"
        return self.url_open(f"/social_crm/webhook/{self.threads.sudo().webhook_key}", data=body, headers=headers)

    def test_webhook_reply_and_mention_arrive_at_once_and_polling_never_stores_them_twice(self):
        path = f"/social_crm/webhook/{self.threads.sudo().webhook_key}"
        handshake = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=acme-threads-verify&hub.challenge=8812")
        self.assertEqual((handshake.status_code, handshake.text), (200, "8812"))
        reply = media("17890000000000002", "sara.rezaei", PERSIAN, "2026-12-07T01:00:00+0000", POST_ID, POST_ID)
        reply["root_post"].update(owner_id=USER_ID, username="acme.support")
        mention = media("17890000000000003", "somchai.r", THAI, "2026-12-07T02:00:00+0000")
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            self.assertEqual(self.deliver("replies", reply, signed=False).status_code, 401)
            self.assertEqual(self.deliver("replies", reply, secret="guessed").status_code, 403)
        self.assertEqual(self.deliver("replies", reply).status_code, 200)
        self.assertEqual(self.deliver("replies", reply).status_code, 200, "a redelivery is acknowledged")
        self.assertEqual(self.deliver("mentions", mention).status_code, 200)
        events = self.env["social_crm.event"].sudo().search([("account_id", "=", self.threads.id)])
        self.assertEqual(sorted(events.mapped("event_id")), ["mentions:17890000000000003", "replies:17890000000000002"])
        self.env.ref("social_crm.ir_cron_process_events").sudo().method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(events.mapped("state"), ["done", "done"])
        stored = self.env["social_crm.mention"].search([("account_id", "=", self.threads.id)], order="id")
        self.assertEqual(len(stored), 2)
        self.assertEqual(stored.mapped("visibility"), ["public", "public"], "replies and mentions are public")
        self.assertTrue(all(stored.mapped("ticket_id")), "each reached a ticket in seconds")
        self.assertEqual(set(stored.mapped("lang")), {"fa", "th"})
        # the poll that follows finds the same posts: nothing is stored twice
        self.graph.posts = [{"id": POST_ID, "timestamp": "2026-12-06T10:00:00+0000", "has_replies": True}]
        self.graph.conversations[POST_ID] = [reply]
        self.graph.mentions = [mention]
        self.assertEqual(self.fetch(), stored)

    def test_tour_the_account_list_shows_the_threads_icon(self):
        self.start_tour(
            "/odoo/action-social_crm.social_crm_account_action", "social_crm_threads_account_tour", login="admin"
        )

    def test_a_reply_over_500_characters_as_threads_counts_them_is_refused_before_sending(self):
        self.graph.mentions = [media("17890000000000003", "somchai.r", THAI, "2026-12-07T02:00:00+0000")]
        thread = self.fetch().thread_id
        action = thread.with_user(self.social_manager).action_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        reply = self.env["social_crm.reply"].with_user(self.social_manager).create({**ctx, "body": "ก" * 497 + "🙏"})
        self.assertEqual(reply.char_count, 501)
        with self.assertRaises(UserError):
            reply.action_submit()
        self.assertFalse(self.graph.requests("POST"))

    def test_a_post_over_the_profile_s_250_a_day_fails_clearly_and_sends_nothing(self):
        self.graph.quota_usage["posts"] = 250
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_manager)
            .create({"body": "One more sale", "account_ids": [(6, 0, self.threads.ids)]})
        )
        post.action_submit()
        self.env.ref("social_crm.ir_cron_publish_posts").method_direct_trigger()
        self.env.invalidate_all()
        self.graph.quota_usage["posts"] = 0
        self.assertEqual(post.result_ids.state, "failed")
        self.assertIn("250 posts in 24 hours", post.result_ids.error)
        self.assertFalse(self.graph.requests("POST"), "nothing was sent")

    def test_keyword_search_stops_with_a_message_when_the_daily_quota_is_spent(self):
        self.threads.keywords = "acme"
        self.graph.search["acme"] = [media("17890000000000009", "ploy", "acme ดีมาก", "2026-12-07T02:00:00+0000")]
        self.threads.sudo().cursor = json.dumps({"search_calls": [time.time() - 3600] * 2200})
        self.fetch()
        self.assertFalse(self.graph.requests("GET", "/keyword_search"), "no search once 2,200 were made in 24 h")
        self.assertEqual(self.threads.state, "connected")
        self.assertIn("keyword search quota is spent", self.threads.last_error)
        # a day later the searches resume and the message goes
        self.threads.sudo().cursor = json.dumps({"search_calls": [time.time() - 86401] * 2200})
        mentions = self.fetch()
        self.assertEqual(len(self.graph.requests("GET", "/keyword_search")), 1)
        self.assertIn("17890000000000009", mentions.mapped("external_id"))
        self.assertFalse(self.threads.last_error)

    def test_a_post_with_an_image_is_published_once_from_a_public_link(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        image = (
            self.env["ir.attachment"]
            .with_user(self.social_manager)
            .create({"name": "sale.png", "datas": base64.b64encode(PNG), "mimetype": "image/png"})
        )
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_manager)
            .create(
                {
                    "body": "ลดราคาทุกชิ้น 20% วันนี้เท่านั้น",
                    "account_ids": [(6, 0, self.threads.ids)],
                    "image_ids": [(6, 0, image.ids)],
                    "image_alt": "ป้ายลดราคา",
                }
            )
        )
        post.action_submit()
        cron = self.env.ref("social_crm.ir_cron_publish_posts")
        cron.method_direct_trigger()
        self.env.invalidate_all()
        created = [form(r) for r in self.graph.requests("POST", f"/{USER_ID}/threads")]
        self.assertEqual(len(created), 1)
        self.assertEqual(
            {k: v for k, v in created[0].items() if k != "image_url"},
            {"media_type": "IMAGE", "text": "ลดราคาทุกชิ้น 20% วันนี้เท่านั้น", "alt_text": "ป้ายลดราคา"},
        )
        link = urlsplit(created[0]["image_url"])
        self.assertEqual((link.scheme, link.netloc), ("https", "odoo.example.com"))
        self.assertEqual(len(self.publishes()), 1)
        self.assertEqual(post.state, "posted")
        self.assertEqual((post.result_ids.state, post.result_ids.external_id), ("posted", self.graph.published[0]))
        # Threads fetches the image by that link, without a session
        self.assertEqual(self.url_open(f"{link.path}?{link.query}").content, PNG)
        cron.method_direct_trigger()
        self.assertEqual(len(self.publishes()), 1, "published once")
        # its insights are its engagement
        self.graph.insights[self.graph.published[0]].update(likes=9, replies=2, reposts=1)
        self.env.ref("social_crm.ir_cron_post_engagement").method_direct_trigger()
        self.env.invalidate_all()
        result = post.result_ids
        self.assertEqual((result.reply_count, result.like_count, result.repost_count), (2, 9, 1))


@tagged("social_crm", "social_crm_threads", "post_install", "-at_install")
class TestThreadsConnect(HttpCase, NetworkCase):
    """Connect (authorization window, code, th_exchange_token) and the daily refresh (th_refresh_token)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.enterClassContext(Provider(expires_in=3600))
        cls.app = cls.oauth_app(
            "threads",
            "990602627938098",
            "threads-app-secret",
            authorize_url=cls.provider.url + "/authorize",
            token_url=cls.provider.url + "/oauth/access_token",
        )
        cls.provider.register(
            "990602627938098", "threads-app-secret", cls.app.redirect_uri, "threads_basic threads_manage_replies"
        )
        cls.account = cls.env["social_crm.account"].create(
            {"name": "Acme on Threads (connect)", "network": "threads", "base_url": cls.provider.url}
        )

    def test_connect_then_refresh_the_long_lived_token(self):
        action = self.account.with_user(self.env.ref("base.user_admin")).action_connect()
        query = parse_qs(urlsplit(action["url"]).query)
        self.assertTrue(action["url"].startswith(self.provider.url + "/authorize"))
        self.assertIn("threads_manage_mentions", query["scope"][0].split(","))
        self.assertEqual(query["response_type"], ["code"])
        location = requests.get(action["url"], allow_redirects=False, timeout=10).headers["Location"]
        self.authenticate("admin", "admin")
        parts = urlsplit(location)
        response = self.url_open(f"{parts.path}?{parts.query}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), response.text)
        self.account.invalidate_recordset()
        account = self.account.sudo()
        self.assertEqual(account.state, "connected")
        self.assertEqual((account.login, account.own_external_id, account.own_handle), (BRAND["id"],) * 2 + ("acme",))
        grants = [g[0] for g in self.provider.grants]
        self.assertEqual(grants, ["authorization_code", "th_exchange_token"])
        long_token = account.token
        self.assertGreater(account.token_expires_at, fields.Datetime.now() + timedelta(days=59))
        self.assertFalse(account.refresh_token, "Threads refreshes the long-lived token itself")

        # 50 days later: the daily cron refreshes it for another 60 days
        account.token_expires_at = fields.Datetime.now() + timedelta(days=10)
        self.env["social_crm.account"]._cron_oauth_expiry()
        account.invalidate_recordset()
        self.assertEqual(self.provider.grants[-1], ("th_refresh_token", long_token, True))
        self.assertNotEqual(account.token, long_token)
        self.assertGreater(account.token_expires_at, fields.Datetime.now() + timedelta(days=59))
        self.assertTrue(account.last_refresh_at)
        self.assertEqual(account._get_client().verify().handle, "acme", "the refreshed token works")
