# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import csv
import io
import json
import zipfile
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.social_crm.connectors.models import Author

from .common import SocialCrmCommon, analyzed

TEXT_TYPES = ("char", "text", "html", "json")
# Every model where the addon stores (or copies) a person's text.
STORED_IN = (
    "social_crm.identity",
    "social_crm.mention",
    "social_crm.thread",
    "social_crm.reply",
    "helpdesk.ticket",
    "res.partner",
    "mail.message",
    "mail.tracking.value",
    "privacy.log",
)


def analyzed_as(sentiment, intent):
    """Every text of the next ingest in English, with this sentiment and intent."""
    return analyzed("en", sentiment, intent)


class PrivacyCase(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.janina = Author(
            external_id="did:plc:janina-k",
            handle="janina.test",
            name="Janina Kowalska",
            profile_url="https://bsky.app/profile/janina.test",
            avatar_url="https://cdn.test/avatars/janina-k.jpg",
            followers=42,
            bio="Barista in Gdansk who collects Moka pots",
        )
        cls.olek = Author(external_id="did:plc:olek", handle="olek.test", name="Olek Nowak", followers=3)
        cls.brand = Author(external_id="did:plc:acme", handle="acme.test", name="Acme")
        cls.janina_texts = [
            "My espresso machine leaked twice this week and nobody answers, refund please",
            "Still waiting for the refund of my leaking espresso machine from Acme",
        ]

    def item(self, ext_id, text, author, root=None, parent=None, minutes=0, is_own=False, extra=None):
        item = self.make_item(ext_id, text, root_id=root, parent_id=parent, minutes=minutes, is_own=is_own)
        item.author = author
        item.url = f"https://bsky.app/profile/{author.handle}/post/{ext_id.rsplit('/', 1)[-1]}"
        if extra is not None:
            item.extra = extra
        return item

    def make_person(self):
        """Janina complains (ticket), the brand answers her by name, Olek quotes her, then she writes again."""
        root = "at://did:plc:janina-k/app.bsky.feed.post/1"
        with analyzed_as("negative", "complaint"):
            first = self.ingest([self.item(root, self.janina_texts[0], self.janina)])
        with analyzed_as("neutral", "other"):
            self.ingest(
                [
                    self.item(
                        "at://did:plc:acme/app.bsky.feed.post/2",
                        "Sorry Janina Kowalska, we are on it",
                        self.brand,
                        root=root,
                        parent=root,
                        minutes=5,
                        is_own=True,
                    ),
                    self.item(
                        "at://did:plc:olek/app.bsky.feed.post/3",
                        "@janina.test same here, mine leaked too",
                        self.olek,
                        root=root,
                        parent=root,
                        minutes=6,
                        extra={"parent": {"uri": root, "author": "did:plc:janina-k"}},
                    ),
                ]
            )
        with analyzed_as("negative", "complaint"):
            self.ingest(
                [
                    self.item(
                        "at://did:plc:janina-k/app.bsky.feed.post/4",
                        self.janina_texts[1],
                        self.janina,
                        root=root,
                        parent=root,
                        minutes=10,
                    )
                ]
            )
            elsewhere = self.ingest(
                [
                    self.item(
                        "at://did:plc:olek/app.bsky.feed.post/9",
                        "@janina.test told me hers leaked too, is it a known fault?",
                        self.olek,
                    )
                ]
            )
        identity = first.identity_id
        self.partner.social_handles = "@janina.test, @jk.elsewhere"
        identity.partner_id = self.partner
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_user)
            .create(
                {
                    "thread_id": first.thread_id.id,
                    "parent_mention_id": first.id,
                    "body": "Hello Janina Kowalska, we",
                }
            )
        )
        reply.body = "Hello Janina Kowalska, we are sending a new machine today"  # tracked in the chatter
        return identity, first.thread_id, first.ticket_id, elsewhere

    def person_strings(self):
        author = self.janina
        return [
            author.handle,
            author.name,
            author.profile_url,
            author.avatar_url,
            author.bio,
            author.external_id,
            "https://bsky.app/profile/janina.test/post/1",
            *self.janina_texts,
            # the start of her first post, as a ticket title or a conversation name shows it
            self.janina_texts[0][:50],
        ]

    def find_strings(self, strings):
        """Every stored text field of the models involved that still holds one of ``strings``."""
        self.env.flush_all()
        found = []
        for model_name in STORED_IN:
            model = self.env[model_name]
            columns = [f for f in model._fields.values() if f.store and f.type in TEXT_TYPES and f.column_type]
            for field in columns:
                self.env.cr.execute(
                    SQL(
                        "SELECT id, %s::text FROM %s WHERE %s::text ILIKE ANY(%s)",
                        SQL.identifier(field.name),
                        SQL.identifier(model._table),
                        SQL.identifier(field.name),
                        [f"%{s}%" for s in strings],
                    )
                )
                found += [(model_name, field.name, row_id, value) for row_id, value in self.env.cr.fetchall()]
        return found


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestErase(PrivacyCase):
    def test_erasure_leaves_none_of_the_person_strings(self):
        identity, thread, ticket, elsewhere = self.make_person()
        self.assertTrue(self.find_strings(self.person_strings()), "the scenario must store her strings first")
        mention_count, thread_count = len(identity.mention_ids), thread.mention_count
        identity.with_user(self.social_manager).action_erase()
        self.assertEqual(self.find_strings(self.person_strings()), [])
        # Tickets and counts stay, with a neutral text; what others wrote stays.
        self.assertTrue(ticket.exists())
        self.assertIn("[erased on request]", ticket.name)
        self.assertIn("[erased on request]", ticket.description)
        self.assertEqual(len(identity.mention_ids), mention_count)
        self.assertEqual(thread.mention_count, thread_count)
        self.assertEqual(identity.mention_ids.mapped("sentiment"), ["negative", "negative"])
        self.assertEqual(set(identity.mention_ids.mapped("body")), {"[erased on request]"})
        olek = thread.mention_ids.filtered(lambda m: m.author_handle == "olek.test")
        self.assertEqual(olek.body, "[erased on request] same here, mine leaked too")
        self.assertIn("[erased on request]", elsewhere.body)
        self.assertEqual(self.partner.social_handles, "@jk.elsewhere")
        self.assertEqual(self.partner.social_handle_keys, "jk.elsewhere", "no copy of the erased handle for matching")
        self.assertFalse(identity.partner_id)
        # Audit: who, when, counts, without the erased data.
        self.assertEqual(identity.erased_by_id, self.social_manager)
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertEqual(log.user_id, self.social_manager)
        self.assertIn("2 mentions", log.execution_details)
        self.assertIn(f"#{identity.id}", log.records_description)
        self.assertIn(self.social_manager.name, ticket.message_ids[:1].body)

    def test_erasure_queries_do_not_grow_with_the_mentions(self):
        def person(key, count):
            author = Author(external_id=f"did:plc:{key}", handle=f"{key}.test", name=f"Person {key}")
            with analyzed_as("positive", "praise"):
                mentions = self.ingest(
                    [
                        self.item(f"at://did:plc:{key}/post/{n}", f"Lovely day number {n} for {key}", author, minutes=n)
                        for n in range(count)
                    ]
                )
            return mentions.identity_id

        warm, few, many = person("warm", 1), person("few", 2), person("many", 12)
        warm.with_user(self.social_manager).action_erase()  # caches filled once
        used = []
        for identity in (few, many):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            identity.with_user(self.social_manager).action_erase()
            self.env.flush_all()
            used.append(self.env.cr.sql_log_count - before)
        self.assertEqual(used[0], used[1], "one query set per erasure, not one per mention or conversation")

    def test_erasure_is_idempotent(self):
        identity, _thread, ticket, _elsewhere = self.make_person()
        identity.with_user(self.social_manager).action_erase()
        self.env.flush_all()
        snapshot = self.find_strings(["[erased on request]"])
        logs = self.env["privacy.log"].search_count([])
        messages = len(ticket.message_ids)
        self.assertEqual(identity.with_user(self.social_manager).action_erase(), 0)
        self.assertEqual(self.find_strings(["[erased on request]"]), snapshot)
        self.assertEqual(self.env["privacy.log"].search_count([]), logs)
        self.assertEqual(len(ticket.message_ids), messages)

    def test_an_erased_post_is_not_imported_again(self):
        identity, thread, _ticket, _elsewhere = self.make_person()
        identity.with_user(self.social_manager).action_erase()
        count = self.env["social_crm.mention"].search_count([])
        root = "at://did:plc:janina-k/app.bsky.feed.post/1"
        self.assertFalse(self.ingest([self.item(root, self.janina_texts[0], self.janina)]))
        self.assertEqual(self.env["social_crm.mention"].search_count([]), count)

    def test_agents_cannot_erase(self):
        identity, _thread, ticket, _elsewhere = self.make_person()
        with self.assertRaises(AccessError):
            identity.with_user(self.social_user).action_erase()
        with self.assertRaises(AccessError):
            identity.with_user(self.social_user).action_open_erase_wizard()
        with self.assertRaises(AccessError):
            self.env["social_crm.erase.wizard"].with_user(self.social_user).create({"identity_ids": identity.ids})
        self.assertEqual(identity.name, "Janina Kowalska")
        self.assertIn("espresso", ticket.description)

    def test_wizard_lists_what_will_be_erased_and_erases(self):
        identity, _thread, ticket, _elsewhere = self.make_person()
        action = self.partner.with_user(self.social_manager).action_open_social_erase_wizard()
        wizard = self.env[action["res_model"]].with_user(self.social_manager).with_context(action["context"]).create({})
        self.assertEqual(wizard.identity_ids, identity)
        self.assertIn("<b>2</b>", wizard.summary)  # two posts
        self.assertIn("tickets are kept", wizard.summary)
        wizard.action_erase()
        self.assertTrue(identity.erased_at)
        self.assertNotIn("espresso", ticket.description)

    def test_post_deleted_on_the_network_is_marked_here(self):
        identity, _thread, ticket, _elsewhere = self.make_person()
        first = identity.mention_ids.sorted("posted_at")[:1]
        marked = self.env["social_crm.mention"]._mark_deleted(self.account, [first.external_id, "at://unknown/1"])
        self.assertEqual(marked, first)
        self.assertTrue(first.deleted_on_network)
        self.assertEqual(first.body, "[deleted by its author]")
        self.assertFalse(first.url)
        self.assertNotIn("leaked twice", ticket.description)
        self.assertNotIn("leaked twice", ticket.name)
        self.assertTrue(ticket.exists())
        self.assertFalse(self.env["social_crm.mention"]._mark_deleted(self.account, [first.external_id]))


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestPrivacyLookup(PrivacyCase):
    def lookup(self, name):
        wizard = self.env["privacy.lookup.wizard"].create({"name": name, "email": "nobody@example.com"})
        wizard.action_lookup()
        return wizard.line_ids.filtered(lambda line: line.res_model == "social_crm.identity")

    def test_lookup_finds_identity_by_handle_name_and_link_and_erases(self):
        identity, _thread, ticket, _elsewhere = self.make_person()
        identity.partner_id = False
        for query in ("janina.test", "@janina.test", "Janina Kowalska", "https://bsky.app/profile/janina.test"):
            self.assertEqual(self.lookup(query).mapped("res_id"), identity.ids, query)
        self.assertFalse(self.lookup("olek"))
        line = self.lookup("@janina.test")
        line.action_unlink()
        self.assertFalse(identity.exists())
        self.assertEqual(self.find_strings(self.person_strings()), [])
        self.assertTrue(ticket.exists())


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestExport(PrivacyCase):
    def read_export(self, action):
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(attachment.datas)))
        data = json.loads(archive.read("social_data.json"))
        tables = {name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode()))) for name in data}
        return data, tables

    def test_export_contains_every_record(self):
        identity, thread, _ticket, _elsewhere = self.make_person()
        for owner in (identity, self.partner):
            data, tables = self.read_export(owner.with_user(self.social_manager).action_export_social_data())
            self.assertEqual([row["id"] for row in data["identities"]], identity.ids)
            olek = thread.mention_ids.filtered(lambda m: m.author_handle == "olek.test")
            self.assertEqual({row["id"] for row in data["mentions"]}, {*(thread.mention_ids - olek).ids, ""})
            self.assertEqual(len(data["mentions"]), len(thread.mention_ids))
            self.assertEqual([row["id"] for row in data["conversations"]], thread.ids)
            self.assertEqual(len(data["replies"]), 1)
            # Hers and the brand's answer to her; Olek's post only as "another participant", nothing of him.
            self.assertEqual(
                {row["body"] for row in tables["mentions"]},
                set((thread.mention_ids - olek).mapped("body")) | {"[another participant]"},
            )
            self.assertNotIn("olek", json.dumps(data).lower())
            self.assertEqual(tables["identities"][0]["handle"], "janina.test")
            self.assertEqual(len(tables["replies"]), 1)

    def test_agents_cannot_export(self):
        identity, _thread, _ticket, _elsewhere = self.make_person()
        with self.assertRaises(AccessError):
            identity.with_user(self.social_user).action_export_social_data()
        with self.assertRaises(AccessError):
            self.partner.with_user(self.social_user).action_export_social_data()


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestRetention(PrivacyCase):
    def setUp(self):
        super().setUp()
        self.env["social_crm.mention"].search([]).unlink()  # demo data has its own dates

    def aged(self, ext_id, days, author, intent="other", sentiment="neutral", minutes=0):
        item = self.item(ext_id, f"post {ext_id}", author)
        item.posted_at = fields.Datetime.now() - timedelta(days=days, minutes=minutes)
        with analyzed_as(sentiment, intent):
            return self.ingest([item])

    def settings(self, limited, days=0):
        self.env["res.config.settings"].create(
            {
                "social_crm_retention_limited": limited,
                "social_crm_retention_days": days,
            }
        ).execute()

    def test_retention_through_settings_and_cron(self):
        contact = Author(external_id="did:plc:kept", handle="kept.test", name="Kept")
        old = self.aged("at://x/old", 60, self.olek)
        old_closed = self.aged("at://x/old-closed", 60, self.janina, "complaint", "negative")
        old_open = self.aged("at://x/old-open", 60, contact, "complaint", "negative")
        recent = self.aged("at://x/recent", 10, contact)
        old_open.identity_id.partner_id = self.partner
        closed_stage = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        closed_ticket = old_closed.ticket_id
        closed_ticket.stage_id = closed_stage
        self.assertTrue(old_open.ticket_id and not old_open.ticket_id.closed)
        old_threads, old_identity = (old | old_closed).thread_id, old.identity_id
        cron = self.env.ref("social_crm.ir_cron_apply_retention")

        self.settings(False, 30)  # off: kept forever
        self.assertFalse(self.env.company.social_crm_retention_limited)
        cron.method_direct_trigger()
        self.assertTrue((old | old_closed).exists())

        self.settings(True, 30)
        self.assertEqual(self.env.company._social_crm_retention_days(), 30, "the company's own period")
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.social_crm_retention_limited)
        self.assertEqual(settings.social_crm_retention_days, 30)
        cron.method_direct_trigger()
        self.assertFalse((old | old_closed).exists())
        self.assertEqual((old_open | recent).exists(), old_open | recent)
        self.assertTrue(closed_ticket.exists(), "tickets are never deleted by retention")
        self.assertFalse(old_threads.exists(), "conversations left empty go")
        self.assertFalse(old_identity.exists(), "identities without mention or contact go")
        self.assertTrue(old_open.identity_id.exists())

    def test_zero_days_keeps_only_what_open_tickets_need(self):
        old_open = self.aged("at://x/open", 1, self.janina, "complaint", "negative")
        today = self.aged("at://x/today", 0, self.olek, minutes=5)
        self.settings(True, 0)
        self.assertEqual(self.env.company._social_crm_retention_days(), 0)
        self.assertEqual(self.env["social_crm.mention"]._cron_apply_retention(), 1)
        self.assertFalse(today.exists())
        self.assertTrue(old_open.exists())

    def test_retention_runs_in_bounded_batches(self):
        mentions = self.env["social_crm.mention"]
        for index in range(5):
            mentions |= self.aged(f"at://x/batch{index}", 90, self.olek)
        self.env.company.write({"social_crm_retention_limited": True, "social_crm_retention_days": 30})
        Mention = self.env["social_crm.mention"]
        self.assertEqual(Mention._cron_apply_retention(batch_size=2), 2)
        self.assertEqual(len(mentions.exists()), 3)
        self.assertEqual(Mention._cron_apply_retention(batch_size=2), 2)
        self.assertEqual(Mention._cron_apply_retention(batch_size=2), 1)
        self.assertEqual(Mention._cron_apply_retention(batch_size=2), 0)
