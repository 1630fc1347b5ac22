# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""TikTok (issue 28) through the paths people take, against TikTok's API for Business shaped on loopback:
a Persian comment polled into a ticket and an approved reply; a direct message through the real webhook route
(signed; a bad signature refused; a redelivery stored once) answered within 48 hours; the token refreshed."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .loopback import LoopbackServer
from .network_case import NetworkCase

BUSINESS = "-000Mz7yh9BwQKnYV3yBbC5oGnpdqF2uBpeO"
APP_SECRET = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
VIDEO = "7301234567890123456"
CONVERSATION = "0:1:6823041999:7000000000000000001"
PERSIAN = "سلام، سفارشم هنوز نرسیده. کی می‌رسه؟ خیلی ناراضی هستم"
ANSWER = "سلام سارا، سفارش شما امروز ارسال می‌شود."
REPLY_PATH = "/business/comment/reply/create/"
SEND_PATH = "/business/message/send/"
TOKEN_PATH = "/open_api/v1.3/tt_user/oauth2/token/"


def envelope(data=None, code=0, message="OK"):
    return {"code": code, "message": message, "request_id": "20261207030000TESTREQUEST", "data": data or {}}


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestTiktok(HttpCase, NetworkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = server = cls.enterClassContext(LoopbackServer())
        server.comments = []
        server.seen_tokens = []
        server.fail_with = None

        def api(path, method="GET"):
            def wrap(handler):
                def answer(request):
                    server.seen_tokens.append(request["headers"].get("Access-Token"))
                    if request["headers"].get("Access-Token") not in ("act.token", "act.2"):
                        return 200, {}, envelope(code=40105, message="Access token is incorrect or revoked.")
                    return handler(request)

                server.route(method, path, answer)
                return handler

            return wrap

        @api("/business/get/")
        def business(request):
            return 200, {}, envelope({"username": "acme.shop", "display_name": "Acme"})

        @api("/business/video/list/")
        def videos(request):
            video = {"item_id": VIDEO, "create_time": int(time.time()) - 86400, "caption": "new"}
            video["share_url"] = f"https://www.tiktok.com/@acme.shop/video/{VIDEO}"
            return 200, {}, envelope({"videos": [video], "cursor": 1, "has_more": False})

        @api("/business/comment/list/")
        def comments(request):
            if server.fail_with:
                return 200, {}, server.fail_with
            return 200, {}, envelope({"comments": list(server.comments), "cursor": 30, "has_more": False})

        @api(REPLY_PATH, "POST")
        def reply(request):
            number = 7400000000000020000 + len(server.requests)
            return 200, {}, envelope({"comment_id": str(number), "video_id": VIDEO, "create_time": int(time.time())})

        @api("/business/comment/hide/", "POST")
        def hide(request):
            return 200, {}, envelope({})

        @api(SEND_PATH, "POST")
        def send(request):
            return 200, {}, envelope({"message": {"message_id": f"74222222222222{len(server.requests):05d}"}})

        def tokens(access, refresh):
            data = {"open_id": BUSINESS, "access_token": access, "expires_in": 86400, "refresh_token": refresh}
            return 200, {}, envelope({**data, "refresh_token_expires_in": 31536000})

        server.route("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", lambda r: tokens("act.2", "rft.2"))
        server.route("POST", TOKEN_PATH, lambda r: tokens("act.token", "rft.1"))

        cls.tiktok = cls.account_by_id("tiktok", "Acme IR on TikTok", BUSINESS, token="act.token", secret=APP_SECRET)

    def setUp(self):
        super().setUp()
        self.server.requests.clear()
        self.server.seen_tokens.clear()
        self.server.comments[:] = []

    def comment(self, comment_id, text=PERSIAN, minutes_ago=5):
        return {
            "comment_id": comment_id,
            "video_id": VIDEO,
            "user_id": "6823041999",
            "create_time": int(time.time()) - minutes_ago * 60,
            "text": text,
            "likes": 0,
            "replies": 0,
            "owner": False,
            "status": "PUBLIC",
            "username": "sara.t",
            "display_name": "Sara",
        }

    def tiktok_app(self, **urls):
        return self.oauth_app("tiktok", "7301234567890", "app-secret", token_url=self.server.url + TOKEN_PATH, **urls)

    # --- comments ------------------------------------------------------------------------------------

    def test_persian_comment_polled_to_a_ticket_and_an_approved_reply_leaves_once(self):
        self.server.comments[:] = [self.comment("7400000000000000001")]
        self.tiktok.with_user(self.social_manager).action_fetch_now()
        self.assertEqual(self.tiktok.state, "connected", self.tiktok.last_error)
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)])
        self.assertEqual(mention.body, PERSIAN)
        self.assertEqual((mention.visibility, mention.lang), ("public", "fa"))
        self.assertIn(mention.nlp_state, ("fast", "accurate"))
        self.assertEqual(mention.identity_id.handle, "sara.t")
        self.assertEqual(mention.thread_id.root_external_id, VIDEO, "the video is the conversation's root")
        self.assertTrue(mention.url.endswith(VIDEO))
        ticket = mention.ticket_id
        self.assertTrue(ticket, "a complaint in a comment opens a ticket")
        self.assertTrue(self.server.seen_tokens and set(self.server.seen_tokens) == {"act.token"})

        # Polled again: nothing new, nothing stored twice.
        self.tiktok.with_user(self.social_manager).action_fetch_now()
        self.assertEqual(self.env["social_crm.mention"].search_count([("account_id", "=", self.tiktok.id)]), 1)

        # The agent's public answer waits for a manager; approved, it leaves once, under the comment.
        reply = self.answer_from_ticket(ticket, self.social_user, ANSWER)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertFalse(self.sent(REPLY_PATH))
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted", reply.error_message)
        self.assertEqual(
            self.sent(REPLY_PATH),
            [{"business_id": BUSINESS, "video_id": VIDEO, "comment_id": "7400000000000000001", "text": ANSWER}],
        )
        self.assertEqual(reply.posted_mention_id.direction, "outbound")
        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_approve()
        with self.assertRaises(UserError):
            reply.with_user(self.social_user).action_submit()
        self.assertEqual(len(self.sent(REPLY_PATH)), 1, "posted once")

    def test_a_reply_longer_than_tiktok_takes_is_refused_before_sending(self):
        self.server.comments[:] = [self.comment("7400000000000000002")]
        self.tiktok.with_user(self.social_manager).action_fetch_now()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)]).ticket_id
        reply = self.answer_from_ticket(ticket, self.social_manager, "سلام " * 40)
        self.assertTrue(reply.too_long)
        self.assertEqual(reply.max_length, 150)
        with self.assertRaises(UserError):
            reply.action_submit()
        self.assertFalse(self.sent(REPLY_PATH))

    def test_connect_fills_in_the_business_id_from_the_authorization(self):
        app = self.tiktok_app(authorize_url=self.server.url + "/v2/auth/authorize/")
        account = self.env["social_crm.account"].create(
            {"name": "Acme TH on TikTok", "network": "tiktok", "base_url": self.server.url, "team_id": self.team.id}
        )
        admin = self.env.ref("base.user_admin")
        url = account.with_user(admin).action_connect()["url"]
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(query["client_key"], ["7301234567890"])
        self.authenticate("admin", "admin")
        response = self.url_open(
            f"/social_crm/oauth/callback?code=auth-code-1&scopes=comment.list&state={query['state'][0]}",
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303), response.text)
        account.invalidate_recordset()
        account = account.sudo()
        self.assertEqual((account.state, account.login, account.own_handle), ("connected", BUSINESS, "acme.shop"))
        self.assertEqual((account.token, account.refresh_token, account.oauth_app_id), ("act.token", "rft.1", app))
        [exchange] = [r for r in self.server.requests if r["path"].endswith("/oauth2/token/")]
        self.assertEqual(
            json.loads(exchange["body"]),
            {
                "client_id": "7301234567890",
                "client_secret": "app-secret",
                "grant_type": "authorization_code",
                "auth_code": "auth-code-1",
                "redirect_uri": app.redirect_uri,
            },
        )

    def test_an_expired_token_is_refreshed_through_tiktok_and_the_fetch_goes_on(self):
        app = self.tiktok_app()
        self.tiktok.sudo().write(
            {
                "oauth_app_id": app.id,
                "refresh_token": "rft.1",
                "token_expires_at": fields.Datetime.now() - timedelta(minutes=5),
            }
        )
        self.env.flush_all()  # the refresh reads the pair under a row lock, in a cursor of its own
        self.server.comments[:] = [self.comment("7400000000000000003")]
        self.tiktok.with_user(self.social_manager).action_fetch_now()
        self.assertEqual(self.tiktok.state, "connected", self.tiktok.last_error)
        [refresh] = [r for r in self.server.requests if r["path"].endswith("/refresh_token/")]
        self.assertEqual(json.loads(refresh["body"])["refresh_token"], "rft.1")
        self.assertEqual(set(self.server.seen_tokens), {"act.2"}, "every call used the refreshed token")
        self.assertEqual((self.tiktok.sudo().token, self.tiktok.sudo().refresh_token), ("act.2", "rft.2"))
        self.assertTrue(self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)]))

    def test_tiktok_asking_to_slow_down_pauses_the_account_in_words(self):
        self.server.fail_with = envelope(code=40100, message="Too many requests.")
        try:
            self.tiktok.with_user(self.social_manager).action_fetch_now()
        finally:
            self.server.fail_with = None
        self.assertTrue(self.tiktok.rate_limited_until)
        self.assertIn("slow down", self.tiktok.last_error)
        self.assertEqual(self.tiktok.state, "connected", "a rate limit is no failure of the account")

    def test_managers_hide_and_show_a_comment_others_cannot(self):
        self.server.comments[:] = [self.comment("7400000000000000004", text="لینک تخفیف: spam.example")]
        self.tiktok.with_user(self.social_manager).action_fetch_now()
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)])
        stranger = self.user_of_another_company("tiktok_other_manager")
        for user in (self.social_user, stranger):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                mention.with_user(user).action_hide_on_network()
        self.assertFalse(self.sent("/business/comment/hide/"), "nothing reached TikTok")
        mention.with_user(self.social_manager).action_hide_on_network()
        self.assertTrue(mention.hidden_on_network)
        mention.with_user(self.social_manager).action_unhide_on_network()
        self.assertFalse(mention.hidden_on_network)
        self.assertEqual(
            self.sent("/business/comment/hide/"),
            [
                {"business_id": BUSINESS, "video_id": VIDEO, "comment_id": "7400000000000000004", "action": action}
                for action in ("HIDE", "UNHIDE")
            ],
        )

    # --- direct messages -----------------------------------------------------------------------------

    def delivery(self, message_id, text=PERSIAN):
        content = {
            "conversation_id": CONVERSATION,
            "message_id": message_id,
            "timestamp": int(time.time() * 1000),
            "type": "text",
            "text": {"body": text},
            "from": "sara.t",
            "from_user": {"id": "u-6823041999"},
            "to": "acme.shop",
            "to_user": {"id": BUSINESS},
        }
        payload = {
            "client_key": "aw1234567890",
            "event": "im_receive_msg",
            "create_time": int(time.time()),
            "user_openid": BUSINESS,
            "content": json.dumps(content, ensure_ascii=False),
        }
        return json.dumps(payload, ensure_ascii=False).encode()

    def deliver(self, body, secret=APP_SECRET, signature=True):
        headers = {"Content-Type": "application/json"}
        if signature:
            stamp = str(int(time.time()))
            digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers["TikTok-Signature"] = f"t={stamp},s={digest}"
        return self.url_open(f"/social_crm/webhook/{self.tiktok.sudo().webhook_key}", data=body, headers=headers)

    def events(self):
        return self.env["social_crm.event"].sudo().search([("account_id", "=", self.tiktok.id)])

    def run_processing(self):
        self.env.ref("social_crm.ir_cron_process_events").sudo().method_direct_trigger()

    def test_direct_message_through_the_signed_webhook_to_a_ticket_and_an_answer(self):
        body = self.delivery("7411111111111111111")
        self.assertEqual(self.deliver(body, secret="not the app secret").status_code, 403)
        self.assertEqual(self.deliver(body, signature=False).status_code, 401)
        self.assertFalse(self.events(), "refused deliveries store nothing")
        self.assertEqual(self.deliver(body).status_code, 200)
        self.assertEqual(self.deliver(body).status_code, 200, "TikTok delivers at least once: acknowledged")
        self.assertEqual(len(self.events()), 1, "and stored once")

        self.run_processing()
        self.assertEqual(self.events().state, "done", self.events().error)
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)])
        self.assertEqual((mention.body, mention.visibility, mention.lang), (PERSIAN, "private", "fa"))
        self.assertEqual(mention.thread_id.visibility, "private")
        self.assertEqual(mention.identity_id.external_id, "u-6823041999")
        self.assertEqual(mention.identity_id.handle, "sara.t")
        ticket = mention.ticket_id
        self.assertTrue(ticket, "a complaint in a direct message opens a ticket")

        reply = self.answer_from_ticket(ticket, self.social_user, ANSWER)
        reply.action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        self.assertEqual(
            self.sent(SEND_PATH),
            [
                {
                    "business_id": BUSINESS,
                    "recipient_type": "CONVERSATION",
                    "recipient": CONVERSATION,
                    "message_type": "TEXT",
                    "text": {"body": ANSWER},
                }
            ],
        )
        self.assertEqual(reply.posted_mention_id.visibility, "private")
        with self.assertRaises(UserError):
            reply.action_submit()
        self.assertEqual(len(self.sent(SEND_PATH)), 1, "sent once")

    def test_an_answer_after_48_hours_is_refused_in_words_and_nothing_leaves(self):
        self.deliver(self.delivery("7411111111111111112"))
        self.events().write({"received_at": fields.Datetime.now() - timedelta(hours=49)})
        self.run_processing()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)]).ticket_id
        reply = self.answer_from_ticket(ticket, self.social_manager, ANSWER)
        with self.assertRaisesRegex(UserError, "48 hours"):
            reply.action_submit()
        self.assertEqual(reply.state, "draft")
        self.assertFalse(self.sent(SEND_PATH))

    def test_a_message_for_another_business_of_the_app_is_ignored(self):
        body = self.delivery("7411111111111111113").replace(BUSINESS.encode(), b"another-business", 1)
        self.assertEqual(self.deliver(body).status_code, 200)
        self.run_processing()
        self.assertEqual(self.events().state, "done")
        self.assertIn("another business", self.events().outcome)
        self.assertFalse(self.env["social_crm.mention"].search([("account_id", "=", self.tiktok.id)]))
