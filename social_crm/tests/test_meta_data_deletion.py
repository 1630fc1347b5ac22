# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Meta's data-deletion callback, through HTTP as Meta calls it."""

import time
from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged

from ..connectors.signed_request import make_signed_request
from .common import SocialCrmCommon
from .test_privacy import analyzed_as

APP_SECRET = "9d5e0a7c31f4b8e2aa6c"
USER_ID = "122098765432101"  # app-scoped user id


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestMetaDataDeletion(HttpCase, SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.page = cls.env["social_crm.account"].create(
            {
                "name": "Acme Facebook Page",
                "network": "facebook",
                "base_url": "http://127.0.0.1:9",
                "login": "1029384756",
                "token": "page-token",
                "secret": APP_SECRET,
                "state": "connected",
                "team_id": cls.team.id,
            }
        )
        other_company = cls.env["res.company"].create({"name": "Other Acme"})
        cls.other_page = cls.page.copy(
            {"name": "Other company's page", "company_id": other_company.id, "team_id": False}
        )
        cls.other_page.sudo().secret = APP_SECRET

    def setUp(self):
        super().setUp()
        item = self.make_item(
            "1029384756_5550001",
            "Your courier threw my parcel over the fence of 14 Wisteria Lane",
            author_id=USER_ID,
            handle="",
            name="Dorota Wisniewska",
        )
        with analyzed_as("negative", "complaint"):
            self.mention = self.ingest([item], self.page)
        self.identity = self.mention.identity_id
        self.ticket = self.mention.ticket_id
        self.assertTrue(self.ticket)

    def callback(self, signed, account=None):
        key = (account or self.page).sudo().deletion_key
        return self.url_open(f"/social_crm/meta/data_deletion/{key}", data={"signed_request": signed})

    def signed(self, secret=APP_SECRET, user_id=USER_ID, issued_at=None):
        issued_at = int(time.time()) if issued_at is None else issued_at
        payload = {"algorithm": "HMAC-SHA256", "expires": issued_at + 3600, "issued_at": issued_at, "user_id": user_id}
        return make_signed_request(payload, secret)

    def test_signed_request_erases_the_person_and_answers_as_meta_documents(self):
        response = self.callback(self.signed())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        answer = response.json()
        self.assertEqual(set(answer), {"url", "confirmation_code"})
        self.assertTrue(answer["url"].endswith(f"/social_crm/meta/deletion_status/{answer['confirmation_code']}"))

        self.assertTrue(self.identity.erased_at)
        self.assertFalse(self.identity.name)
        self.assertNotIn(USER_ID, self.identity.external_id)
        self.assertNotIn("Wisteria", self.mention.body)
        self.assertTrue(self.ticket.exists())
        self.assertNotIn("Wisteria", self.ticket.description)
        self.assertNotIn("Wisteria", self.ticket.name)
        log = self.env["privacy.log"].search([("execution_details", "ilike", "Meta data-deletion callback")])
        self.assertEqual(len(log), 1)
        self.assertNotIn("Dorota", log.execution_details + (log.records_description or ""))
        notes = self.env["mail.message"].search([("model", "=", "helpdesk.ticket"), ("res_id", "=", self.ticket.id)])
        self.assertTrue(notes.filtered(lambda m: "requested by Meta data-deletion callback" in str(m.body)))
        status = self.url_open(urlsplit(answer["url"]).path)
        self.assertEqual(status.status_code, 200)
        self.assertIn(answer["confirmation_code"], status.text)
        self.assertIn("was erased", status.text)
        for personal in ("Dorota", "Wisniewska", USER_ID, "Wisteria"):
            self.assertNotIn(personal, status.text)

        # Meta may call twice: the second answer still says erased, with a new code.
        again = self.callback(self.signed(issued_at=int(time.time()) - 60)).json()
        self.assertNotEqual(again["confirmation_code"], answer["confirmation_code"])
        self.assertIn("was erased", self.url_open(urlsplit(again["url"]).path).text)

    def test_captured_signed_request_cannot_be_replayed(self):
        """A request seen on the wire, sent again: within the hour it gets the same answer and does nothing
        more; later (or dated ahead) it is refused."""
        Deletion = self.env["social_crm.deletion.request"]
        signed = self.signed()
        first = self.callback(signed).json()
        count = Deletion.search_count([])
        logs = self.env["privacy.log"].search_count([])
        replayed = self.callback(signed)
        self.assertEqual(replayed.status_code, 200)
        self.assertEqual(replayed.json(), first, "Meta retrying gets the same confirmation")
        self.assertEqual(Deletion.search_count([]), count, "and nothing is done twice")
        self.assertEqual(self.env["privacy.log"].search_count([]), logs)

        self.identity.invalidate_recordset()
        other = self.make_item("1029384756_5550002", "again me", author_id="5550777", handle="", name="Jan Kowal")
        with analyzed_as("neutral", "other"):
            jan = self.ingest([other], self.page).identity_id
        now = int(time.time())
        for stale in (
            self.signed(user_id="5550777", issued_at=now - 2 * 3600),  # captured two hours ago
            self.signed(user_id="5550777", issued_at=now + 3600),  # dated ahead
            make_signed_request({"algorithm": "HMAC-SHA256", "user_id": "5550777"}, APP_SECRET),  # undated
        ):
            response = self.callback(stale)
            self.assertEqual(response.status_code, 403)
            self.assertNotIn("confirmation_code", response.text)
        self.assertFalse(jan.erased_at)
        self.assertEqual(jan.name, "Jan Kowal")
        self.assertEqual(Deletion.search_count([]), count)

    def test_forged_signed_request_is_refused_and_changes_nothing(self):
        requests_before = self.env["social_crm.deletion.request"].search_count([])
        for forged in (
            self.signed(secret="not the app secret"),
            self.signed().split(".")[0] + "." + self.signed(user_id="1").split(".")[1],
            "garbage",
            "",
        ):
            response = self.callback(forged)
            self.assertEqual(response.status_code, 403, forged)
            self.assertNotIn("confirmation_code", response.text)
        self.assertFalse(self.identity.erased_at)
        self.assertEqual(self.identity.name, "Dorota Wisniewska")
        self.assertIn("Wisteria", self.mention.body)
        self.assertEqual(self.env["social_crm.deletion.request"].search_count([]), requests_before)

    def test_unknown_key_or_other_network_is_not_found(self):
        self.assertEqual(
            self.url_open("/social_crm/meta/data_deletion/nokey", data={"signed_request": self.signed()}).status_code,
            404,
        )
        self.account.sudo().secret = APP_SECRET  # a Bluesky account has no Meta callback
        self.assertEqual(self.callback(self.signed(), self.account).status_code, 404)
        self.assertFalse(self.identity.erased_at)

    def test_nobody_known_is_done_with_nothing_held(self):
        answer = self.callback(self.signed(user_id="99887766")).json()
        self.assertFalse(self.identity.erased_at)
        status = self.url_open(urlsplit(answer["url"]).path)
        self.assertIn("no social data about you was held", status.text)
        self.assertEqual(self.url_open("/social_crm/meta/deletion_status/0000").status_code, 404)

    def test_callback_url_is_for_system_admins_of_meta_accounts(self):
        self.assertIn(f"/social_crm/meta/data_deletion/{self.page.sudo().deletion_key}", self.page.meta_deletion_url)
        self.assertNotEqual(self.page.sudo().deletion_key, self.other_page.sudo().deletion_key)
        self.assertGreaterEqual(len(self.page.sudo().deletion_key), 32)
        self.assertFalse(self.account.meta_deletion_url)
        manager_view = self.page.with_user(self.social_manager)
        self.assertNotIn("meta_deletion_url", manager_view.fields_get())
        self.assertNotIn("deletion_key", manager_view.fields_get())
        self.assertFalse(self.env["social_crm.deletion.request"].with_user(self.social_user).has_access("read"))
