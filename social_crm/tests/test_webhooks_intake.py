# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The intake attacked by strangers: NUL and lone surrogates, a poisoned profile answer, one bad event in a
batch, an endless chunked body, and a manager choosing the webhook address."""

import json
import select
import socket
import time
from unittest.mock import patch
from urllib.parse import urlsplit

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.social_crm_event import MAX_ATTEMPTS, YIELD_BATCH, YIELD_PARAM
from .webhook_case import LINE_USER, THAI, WebhookCase, line_signature, line_text

STRANGER = "U0000000000000000000000000000dead"
EVENT_LOG = "odoo.addons.social_crm.models.social_crm_event"


def raw_line_delivery(*events):
    """As a network may send it: ASCII JSON, where NUL and lone surrogates travel as \\u escapes."""
    return json.dumps({"destination": "Ub9952f8", "events": list(events)}, ensure_ascii=True).encode()


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestWebhookIntake(WebhookCase):
    def deliver_raw(self, body):
        return self.deliver(self.line, body, {"X-Line-Signature": line_signature(body)})

    def mentions(self):
        return self.env["social_crm.mention"].search([("account_id", "=", self.line.id)])

    def test_nul_and_lone_surrogate_are_cleaned_and_the_delivery_stored(self):
        nul = line_text("01J00000000000000000000N01", "7700001", text="order\u0000 12 late")
        surrogate = line_text("01J00000000000000000000N02", "7700002", text="broken \ud83d parcel")
        plain = line_text("01J00000000000000000000N03", "7700003", text=THAI, reply_token="r3")
        plain["source"]["userId"] = STRANGER
        self.server.route("GET", f"/v2/bot/profile/{STRANGER}", (200, {}, {"displayName": "Anong"}))
        body = raw_line_delivery(nul, surrogate, plain)
        self.assertIn(b"\\u0000", body)
        self.assertIn(b"\\ud83d", body)
        response = self.deliver_raw(body)
        self.assertEqual(response.status_code, 200, "accepted, not refused with 503 for ever")
        events = self.events(self.line)
        self.assertEqual(len(events), 3, "every event of the delivery is stored")
        texts = {e.event_id: e.payload["message"]["text"] for e in events}
        self.assertEqual(texts["01J00000000000000000000N01"], "order 12 late")
        self.assertEqual(texts["01J00000000000000000000N02"], "broken  parcel")
        self.assertEqual(self.deliver_raw(body).status_code, 200, "a redelivery is acknowledged")
        self.assertEqual(len(self.events(self.line)), 3, "and stored once")

        self.run_processing()
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error"))
        bodies = sorted(self.mentions().mapped("body"))
        self.assertEqual(bodies, sorted(["order 12 late", "broken parcel", THAI]))

    def test_profile_answer_with_nul_does_not_block_other_customers(self):
        """LINE's profile API answers a display name with U+0000: that person is stored cleaned, the others too."""
        self.server.route(
            "GET",
            f"/v2/bot/profile/{STRANGER}",
            (200, {}, {"displayName": "Som\u0000chai\ud800", "userId": STRANGER, "statusMessage": "\u0000"}),
        )
        poisoned = line_text("01J00000000000000000000P01", "7710001", text="where is my order")
        poisoned["source"]["userId"] = STRANGER
        other = line_text("01J00000000000000000000P02", "7710002", reply_token="r2")
        self.assertEqual(self.deliver_line(poisoned, other).status_code, 200)
        self.run_processing()
        events = self.events(self.line)
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error"))
        mentions = self.mentions()
        self.assertEqual(len(mentions), 2)
        by_author = {m.identity_id.external_id: m for m in mentions}
        self.assertEqual(by_author[STRANGER].identity_id.name, "Somchai")
        self.assertEqual(by_author[LINE_USER].body, THAI)

    def test_one_bad_event_fails_alone_and_is_given_up_after_bounded_retries(self):
        Mention = type(self.env["social_crm.mention"])
        original = Mention._ingest_items

        def ingest(mention_self, account, items):
            if any("poison" in item.text for item in items):
                raise psycopg2.errors.CheckViolation("the pipeline refuses this one")
            return original(mention_self, account, items)

        bad = line_text("01J00000000000000000000B01", "7720001", text="poison pill")
        good = [line_text(f"01J00000000000000000000G0{i}", f"772001{i}", reply_token=f"g{i}") for i in range(3)]
        self.assertEqual(self.deliver_line(good[0], bad, *good[1:]).status_code, 200)
        bad_event = self.events(self.line).filtered(lambda e: e.event_id == bad["webhookEventId"])
        with patch.object(Mention, "_ingest_items", ingest), mute_logger(EVENT_LOG):
            self.run_processing()
            self.assertEqual(len(self.mentions()), 3, "the other customers' messages are stored")
            self.assertEqual(bad_event.state, "failed")
            self.assertIn("refuses this one", bad_event.error)
            self.assertEqual(bad_event.attempts, 1)
            self.assertTrue(bad_event.next_attempt_at, "tried again later")
            self.assertEqual((self.events(self.line) - bad_event).mapped("state"), ["done"] * 3)
            # Its next tries come due; after MAX_ATTEMPTS it is given up, never blocking the queue.
            for _attempt in range(MAX_ATTEMPTS):
                bad_event.sudo().write({"next_attempt_at": False})
                self.run_processing()
        self.assertEqual(bad_event.attempts, MAX_ATTEMPTS)
        self.assertEqual(bad_event.state, "failed")
        self.assertFalse(bad_event.next_attempt_at, "given up: no further attempt")
        self.assertEqual(self.env["social_crm.event"]._due_count(), 0)
        # A later delivery is processed as usual.
        self.deliver_line(line_text("01J00000000000000000000G09", "7720019", reply_token="g9"))
        self.run_processing()
        self.assertEqual(len(self.mentions()), 4)

    def test_endless_chunked_body_is_refused_after_one_megabyte(self):
        """No Content-Length, chunks that never end: the route stops reading at 1 MB and answers 413."""
        parts = urlsplit(self.base_url())
        sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        self.addCleanup(sock.close)
        path = self.webhook_path(self.line)
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
                f"X-Line-Signature: {line_signature(b'x')}\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        chunk = b'{"events": [], "pad": "' + b"x" * 65536
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        sent, start = 0, time.monotonic()
        with mute_logger("odoo.http", "werkzeug"):
            while sent < 64 * 1024 * 1024:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or closed)
                try:
                    sock.sendall(frame)
                except OSError:  # the server closed the connection
                    break
                sent += len(chunk)
            try:
                answer = sock.recv(200)
            except OSError:
                answer = b""
        elapsed = time.monotonic() - start
        self.assertLess(sent, 8 * 1024 * 1024, "the server stopped long before the body's end")
        self.assertLess(elapsed, 10)
        if answer:
            self.assertRegex(answer, rb"^HTTP/1\.[01] 413 ")
        self.assertFalse(self.events(self.line))
        # Content-Length over the limit is refused before reading.
        big = b"x" * (1024 * 1024 + 1)
        self.assertEqual(self.deliver_raw(big).status_code, 413)

    def test_managers_cannot_choose_the_webhook_address(self):
        manager_line = self.line.with_user(self.social_manager)
        key = self.line.sudo().webhook_key
        with self.assertRaises(AccessError):
            manager_line.write({"webhook_key": "guessable"})
        with self.assertRaises(AccessError):
            manager_line.write({"name": "Renamed", "webhook_key": "guessable"})
        self.assertEqual(self.line.sudo().webhook_key, key)
        account = (
            self.env["social_crm.account"]
            .with_user(self.social_manager)
            .create({"name": "Chosen key", "network": "line", "webhook_key": "guessable"})
        )
        self.assertNotEqual(account.sudo().webhook_key, "guessable", "a chosen key is replaced by a random one")
        self.assertGreaterEqual(len(account.sudo().webhook_key), 40)
        manager_line.action_regenerate_webhook_key()
        self.assertNotEqual(self.line.sudo().webhook_key, key, "Regenerate draws a new one")

    def test_processing_gives_way_while_deliveries_arrive(self):
        """While deliveries keep coming, a cron batch takes a few events; once quiet, it takes them all."""
        events = [
            line_text(f"01J00000000000000000000Y{i:02d}", f"77400{i:02d}", reply_token=f"y{i}") for i in range(12)
        ]
        self.assertEqual(self.deliver_line(*events).status_code, 200)
        Event = self.env["social_crm.event"]
        self.assertTrue(Event._intake_busy())
        self.assertEqual(Event._cron_process(max_batches=1), YIELD_BATCH, "busy: a small batch")
        self.env["ir.config_parameter"].sudo().set_param(YIELD_PARAM, "0")
        self.assertEqual(Event._cron_process(max_batches=1, batch_size=3), 3, "yielding off: a full batch")
        self.env["ir.config_parameter"].sudo().set_param(YIELD_PARAM, "1")
        self.events(self.line).write({"received_at": fields.Datetime.subtract(fields.Datetime.now(), seconds=5)})
        self.assertFalse(Event._intake_busy())
        self.assertEqual(Event._cron_process(max_batches=1), 12 - YIELD_BATCH - 3, "quiet: the rest at once")
        self.assertEqual(set(self.events(self.line).mapped("state")), {"done"})
        self.assertEqual(len(self.mentions()), 12)

    def test_deliveries_in_a_row_share_one_trigger_of_the_processing_cron(self):
        cron = self.env.ref("social_crm.ir_cron_process_events")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        now = fields.Datetime.now()
        with patch.object(fields.Datetime, "now", lambda *args: now):  # three deliveries within a second
            for i in range(3):
                self.deliver_line(line_text(f"01J00000000000000000000T0{i}", f"775000{i}", reply_token=f"t{i}"))
        self.assertEqual(len(self.events(self.line)), 3)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1, "one trigger, not three")
