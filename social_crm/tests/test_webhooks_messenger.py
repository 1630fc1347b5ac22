# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Messenger on a Facebook Page, end to end: a signed delivery to the real route, the processing cron, a ticket,
an agent's answer approved by a manager and sent through a loopback server speaking the Send API."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .webhook_case import WebhookCase

APP_SECRET = "3c1b0a3f9d1e4b7a8c2d5e6f7a8b9c0d"
PAGE_ID = "104567890123456"
PSID = "6357283457123456"
THAI_DM = "สวัสดีครับ พัสดุของผมยังไม่มาถึงเลย ช่วยตรวจสอบให้หน่อยได้ไหมครับ"
SEND_PATH = f"/{PAGE_ID}/messages"


def messenger_message(mid, now_ms=None, **message):
    """A message from the customer (text or attachments) as Meta's Messenger Platform webhook reference shows it
    (object: page), delivered at ``now_ms`` (now unless told)."""
    now_ms = now_ms or int(time.time() * 1000)
    return {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": now_ms,
                "messaging": [
                    {
                        "sender": {"id": PSID},
                        "recipient": {"id": PAGE_ID},
                        "timestamp": now_ms - 400,
                        "message": {"mid": mid, **message},
                    }
                ],
            }
        ],
    }


def messenger_text(mid, text=THAI_DM):
    return messenger_message(mid, text=text)


def hub_signature(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestMessengerWebhook(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def send_api(request):
            body = json.loads(request["body"])
            return 200, {}, {"recipient_id": body["recipient"]["id"], "message_id": "m_reply_" + str(time.time_ns())}

        cls.server.route("POST", SEND_PATH, lambda request: cls.server.fail.get(SEND_PATH) or send_api(request))
        cls.server.route(
            "GET",
            f"/{PSID}",
            (
                200,
                {},
                {
                    "first_name": "สมชาย",
                    "last_name": "ใจดี",
                    "profile_pic": "https://platform-lookaside.fbsbx.com/p/1",
                    "id": PSID,
                },
            ),
        )
        cls.page = cls.account_by_id(
            "facebook",
            "Acme TH on Facebook",
            PAGE_ID,
            token="EAAGm0PX4ZCpsBAPageToken",
            secret=APP_SECRET,
            verify_token="acme-verify-2026",
        )

    def deliver_messenger(self, payload, secret=APP_SECRET):
        body = json.dumps(payload, ensure_ascii=False).encode()
        return self.deliver(self.page, body, {"X-Hub-Signature-256": hub_signature(body, secret)})

    def ticket_of_delivery(self, mid):
        self.assertEqual(self.deliver_messenger(messenger_text(mid)).status_code, 200)
        return self.events(self.page)

    def test_verify_handshake_echoes_the_challenge(self):
        path = self.webhook_path(self.page)
        ok = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=acme-verify-2026&hub.challenge=1158201444")
        self.assertEqual((ok.status_code, ok.text), (200, "1158201444"))
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            wrong = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
        self.assertEqual(wrong.status_code, 403)
        self.assertNotIn("1158201444", wrong.text)

    def test_forged_signature_is_refused_and_nothing_stored(self):
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            forged = self.deliver_messenger(messenger_text("m_forged"), secret="guessed-app-secret")
        self.assertEqual(forged.status_code, 403)
        self.assertFalse(self.events(self.page))
        self.run_processing()
        self.assertFalse(self.env["social_crm.mention"].search([("account_id", "=", self.page.id)]))

    def test_thai_message_to_ticket_and_approved_answer_through_send_api(self):
        self.page.reply_policy = "always"  # private answers wait for a manager on this account
        mid = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
        self.assertEqual(self.deliver_messenger(messenger_text(mid)).status_code, 200)
        self.assertEqual(self.deliver_messenger(messenger_text(mid)).status_code, 200, "a redelivery is acknowledged")
        self.run_processing()
        self.assertEqual(self.events(self.page).mapped("state"), ["done"] * len(self.events(self.page)))
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.page.id)])
        self.assertEqual(len(mention), 1, "stored once")
        self.assertEqual(mention.body, THAI_DM)
        self.assertEqual(mention.visibility, "private")
        self.assertEqual(mention.lang, "th")
        self.assertEqual(mention.identity_id.external_id, PSID)
        ticket = mention.ticket_id
        self.assertTrue(ticket, "a question in a private message opens a ticket")

        reply = self.answer_from_ticket(ticket, self.social_user, "ขออภัยครับ เราจะตรวจสอบพัสดุให้ทันทีครับ")
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertFalse(self.sent(SEND_PATH), "nothing goes out before a manager approves")
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [sent] = self.sent(SEND_PATH)
        self.assertEqual(sent["recipient"], {"id": PSID})
        self.assertEqual(sent["message"], {"text": "ขออภัยครับ เราจะตรวจสอบพัสดุให้ทันทีครับ"})
        self.assertEqual(sent["messaging_type"], "RESPONSE")
        [request] = [r for r in self.server.requests if r["path"] == SEND_PATH]
        self.assertEqual(request["headers"]["Authorization"], "Bearer EAAGm0PX4ZCpsBAPageToken")
        self.assertEqual(reply.posted_mention_id.direction, "outbound")
        self.assertEqual(reply.posted_mention_id.visibility, "private")

    def test_answer_after_24_hours_is_refused_and_nothing_sent(self):
        self.page.reply_policy = "always"  # private answers wait for a manager on this account
        self.assertEqual(self.deliver_messenger(messenger_text("m_late_1")).status_code, 200)
        self.run_processing()
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.page.id)])
        self.assertTrue(mention.ticket_id)
        reply = self.answer_from_ticket(mention.ticket_id, self.social_user, "ขออภัยที่ตอบช้าครับ")
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")

        # The manager comes to it 25 hours after the person wrote: refused in words, before anything is sent.
        event = self.events(self.page)
        event.write({"received_at": fields.Datetime.now() - timedelta(hours=25)})
        mention.sudo().external_data = {
            **mention.sudo().external_data,
            "received_at": f"{event.received_at.isoformat()}+00:00",
        }
        with self.assertRaisesRegex(UserError, "within 24 hours"):
            reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "to_approve")
        self.assertFalse(self.sent(SEND_PATH), "nothing was sent to Messenger")

        # An agent answering a message that old is told at once, and nothing waits for approval.
        late = self.answer_from_ticket(mention.ticket_id, self.social_user, "ขออภัยครับ")
        with self.assertRaisesRegex(UserError, "Facebook Page allows answering only within 24 hours"):
            late.with_user(self.social_user).action_submit()
        self.assertEqual(late.state, "draft")
        self.assertFalse(self.sent(SEND_PATH))
