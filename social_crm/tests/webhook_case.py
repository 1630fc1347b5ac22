# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A LINE channel and a Telegram bot whose APIs run on loopback, and signed deliveries to the real route."""

import base64
import hashlib
import hmac
import json

from odoo.tests import HttpCase

from .loopback import LoopbackServer
from .network_case import NetworkCase

LINE_SECRET = "8c570fa6dd201bb328f1c1eac23a96d8"
LINE_USER = "U4af4980629a0b2d3c1e2f3a4b5c6d7e8"
THAI = "สวัสดีครับ สั่งของไปสามวันแล้วยังไม่ได้รับเลย ช่วยตรวจสอบให้หน่อยได้ไหมครับ"
TELEGRAM_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TELEGRAM_SECRET = "s3cr3t-token_for-webhook"
PERSIAN = "سلام، سفارشم هنوز نرسیده. کی می‌رسه؟ خیلی ناراضی هستم"
SARA = {"id": 7261839, "is_bot": False, "first_name": "سارا", "last_name": "رضایی", "username": "sara_r"}
BOT = {"id": 110201543, "is_bot": True, "first_name": "Acme support", "username": "acme_support_bot"}
SARA_CHAT = {"id": SARA["id"], "first_name": "سارا", "last_name": "رضایی", "type": "private"}
LINE_REPLY_TOKEN = "b60d432864f44d079f6d8efe86cf404b"


def line_delivery(*events):
    return json.dumps({"destination": "Ub9952f8", "events": list(events)}, ensure_ascii=False).encode()


def line_event(kind, event_id, timestamp=1790000000000, user_id=LINE_USER, **fields):
    """An event of ``kind`` as LINE's webhook reference shows it: the fields every event has, then its own
    (``message``, ``postback``, ``unsend``, ``replyToken``...)."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": timestamp,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        **fields,
    }


def line_message(event_id, message_id, kind, reply_token=LINE_REPLY_TOKEN, **content):
    """A message event: a message of ``kind`` (text, image, file, audio...) with its ``content``."""
    message = {"type": kind, "id": message_id, "quoteToken": "q3Plxr4AgKd", **content}
    return line_event("message", event_id, message=message, replyToken=reply_token)


def line_text(event_id, message_id, text=THAI, reply_token=LINE_REPLY_TOKEN):
    """A text message event as LINE's webhook reference shows it."""
    return line_message(event_id, message_id, "text", reply_token, text=text)


def line_signature(body, secret=LINE_SECRET):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def bot_update(update_id, message_id, sender, chat, key="message", date=1790000000, **content):
    """An update carrying a message (under ``key``) as the Telegram Bot API delivers it; Bale's Bot API has the
    same shape."""
    message = {"message_id": message_id, "from": sender, "chat": chat, "date": date, **content}
    return {"update_id": update_id, key: message}


def bot_callback(update_id, query_id, sender, message, data, **query):
    """An update with a ``callback_query``, as the Bot API sends it when an inline keyboard button is pressed."""
    callback = {"id": query_id, "from": sender, "message": message, "data": data, **query}
    return {"update_id": update_id, "callback_query": callback}


def telegram_update(update_id, text=PERSIAN, message_id=1365):
    return bot_update(update_id, message_id, SARA, SARA_CHAT, text=text)


class WebhookCase(HttpCase, NetworkCase):
    """``server.line_sent`` / ``server.telegram_sent``: the message requests the APIs received;
    ``server.fail[path]`` answers an error for that path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.enterClassContext(LoopbackServer())
        cls.server.fail = {}
        cls.server.updates = []

        def answer(path, ok):
            def handler(request):
                return cls.server.fail.get(path) or ok(request)

            cls.server.route("POST" if path != "profile" else "GET", path, handler)

        def line_sent(request):
            return 200, {}, {"sentMessages": [{"id": f"4612309668420{len(cls.server.requests):05d}"}]}

        answer("/v2/bot/message/reply", line_sent)
        answer("/v2/bot/message/push", line_sent)
        cls.server.route(
            "GET",
            f"/v2/bot/profile/{LINE_USER}",
            (
                200,
                {},
                {
                    "displayName": "สมชาย",
                    "userId": LINE_USER,
                    "language": "th",
                    "pictureUrl": "https://profile.line-scdn.net/ch/v2/p/uf9da5ee2b",
                    "statusMessage": "Hello, LINE!",
                },
            ),
        )

        def send_message(request):
            body = json.loads(request["body"])
            message = {
                "message_id": 1400 + len(cls.server.requests),
                "from": BOT,
                "chat": {"id": body["chat_id"], "first_name": "سارا", "type": "private"},
                "date": 1790000100,
                "text": body["text"],
            }
            return 200, {}, {"ok": True, "result": message}

        answer(f"/bot{TELEGRAM_TOKEN}/sendMessage", send_message)

        def get_updates(request):
            offset = json.loads(request["body"]).get("offset") or 0
            return 200, {}, {"ok": True, "result": [u for u in cls.server.updates if u["update_id"] >= offset]}

        cls.server.route("POST", f"/bot{TELEGRAM_TOKEN}/getUpdates", get_updates)

        cls.line = cls.connected_account(
            "line",
            "Acme TH on LINE",
            cls.server.url,
            token="channel-access-token",
            secret=LINE_SECRET,
            own_external_id="Ub9952f8",
        )
        cls.telegram = cls.connected_account(
            "telegram",
            "Acme IR on Telegram",
            cls.server.url,
            token=TELEGRAM_TOKEN,
            secret=TELEGRAM_SECRET,
            own_external_id=str(BOT["id"]),
        )

    def setUp(self):
        super().setUp()
        self.server.requests.clear()
        self.server.fail.clear()

    def webhook_path(self, account):
        return f"/social_crm/webhook/{account.sudo().webhook_key}"

    def deliver(self, account, body, headers=None):
        headers = {"Content-Type": "application/json", **(headers or {})}
        return self.url_open(self.webhook_path(account), data=body, headers=headers)

    def deliver_line(self, *events, secret=LINE_SECRET):
        body = line_delivery(*events)
        return self.deliver(self.line, body, {"X-Line-Signature": line_signature(body, secret)})

    def deliver_telegram(self, update, secret=TELEGRAM_SECRET):
        body = json.dumps(update, ensure_ascii=False).encode()
        return self.deliver(self.telegram, body, {"X-Telegram-Bot-Api-Secret-Token": secret})

    def events(self, account):
        return self.env["social_crm.event"].sudo().search([("account_id", "=", account.id)])

    def run_processing(self):
        self.env.ref("social_crm.ir_cron_process_events").sudo().method_direct_trigger()
