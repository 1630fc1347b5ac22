# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""End to end on a real Bluesky network on loopback: listen, analyze, relate, ticket, reply.

Runs when tools/bluesky_devnet is installed (scripts/test.sh installs it where
npm is available, and leaves the tag ``social_crm_devnet`` out, loudly, where not).
"""

import importlib.util
import pathlib
import time

from odoo.tests import tagged

from .common import SocialCrmCommon

DEVNET_PY = pathlib.Path(__file__).resolve().parents[2] / "tools" / "bluesky_devnet" / "devnet.py"


def load_devnet():
    spec = importlib.util.spec_from_file_location("social_crm_bluesky_devnet", DEVNET_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_devnet(case):
    """A fresh Bluesky dev network for a test class, stopped when the class ends; missing tools fail loudly."""
    devnet = load_devnet()
    ok, reason = devnet.BlueskyDevnet.available()
    if not ok:
        raise RuntimeError(f"Bluesky devnet missing: {reason}")
    for attempt in range(3):
        try:
            net = devnet.BlueskyDevnet().start()
            break
        except RuntimeError as exc:
            # its ports are picked free and bound a moment later: a browser or a test server may take one first
            if "EADDRINUSE" not in str(exc) or attempt == 2:
                raise
    case.addClassCleanup(net.stop)
    return net


def start_devnet_with_brand(case, customer):
    """start_devnet, the brand's account (acmecare.test) and a customer's on it, and the brand's social account
    in Odoo: sets case.net, case.brand, case.customer and case.live."""
    case.net = start_devnet(case)
    case.brand = case.net.create_account("acmecare.test", "brand-pass")
    case.customer = case.net.create_account(f"{customer}.test", f"{customer}-pass")
    case.live = case.env["social_crm.account"].create(
        {
            "name": "Acme on the devnet",
            "network": "bluesky",
            "base_url": case.net.pds_url,
            "login": "acmecare.test",
            "token": "brand-pass",
            "team_id": case.team.id,
        }
    )


class DevnetCase(SocialCrmCommon):
    """``start_devnet_with_brand`` for the test class, with ``devnet_customer`` as the customer."""

    devnet_customer = "somchai"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_devnet_with_brand(cls, cls.devnet_customer)


@tagged("social_crm", "social_crm_devnet", "post_install", "-at_install")
class TestBlueskyDevnet(DevnetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner.social_handles = "@somchai.test"

    def fetch_until(self, predicate, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.live._fetch_mentions()
            found = predicate()
            if found:
                return found
            time.sleep(0.5)
        self.fail(f"nothing fetched in {timeout}s; account state {self.live.state}: {self.live.last_error}")

    def test_thai_complaint_becomes_a_ticket_and_the_reply_lands_in_the_thread(self):
        self.live.action_test_connection()
        self.assertEqual(self.live.state, "connected")
        self.assertEqual(self.live.own_external_id, self.brand["did"])
        text = "@acmecare.test สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย แย่มาก ช่วยตรวจสอบให้หน่อยครับ"
        post = self.net.post(self.customer, text, mentions=[("acmecare.test", self.brand["did"])])

        mention = self.fetch_until(lambda: self.live.mention_ids.filtered(lambda m: m.external_id == post["uri"]))
        self.assertEqual(mention.body, text)
        self.assertEqual(mention.lang, "th")
        self.assertEqual(mention.intent, "complaint")
        self.assertEqual(mention.sentiment, "negative")
        self.assertEqual(mention.partner_id, self.partner, "the handle on the contact links the author")
        ticket = mention.ticket_id
        self.assertTrue(ticket)
        self.assertEqual(ticket.partner_id, self.partner)
        self.assertEqual(ticket.channel_id, self.env.ref("social_crm.helpdesk_ticket_channel_social"))
        self.assertEqual(ticket.social_lang, "th")

        action = ticket.with_user(self.social_manager).action_social_reply()
        defaults = {key[len("default_") :]: value for key, value in action["context"].items()}
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_manager)
            .create({**defaults, "body": "ขออภัยครับ ทีมงานกำลังตรวจสอบคำสั่งซื้อของคุณ 🙏"})
        )
        reply.action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        self.assertTrue(ticket.social_first_response_at)

        answers = self.net.wait_for(
            lambda: [node["post"] for node in self.net.thread(self.customer, post["uri"])["thread"].get("replies", [])]
        )
        self.assertEqual([a["uri"] for a in answers], [reply.posted_mention_id.external_id])
        self.assertEqual(answers[0]["author"]["did"], self.brand["did"])
        self.assertEqual(answers[0]["record"]["reply"]["root"]["uri"], post["uri"])

        # The brand's own reply comes back on the next fetch as outbound, never a second ticket.
        self.live._fetch_mentions()
        self.assertEqual(self.env["helpdesk.ticket"].search_count([("social_thread_id", "=", mention.thread_id.id)]), 1)
        self.assertEqual(mention.thread_id.state, "answered")
