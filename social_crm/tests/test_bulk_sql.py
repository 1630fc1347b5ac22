# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from markupsafe import Markup

from odoo.tests import tagged

from ..tools.bulk_sql import insert_rows, update_rows
from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_ingest", "post_install", "-at_install")
class TestBulkSql(SocialCrmCommon):
    """tools/bulk_sql.py: one statement per batch, values passed as parameters and converted by their fields."""

    def _thread_vals(self, root, name):
        return {
            "account_id": self.account.id,
            "company_id": self.account.company_id.id,
            "network": self.account.network,
            "root_external_id": root,
            "name": name,
            "state": "new",
            "visibility": "public",
        }

    def test_insert_skips_rows_breaking_the_constraint_and_keeps_values_verbatim(self):
        Thread = self.env["social_crm.thread"]
        hostile = "O'Brien\"); DROP TABLE social_crm_thread; --"
        first = insert_rows(Thread, [self._thread_vals("r1", hostile)], conflict=["account_id", "root_external_id"])
        self.assertEqual(len(first), 1)
        inserted = insert_rows(
            Thread,
            [self._thread_vals("r1", "again"), self._thread_vals("r2", "two")],
            conflict=["account_id", "root_external_id"],
            key="root_external_id",
        )
        self.assertEqual(list(inserted), ["r2"], "the row stored before is skipped, not raised nor duplicated")
        thread = Thread.browse(next(iter(first.values())))
        self.assertEqual(thread.name, hostile)
        self.assertEqual(thread.create_uid, self.env.user)
        self.assertEqual(Thread.search_count([("account_id", "=", self.account.id)]), 2)
        with self.assertRaises(ValueError):
            insert_rows(Thread, [{"can_reply": True}])  # not a stored column

    def test_update_sets_each_rows_value_sanitizes_html_and_keeps_greatest(self):
        Identity = self.env["social_crm.identity"]
        identities = Identity.create(
            [
                {"network": "bluesky", "external_id": "a", "last_mention_at": datetime(2026, 1, 5)},
                {"network": "bluesky", "external_id": "b", "last_mention_at": datetime(2026, 1, 5)},
            ]
        )
        a, b = identities
        updated = update_rows(
            Identity,
            [
                (a.id, {"last_mention_at": datetime(2026, 1, 9), "name": "it's me"}),
                (b.id, {"last_mention_at": datetime(2026, 1, 1), "name": "B"}),
            ],
            ["last_mention_at", "name"],
            keep_greatest=["last_mention_at"],
        )
        self.assertEqual(sorted(updated), sorted(identities.ids))
        self.assertEqual(a.last_mention_at, datetime(2026, 1, 9))
        self.assertEqual(b.last_mention_at, datetime(2026, 1, 5), "an older value does not move it back")
        self.assertEqual((a.name, b.name), ("it's me", "B"), "the caches were invalidated")
        ticket = self.env["helpdesk.ticket"].create({"name": "t", "description": "<p>x</p>", "team_id": self.team.id})
        update_rows(ticket, [(ticket.id, {"description": "<p>hi</p><script>alert(1)</script>"})], ["description"])
        self.assertIn("<p>hi</p>", ticket.description)
        self.assertNotIn("script", ticket.description, "an HTML field is still sanitized")
        # ``escaped``: the caller's own Markup is stored as composed; a plain text is sanitized all the same
        composed = Markup("<p>%s</p>") % "<script>alert(1)</script>"
        update_rows(ticket, [(ticket.id, {"description": composed})], ["description"], escaped=["description"])
        self.assertEqual(ticket.description, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
        update_rows(
            ticket,
            [(ticket.id, {"description": "<b>x</b><script>1</script>"})],
            ["description"],
            escaped=["description"],
        )
        self.assertNotIn("script", ticket.description, "only Markup is taken as composed")
        self.assertEqual(update_rows(Identity, [], ["name"]), [])
