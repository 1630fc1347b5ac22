# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Private messages by webhook: the real route, the processing cron, replies through loopback APIs."""

import logging
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .webhook_case import (
    LINE_USER,
    PERSIAN,
    TELEGRAM_TOKEN,
    THAI,
    WebhookCase,
    line_delivery,
    line_event,
    line_signature,
    line_text,
    telegram_update,
)

LINE_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
SEND_PATH = f"/bot{TELEGRAM_TOKEN}/sendMessage"


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestWebhooks(WebhookCase):
    def test_line_thai_message_becomes_a_private_ticket_answered_by_reply_token(self):
        event = line_text("01FZ74A0TDDPYRVKNK77XKC3ZR", "468789577898262530")
        self.assertEqual(self.deliver_line(event).status_code, 200)
        redelivery = {**event, "deliveryContext": {"isRedelivery": True}}
        self.assertEqual(self.deliver_line(redelivery).status_code, 200, "a redelivery is acknowledged")
        self.assertEqual(len(self.events(self.line)), 1, "and stored once")
        self.assertEqual(self.events(self.line).state, "pending")

        self.run_processing()
        self.assertEqual(self.events(self.line).state, "done")
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)])
        self.assertEqual(mention.body, THAI)
        self.assertEqual(mention.visibility, "private")
        self.assertEqual(mention.thread_id.visibility, "private")
        self.assertEqual(mention.lang, "th")
        self.assertIn(mention.nlp_state, ("fast", "accurate"))
        self.assertEqual(mention.identity_id.name, "สมชาย", "the name comes from LINE's profile API")
        self.assertTrue(mention.identity_id.avatar_url.startswith("https://profile.line-scdn.net/"))
        ticket = mention.ticket_id
        self.assertTrue(ticket, "a question in a private message opens a ticket")

        # The agent answers from the ticket, at once: LINE's reply API with the event's reply token.
        reply = self.answer_from_ticket(ticket, self.social_manager, "ขอบคุณครับ เราจะตรวจสอบให้ทันที โทร 081-234-5678")
        self.assertFalse(reply.privacy_warning, "a phone number in a private answer is normal")
        self.assertFalse(reply.delivery_note)
        reply.action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [sent] = self.sent(LINE_PATH)
        self.assertEqual(sent["replyToken"], "b60d432864f44d079f6d8efe86cf404b")
        self.assertEqual(sent["messages"][0]["text"], "ขอบคุณครับ เราจะตรวจสอบให้ทันที โทร 081-234-5678")
        self.assertEqual(reply.posted_mention_id.direction, "outbound")
        self.assertEqual(reply.posted_mention_id.visibility, "private")
        self.assertFalse(self.sent(PUSH_PATH))
        with self.assertRaises(UserError):
            reply.action_submit()
        self.assertEqual(len(self.sent(LINE_PATH)), 1, "posted once")

    def test_line_late_answer_goes_by_push_and_says_so(self):
        self.deliver_line(line_text("01FZ74A0TDDPYRVKNK77XKC3ZS", "468789577898262531"))
        # Processed (or answered) long after LINE delivered it: the reply token is stale.
        self.events(self.line).write({"received_at": fields.Datetime.now() - timedelta(minutes=10)})
        self.run_processing()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)]).ticket_id
        reply = self.answer_from_ticket(ticket, self.social_manager, "ขออภัยที่ตอบช้าครับ")
        self.assertIn("push", reply.delivery_note)
        self.assertIn("quota", reply.delivery_note)
        reply.action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [push] = self.sent(PUSH_PATH)
        self.assertEqual(push["to"], LINE_USER)
        self.assertFalse(self.sent(LINE_PATH))
        retry_key = [r for r in self.server.requests if r["path"] == PUSH_PATH][0]["headers"]["X-Line-Retry-Key"]
        self.assertTrue(retry_key, "a retry key keeps LINE from delivering it twice")

    def test_line_quota_and_rate_limit_are_said_in_words(self):
        self.deliver_line(line_text("01FZ74A0TDDPYRVKNK77XKC3ZT", "468789577898262532"))
        self.events(self.line).write({"received_at": fields.Datetime.now() - timedelta(minutes=10)})
        self.run_processing()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)]).ticket_id
        self.server.fail[PUSH_PATH] = (429, {}, {"message": "You have reached your monthly limit."})
        reply = self.answer_from_ticket(ticket, self.social_manager, "ขออภัยครับ")
        with mute_logger("odoo.addons.social_crm.models.social_crm_reply"):
            reply.action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertIn("monthly message quota", reply.error_message)

    def test_line_unsend_hides_the_message(self):
        self.deliver_line(line_text("01H0000000000000000000000A", "468789577898262533", text="เบอร์ผม 0812345678"))
        self.run_processing()
        unsend = line_event(
            "unsend", "01H0000000000000000000000B", 1790000060000, unsend={"messageId": "468789577898262533"}
        )
        self.deliver_line(unsend)
        self.run_processing()
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)])
        self.assertNotIn("0812345678", mention.body)
        self.assertTrue(mention.deleted_on_network)

    def test_telegram_persian_message_is_answered_with_send_message(self):
        self.assertEqual(self.deliver_telegram(telegram_update(900001)).status_code, 200)
        self.assertEqual(self.deliver_telegram(telegram_update(900001)).status_code, 200)
        self.assertEqual(len(self.events(self.telegram)), 1)
        self.run_processing()
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.telegram.id)])
        self.assertEqual(mention.body, PERSIAN)
        self.assertEqual(mention.lang, "fa")
        self.assertEqual(mention.visibility, "private")
        self.assertEqual(mention.identity_id.name, "سارا رضایی")
        self.assertTrue(mention.ticket_id, "a complaint in a private message opens a ticket")

        reply = self.answer_from_ticket(mention.ticket_id, self.social_manager, "سلام سارا، پیگیری می‌کنیم")
        reply.action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [sent] = self.sent(SEND_PATH)
        self.assertEqual(sent["chat_id"], 7261839)
        self.assertEqual(sent["reply_parameters"]["message_id"], 1365)

    def test_telegram_blocked_user_fails_in_words(self):
        self.deliver_telegram(telegram_update(900002, message_id=1366))
        self.run_processing()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.telegram.id)]).ticket_id
        self.server.fail[SEND_PATH] = (
            403,
            {},
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
        )
        reply = self.answer_from_ticket(ticket, self.social_manager, "سلام")
        with mute_logger("odoo.addons.social_crm.models.social_crm_reply"):
            reply.action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertIn("blocked", reply.error_message)
        self.assertFalse(reply.outcome_unknown)

    def test_telegram_polling_mode(self):
        self.telegram.sudo().telegram_mode = "polling"
        self.server.updates = [telegram_update(700, message_id=1370), telegram_update(701, message_id=1371)]
        self.env.ref("social_crm.ir_cron_poll_telegram").sudo().method_direct_trigger()
        self.assertEqual(sorted(self.events(self.telegram).mapped("event_id")), ["700", "701"])
        self.assertEqual(self.telegram.sudo().telegram_offset, 702)
        self.env.ref("social_crm.ir_cron_poll_telegram").sudo().method_direct_trigger()
        self.assertEqual(len(self.events(self.telegram)), 2, "the offset moved: nothing is stored twice")
        self.run_processing()
        bodies = self.env["social_crm.mention"].search([("account_id", "=", self.telegram.id)]).mapped("body")
        self.assertEqual(bodies, [PERSIAN, PERSIAN])

    def test_refused_deliveries_store_nothing(self):
        body = line_delivery(line_text("01FZ74A0TDDPYRVKNK77XKC3ZU", "1"))
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            forged = self.deliver(self.line, body, {"X-Line-Signature": line_signature(body, "guessed")})
            unsigned = self.deliver(self.line, body)
            tampered = self.deliver(
                self.line, body.replace(b"Ub9952f8", b"Ub9952f9"), {"X-Line-Signature": line_signature(body)}
            )
            big = b'{"events": [], "pad": "' + b"x" * (1024 * 1024) + b'"}'
            oversized = self.deliver(self.line, big, {"X-Line-Signature": line_signature(big)})
            not_json = b"{not json"
            malformed = self.deliver(self.line, not_json, {"X-Line-Signature": line_signature(not_json)})
            wrong_shape = b'{"hello": "world"}'
            shaped = self.deliver(self.line, wrong_shape, {"X-Line-Signature": line_signature(wrong_shape)})
            telegram_forged = self.deliver_telegram(telegram_update(1), secret="guess")
        unknown = self.url_open("/social_crm/webhook/not-a-key", data=body, headers={"X-Line-Signature": "x"})
        self.assertEqual(forged.status_code, 403)
        self.assertEqual(unsigned.status_code, 401)
        self.assertEqual(tampered.status_code, 403)
        self.assertEqual(oversized.status_code, 413)
        self.assertEqual(malformed.status_code, 400)
        self.assertEqual(shaped.status_code, 400)
        self.assertEqual(telegram_forged.status_code, 403)
        self.assertEqual(unknown.status_code, 404)
        self.assertFalse(self.events(self.line) | self.events(self.telegram))

    def test_regenerated_key_retires_the_old_address(self):
        old_path = self.webhook_path(self.line)
        self.line.with_user(self.social_manager).action_regenerate_webhook_key()
        self.assertNotEqual(self.webhook_path(self.line), old_path)
        body = line_delivery(line_text("01FZ74A0TDDPYRVKNK77XKC3ZV", "2"))
        old = self.url_open(old_path, data=body, headers={"X-Line-Signature": line_signature(body)})
        self.assertEqual(old.status_code, 404)
        self.assertEqual(self.deliver_line(line_text("01FZ74A0TDDPYRVKNK77XKC3ZV", "2")).status_code, 200)
        self.assertIn(self.webhook_path(self.line), self.line.with_user(self.social_manager).webhook_url)

    def test_meta_style_handshake(self):
        self.line.sudo().verify_token = "my-verify-token"
        path = self.webhook_path(self.line)
        ok = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444")
        self.assertEqual((ok.status_code, ok.text), (200, "1158201444"))
        wrong = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
        self.assertEqual(wrong.status_code, 403)
        self.assertNotIn("1158201444", wrong.text)

    def test_unknown_event_types_are_stored_and_ignored_with_a_log_line(self):
        beacon = line_event(
            "beacon", "01H0000000000000000000000C", replyToken="x", beacon={"hwid": "d41d8cd98f", "type": "enter"}
        )
        self.assertEqual(self.deliver_line(beacon).status_code, 200)
        event = self.events(self.line)
        self.assertEqual(event.state, "pending")
        records = []
        handler = logging.Handler(logging.INFO)
        handler.emit = records.append
        logger = logging.getLogger("odoo.addons.social_crm.models.social_crm_event")
        level, logger.level = logger.level, logging.INFO
        logger.addHandler(handler)
        try:
            self.run_processing()
        finally:
            logger.removeHandler(handler)
            logger.level = level
        self.assertEqual(event.state, "done", event.error)
        self.assertIn("beacon", event.outcome)
        self.assertIn('"hwid": "d41d8cd98f"', event.with_user(self.social_manager).payload_text)
        lines = [r.getMessage() for r in records]
        self.assertTrue(any("beacon" in line and "ignored" in line for line in lines), (lines, logger.disabled))
        self.assertFalse(self.env["social_crm.mention"].search([("account_id", "=", self.line.id)]))

    def test_unreadable_event_fails_and_is_retried_later(self):
        broken = line_text("01H0000000000000000000000D", "3")
        broken["source"] = {"type": "user"}  # no userId
        self.deliver_line(broken)
        self.run_processing()
        event = self.events(self.line)
        self.assertEqual(event.state, "failed")
        self.assertIn("userId", event.error)
        self.assertEqual(event.attempts, 1)
        self.assertGreater(event.next_attempt_at, fields.Datetime.now())
        self.run_processing()
        self.assertEqual(event.attempts, 1, "not tried again before its backoff")

    def test_database_error_is_answered_5xx_so_the_network_retries(self):
        Event = type(self.env["social_crm.event"])
        with (
            patch.object(Event, "_store_deliveries", side_effect=psycopg2.OperationalError("server closed")),
            mute_logger("odoo.addons.social_crm.controllers.webhook"),
        ):
            response = self.deliver_line(line_text("01H0000000000000000000000E", "4"))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(self.deliver_line(line_text("01H0000000000000000000000E", "4")).status_code, 200)
        self.assertEqual(len(self.events(self.line)), 1)


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestWebhookAccess(WebhookCase):
    def test_secrets_and_addresses_by_role(self):
        manager_view = self.line.with_user(self.social_manager)
        self.assertTrue(manager_view.webhook_url.endswith(self.line.sudo().webhook_key))
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            manager_view.read(["secret"])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            manager_view.read(["token"])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.line.with_user(self.social_user).read(["webhook_url"])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.line.with_user(self.social_user).action_regenerate_webhook_key()
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.env["social_crm.event"].with_user(self.social_user).search([])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.env["social_crm.event"].with_user(self.social_manager).create(
                {"account_id": self.line.id, "event_id": "forged"}
            )

    def test_other_company_cannot_see_private_messages(self):
        self.deliver_line(line_text("01H0000000000000000000000F", "5"))
        self.run_processing()
        outsider = self.user_of_another_company("outsider")
        Mention = self.env["social_crm.mention"]
        self.assertTrue(Mention.search([("account_id", "=", self.line.id)]))
        self.assertFalse(Mention.with_user(outsider).search([("visibility", "=", "private")]))
        self.assertFalse(self.env["social_crm.event"].with_user(outsider).search([]))
        self.assertFalse(self.env["social_crm.thread"].with_user(outsider).search([("visibility", "=", "private")]))

    def test_private_text_never_in_digest_or_spike_alerts(self):
        self.deliver_line(line_text("01H0000000000000000000000G", "6", text="แย่มาก ของพัง โกรธมาก"))
        self.run_processing()
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)])
        mention.sudo().write({"sentiment": "negative", "sentiment_score": -0.9})
        mention.thread_id.sudo().write({"sentiment": "negative"})
        figures = self.env["social_crm.digest"]._figures(self.company)
        self.assertNotIn(mention.thread_id, figures["issues"])
