# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bale and Telegram Business through the real webhook route (and Bale by polling): delivery, analyzed private
mention, ticket, an answer that leaves once through the loopback Bot API."""

import json
import time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .webhook_case import BOT, PERSIAN, SARA, SARA_CHAT, TELEGRAM_TOKEN, WebhookCase, bot_callback, bot_update

BALE_TOKEN = "1234567890:yC3vHQvB2kQp1d7XwGyM0aBcDeFgHiJkLmNoPq"
BALE_BOT = {"id": 1234567890, "is_bot": True, "first_name": "پشتیبانی آکمه", "username": "acme_support_bot"}
ZAHRA = {"id": 52038472, "is_bot": False, "first_name": "زهرا", "last_name": "احمدی", "username": "zahra_ah"}
BALE_SEND = f"/bot{BALE_TOKEN}/sendMessage"
TELEGRAM_SEND = f"/bot{TELEGRAM_TOKEN}/sendMessage"
CONNECTION_ID = "Bb3x9Qk2AAAAcC4aL0m1xFv7"
ZAHRA_CHAT = {"id": ZAHRA["id"], "type": "private", "first_name": "زهرا", "username": "zahra_ah"}
NIMA = {"id": 5550001, "is_bot": False, "first_name": "نیما", "last_name": "کفش", "username": "nima_shop"}


def bale_update(update_id, text=PERSIAN, message_id=301):
    """A text message as Bale's Bot API delivers it (docs.bale.ai, Update and Message)."""
    return bot_update(update_id, message_id, ZAHRA, ZAHRA_CHAT, text=text)


def connection_update(update_id, is_enabled=True, can_reply=True):
    """A ``business_connection`` update (Bot API: BusinessConnection with BusinessBotRights)."""
    return {
        "update_id": update_id,
        "business_connection": {
            "id": CONNECTION_ID,
            "user": NIMA,
            "user_chat_id": NIMA["id"],
            "date": int(time.time()) - 86400,
            "rights": {"can_reply": True, "can_read_messages": True} if can_reply else {"can_read_messages": True},
            "is_enabled": is_enabled,
        },
    }


def business_update(update_id, text=PERSIAN, message_id=77, sender=None, key="business_message", date=None, **extra):
    """A customer's message in the Premium user's private chat (Bot API: Message with business_connection_id)."""
    date = date or int(time.time()) - 600
    return bot_update(
        update_id,
        message_id,
        sender or SARA,
        SARA_CHAT,
        key,
        date,
        business_connection_id=CONNECTION_ID,
        text=text,
        **extra,
    )


class BotCase(WebhookCase):
    """``WebhookCase`` plus a Bale bot on loopback and a Telegram sendMessage that answers for business chats."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = cls.server
        server.bale_updates = []

        def reply(path, ok):
            server.route("POST", path, lambda request: server.fail.get(path) or ok(request))

        def sent_message(bot, **extra):
            def handler(request):
                body = json.loads(request["body"])
                message = {
                    "message_id": 1400 + len(server.requests),
                    "from": bot,
                    "chat": {"id": body["chat_id"], "type": "private"},
                    "date": int(time.time()),
                    "text": body["text"],
                }
                if body.get("business_connection_id"):  # sent on behalf of the Premium user
                    message.update(business_connection_id=body["business_connection_id"], sender_business_bot=bot)
                    message["from"] = NIMA
                return 200, {}, {"ok": True, "result": message}

            return handler

        reply(BALE_SEND, sent_message(BALE_BOT))
        reply(TELEGRAM_SEND, sent_message(BOT))
        for method in ("setWebhook", "deleteWebhook"):
            reply(f"/bot{BALE_TOKEN}/{method}", lambda request: (200, {}, {"ok": True, "result": True}))
        reply(f"/bot{BALE_TOKEN}/getMe", lambda request: (200, {}, {"ok": True, "result": BALE_BOT}))

        def get_updates(request):
            body = json.loads(request["body"])
            pending = [u for u in server.bale_updates if u["update_id"] >= (body.get("offset") or 0)]
            return 200, {}, {"ok": True, "result": pending[: body.get("limit", 100)]}

        reply(f"/bot{BALE_TOKEN}/getUpdates", get_updates)
        cls.bale = cls.connected_account(
            "bale", "Acme IR on Bale", server.url, token=BALE_TOKEN, own_external_id=str(BALE_BOT["id"])
        )

    def deliver_bale(self, update, headers=None):
        return self.deliver(self.bale, json.dumps(update, ensure_ascii=False).encode(), headers)

    def mentions(self, account):
        return self.env["social_crm.mention"].search([("account_id", "=", account.id)], order="id")


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestBale(BotCase):
    def test_persian_message_to_ticket_answered_once_after_approval(self):
        # Bale sends no secret header: the delivery is accepted on the account's address alone; a redelivery is
        # stored once; an unknown address stores nothing.
        self.assertEqual(self.deliver_bale(bale_update(88001)).status_code, 200)
        self.assertEqual(self.deliver_bale(bale_update(88001)).status_code, 200)
        with mute_logger("odoo.addons.social_crm.controllers.webhook"):
            forged = self.url_open("/social_crm/webhook/guessed-key", data=json.dumps(bale_update(88002)).encode())
        self.assertEqual(forged.status_code, 404)
        self.assertEqual(self.events(self.bale).mapped("event_id"), ["88001"])
        self.run_processing()
        mention = self.mentions(self.bale)
        self.assertEqual((mention.body, mention.lang, mention.visibility), (PERSIAN, "fa", "private"))
        self.assertEqual(mention.identity_id.name, "زهرا احمدی")
        self.assertEqual(mention.identity_id.profile_url, "https://ble.ir/zahra_ah")
        self.assertTrue(mention.ticket_id, "a complaint in a private message opens a ticket")

        self.bale.reply_policy = "always"
        reply = self.answer_from_ticket(mention.ticket_id, self.social_user, "سلام زهرا جان، همین الان پیگیری می‌کنیم")
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertFalse(self.sent(BALE_SEND), "nothing leaves before the approval")
        with self.assertRaises(UserError):
            reply.with_user(self.social_user).action_approve()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted", reply.error_message)
        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_approve()
        [sent] = self.sent(BALE_SEND)
        self.assertEqual(
            sent, {"chat_id": 52038472, "text": "سلام زهرا جان، همین الان پیگیری می‌کنیم", "reply_to_message_id": 301}
        )
        outbound = self.mentions(self.bale).filtered(lambda m: m.direction == "outbound")
        self.assertEqual(outbound.external_id, reply.posted_external_id)
        self.assertEqual(outbound.thread_id, mention.thread_id)

    def test_satisfaction_asked_with_buttons_and_answered_by_callback_query(self):
        callback_path = f"/bot{BALE_TOKEN}/answerCallbackQuery"
        self.server.route("POST", callback_path, (200, {}, {"ok": True, "result": True}))
        self.bale.csat_enabled = True
        self.deliver_bale(bale_update(88101, message_id=320))
        self.run_processing()
        ticket = self.mentions(self.bale).ticket_id
        ticket.user_id = self.social_user
        closed = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        ticket.with_user(self.social_manager).write({"stage_id": closed.id})
        self.env["social_crm.csat"]._cron_send()
        survey = self.env["social_crm.csat"].sudo().search([("ticket_id", "=", ticket.id)])
        self.assertEqual(survey.state, "sent", survey.error)
        [asked] = self.sent(BALE_SEND)
        [row] = asked["reply_markup"]["inline_keyboard"]
        good = next(button["callback_data"] for button in row if button["callback_data"].endswith(":good"))
        question = {"message_id": 330, "chat": {"id": ZAHRA["id"], "type": "private"}, "date": 1790000300}
        pressed = bot_callback(88102, "52038472-88102", ZAHRA, question, good)
        self.assertEqual(self.deliver_bale(pressed).status_code, 200)
        self.run_processing()
        self.assertEqual((survey.state, survey.answer), ("answered", "good"))
        self.assertEqual(self.sent(callback_path)[0]["callback_query_id"], "52038472-88102")

    def test_polling_stores_each_update_once_and_moves_the_offset(self):
        self.bale.sudo().telegram_mode = "polling"
        self.server.bale_updates = [bale_update(600 + n, message_id=310 + n) for n in range(3)]
        cron = self.env.ref("social_crm.ir_cron_poll_telegram").sudo()
        self.assertEqual(cron.model_id.model, "social_crm.event")
        cron.method_direct_trigger()
        self.assertEqual(sorted(self.events(self.bale).mapped("event_id")), ["600", "601", "602"])
        self.assertEqual(self.bale.sudo().telegram_offset, 603)
        polls = self.sent(f"/bot{BALE_TOKEN}/getUpdates")
        self.assertEqual(polls[0], {"limit": 100}, "Bale takes offset and limit only")
        self.assertEqual(polls[-1], {"limit": 100, "offset": 603})
        cron.method_direct_trigger()
        self.assertEqual(len(self.events(self.bale)), 3, "the offset moved: nothing is stored twice")
        self.run_processing()
        mentions = self.mentions(self.bale)
        self.assertEqual(mentions.mapped("body"), [PERSIAN] * 3)
        self.assertTrue(mentions.ticket_id)
        reply = self.answer_from_ticket(mentions.ticket_id, self.social_manager, "سلام، پیگیری شد")
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        self.assertEqual(len(self.sent(BALE_SEND)), 1)

    def test_polling_failure_is_recorded_in_words(self):
        self.bale.sudo().telegram_mode = "polling"
        path = f"/bot{BALE_TOKEN}/getUpdates"
        self.server.fail[path] = (
            401,
            {},
            {"ok": False, "error_code": 401, "description": "Bad Request: Token not found"},
        )
        self.env.ref("social_crm.ir_cron_poll_telegram").sudo().method_direct_trigger()
        self.assertEqual(self.bale.state, "error")
        self.assertIn("Bale rejected the credentials", self.bale.last_error)
        self.assertNotIn(BALE_TOKEN, self.bale.last_error)

    def test_set_webhook_sends_the_address_only(self):
        self.bale.sudo().write({"state": "draft", "telegram_mode": "polling"})
        self.bale.with_user(self.social_manager).action_telegram_set_webhook()
        account = self.bale.sudo()
        self.assertEqual((account.state, account.telegram_mode), ("connected", "webhook"))
        self.assertEqual(self.sent(f"/bot{BALE_TOKEN}/setWebhook"), [{"url": account.webhook_url}])
        self.assertFalse(account.secret, "Bale takes no secret: none is made up")
        self.bale.with_user(self.social_manager).action_telegram_remove_webhook()
        self.assertEqual(account.telegram_mode, "polling")
        with self.assertRaises(UserError):
            self.line.with_user(self.social_manager).action_telegram_set_webhook()

    def test_bale_in_the_account_form_and_its_guidance(self):
        label = dict(self.env["social_crm.account"]._fields["network"]._description_selection(self.env))["bale"]
        self.assertEqual(label, "Bale")
        self.assertEqual(self.bale._get_client().base_url.rstrip("/"), self.server.url.rstrip("/"))
        new = self.env["social_crm.account"].with_user(self.social_manager).new({"network": "bale"})
        new._onchange_network()
        self.assertEqual(new.base_url, "https://tapi.bale.ai")
        icon = self.url_open("/social_crm/static/src/img/bale.svg")
        self.assertEqual(icon.status_code, 200)
        self.assertIn(b"<svg", icon.content)


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestTelegramBusiness(BotCase):
    def test_business_message_becomes_a_private_mention_answered_on_behalf(self):
        self.deliver_telegram(connection_update(30001))
        self.deliver_telegram(business_update(30002))
        self.deliver_telegram(business_update(30002))  # a redelivery
        self.assertEqual(len(self.events(self.telegram)), 2)
        self.run_processing()
        connection = self.telegram.sudo().business_connection_ids
        self.assertEqual((connection.connection_id, connection.user_name), (CONNECTION_ID, "نیما کفش"))
        self.assertTrue(connection.is_enabled and connection.can_reply)
        mention = self.mentions(self.telegram)
        self.assertEqual(len(mention), 1)
        self.assertEqual((mention.body, mention.visibility, mention.direction), (PERSIAN, "private", "inbound"))
        self.assertEqual(mention.external_id, f"biz:{CONNECTION_ID}:7261839:77")
        self.assertEqual(mention.thread_id.root_external_id, f"biz:{CONNECTION_ID}:chat:7261839")
        self.assertEqual(mention.identity_id.name, "سارا رضایی")
        self.assertTrue(mention.ticket_id)

        reply = self.answer_from_ticket(mention.ticket_id, self.social_manager, "سلام سارا، بررسی می‌کنیم")
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [sent] = self.sent(TELEGRAM_SEND)
        self.assertEqual(sent["business_connection_id"], CONNECTION_ID)
        self.assertEqual((sent["chat_id"], sent["reply_parameters"]["message_id"]), (7261839, 77))
        self.assertTrue(reply.posted_external_id.startswith(f"biz:{CONNECTION_ID}:7261839:"))
        outbound = self.mentions(self.telegram).filtered(lambda m: m.direction == "outbound")
        self.assertEqual(outbound.thread_id, mention.thread_id)

        # The Premium user answers in Telegram themselves: the business speaking, in the same conversation.
        self.deliver_telegram(business_update(30003, text="ارسال شد", message_id=90, sender=NIMA))
        self.run_processing()
        own = self.mentions(self.telegram).filtered(lambda m: m.external_id.endswith(":90"))
        self.assertEqual((own.direction, own.thread_id), ("outbound", mention.thread_id))

    def test_disabled_connection_or_no_reply_right_refuses_in_words(self):
        self.deliver_telegram(connection_update(30011))
        self.deliver_telegram(business_update(30012, message_id=78))
        self.run_processing()
        ticket = self.mentions(self.telegram).ticket_id
        self.deliver_telegram(connection_update(30013, is_enabled=False))
        self.run_processing()
        self.assertFalse(self.telegram.sudo().business_connection_ids.is_enabled)
        reply = self.answer_from_ticket(ticket, self.social_manager, "سلام")
        with self.assertRaisesRegex(UserError, "disconnected the bot"):
            reply.with_user(self.social_manager).action_submit()
        self.deliver_telegram(connection_update(30014, can_reply=False))
        self.run_processing()
        with self.assertRaisesRegex(UserError, "not answer it"):
            reply.with_user(self.social_manager).action_submit()
        self.assertFalse(self.sent(TELEGRAM_SEND), "nothing left")
        self.assertNotEqual(reply.state, "posted")

    def test_unknown_connection_is_asked_and_late_answers_refused(self):
        answer = connection_update(0)["business_connection"]
        self.server.route(
            "POST", f"/bot{TELEGRAM_TOKEN}/getBusinessConnection", (200, {}, {"ok": True, "result": answer})
        )
        two_days_ago = int(time.time()) - 2 * 86400
        self.deliver_telegram(business_update(30021, message_id=79, date=two_days_ago))
        self.run_processing()
        ticket = self.mentions(self.telegram).ticket_id
        reply = self.answer_from_ticket(ticket, self.social_manager, "سلام")
        with self.assertRaisesRegex(UserError, "24 hours"):
            reply.with_user(self.social_manager).action_submit()
        self.assertEqual(
            self.sent(f"/bot{TELEGRAM_TOKEN}/getBusinessConnection"), [{"business_connection_id": CONNECTION_ID}]
        )
        self.assertEqual(self.telegram.sudo().business_connection_ids.connection_id, CONNECTION_ID)
        self.assertFalse(self.sent(TELEGRAM_SEND))

    def test_edits_and_deletions_by_the_customer(self):
        self.deliver_telegram(connection_update(30031))
        self.deliver_telegram(business_update(30032, text="شماره من ۰۹۱۲۱۲۳۴۵۶۷ است", message_id=81))
        edited = business_update(30033, text="شماره من ۰۹۱۲۷۶۵۴۳۲۱ است", message_id=81, key="edited_business_message")
        edited["edited_business_message"]["edit_date"] = int(time.time())
        self.deliver_telegram(edited)
        self.run_processing()
        original, edit = self.mentions(self.telegram)
        self.assertEqual(edit.parent_id, original)
        self.assertIn("۰۹۱۲۷۶۵۴۳۲۱", edit.body)
        deleted = {
            "update_id": 30034,
            "deleted_business_messages": {
                "business_connection_id": CONNECTION_ID,
                "chat": {"id": SARA["id"], "type": "private", "first_name": "سارا"},
                "message_ids": [81],
            },
        }
        self.deliver_telegram(deleted)
        self.run_processing()
        for mention in (original, edit):
            self.assertTrue(mention.deleted_on_network, "an edit goes with the message its author deleted")
            self.assertNotIn("۰۹۱۲", mention.body)

    def test_connections_are_walled_by_company(self):
        self.deliver_telegram(connection_update(30041))
        self.run_processing()
        Connection = self.env["social_crm.business.connection"]
        self.assertEqual(len(Connection.with_user(self.social_user).search([])), 1)
        outsider = self.user_of_another_company("outsider_biz")
        self.assertFalse(Connection.with_user(outsider).search([]))
