# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Contact matching that costs the same with 300 or 300,000 contacts: normalized keys compared through indexes."""

import json
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged

from .common import SocialCrmCommon

# The indexes res.partner's init() adds for contact matching.
MATCHING_INDEXES = {
    "res_partner_social_handle_keys_idx",
    "res_partner_social_phone_key_idx",
    "res_partner_social_mobile_key_idx",
    "res_partner_social_lower_name_idx",
    "res_partner_social_email_domain_idx",
    "res_partner_social_website_trgm_idx",
    "res_partner_social_email_normalized_idx",
}


@tagged("social_crm", "social_crm_relate", "post_install", "-at_install")
class TestMatchingScale(SocialCrmCommon):
    def identity(self, ext_id, **vals):
        return self.env["social_crm.identity"].create({"network": "bluesky", "external_id": ext_id, **vals})

    def test_phone_in_local_format_suggests_thai_and_iranian_contacts(self):
        self.partner.phone = "+66 81 234 5678"
        iranian = self.env["res.partner"].create({"name": "Reza Ahmadi", "mobile": "+98 912 345 6789"})
        thai = self.identity("did:th", bio="สั่งของทักมาได้ โทร 081-234-5678")
        iran_ascii = self.identity("did:fa1", bio="call me 0912 345 6789")
        iran_persian = self.identity("did:fa2", bio="شماره تماس: ۰۹۱۲ ۳۴۵ ۶۷۸۹")
        stranger = self.identity("did:no", bio="โทร 081-234-5679")
        self.env["social_crm.relate"]._link_contacts(thai | iran_ascii | iran_persian | stranger)
        self.assertEqual(thai.suggested_partner_id, self.partner)
        self.assertEqual(thai.match_reason, "phone")
        self.assertEqual(iran_ascii.suggested_partner_id, iranian, "the mobile is compared as well as the phone")
        self.assertEqual(iran_persian.suggested_partner_id, iranian, "Persian digits read as the same number")
        self.assertFalse((thai | iran_ascii | iran_persian).partner_id, "a phone in a bio only suggests")
        self.assertFalse(stranger.suggested_partner_id, "one digit off is another number")

    def test_email_domain_and_name_lookups_keep_their_rules(self):
        shop = self.env["res.partner"].create(
            {"name": "Cooper Design", "is_company": True, "email": "Hello <hello@Cooper-Design.com>"}
        )
        # a website that only contains the domain further down is not the company's
        self.env["res.partner"].create(
            {"name": "Reseller", "is_company": True, "website": "https://shop.example.com/cooper-design.com"}
        )
        identity = self.identity("did:web", name="Someone", bio="we work with https://cooper-design.com")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertEqual(identity.suggested_partner_id, shop, "the company's e-mail domain, case aside")
        self.assertEqual(identity.match_reason, "website")
        # the name is compared case-insensitively, whitespace aside, and only suggests when one contact has it
        spaced = self.identity("did:name", name="  somchai   RAKDEE ")
        self.env["social_crm.relate"]._link_contacts(spaced)
        self.assertEqual(spaced.suggested_partner_id, self.partner)
        self.assertEqual(spaced.match_reason, "name")

    def test_matching_queries_compare_indexed_keys(self):
        """Every lookup of the contacts can be answered from an index: none needs to read the whole table."""
        self.partner.write({"phone": "+66 81 234 5678", "social_handles": "@somchai.test"})
        identities = self.identity(
            "did:all",
            handle="somchai.test",
            name="Somchai Rakdee",
            bio="somchai.rakdee@example.co.th 081-234-5678 https://www.example.co.th",
        ) | self.identity("did:url", handle="other.test", profile_url="https://forum.example.com/u/somchai")
        # Enough other customers for the planner to prefer the selective conditions, as it does with 300,000.
        self.env.cr.execute(
            """
            INSERT INTO res_partner (name, complete_name, email, email_normalized, phone, mobile, website,
                                     social_handles, active, type, is_company, partner_share, company_id)
            SELECT 'Contact ' || n, 'Contact ' || n, 'c' || n || '@mail' || n %% 50 || '.example',
                   'c' || n || '@mail' || n %% 50 || '.example', '+66 8' || lpad(n::text, 8, '0'),
                   '+98 912 ' || lpad(n::text, 7, '0'), 'https://shop' || n || '.example', '@c' || n || '.bsky.social',
                   true, 'contact', false, true, CASE WHEN n %% 2 = 0 THEN %s END
              FROM generate_series(1, 5000) AS n
            """,
            [self.company.id],
        )
        self.env.cr.execute("ANALYZE res_partner")
        self.env.flush_all()
        queries = []
        execute = Cursor.execute

        def record(cr, query, params=None, log_exceptions=True):
            queries.append((query, params))
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", autospec=True, side_effect=record):
            matches = self.env["social_crm.relate"]._match(identities)
        self.assertEqual(matches[identities[0]][0], self.partner)
        used, scans = set(), []
        self.env.cr.execute("SET LOCAL enable_seqscan TO off")  # the plan a table of 300,000 contacts gets
        for query, params in queries:
            sql = query.code if hasattr(query, "code") else query
            params = query.params if hasattr(query, "code") else params
            if "res_partner" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            self.env.cr.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = self.env.cr.fetchone()[0]
            text = json.dumps(plan)
            used |= {index for index in MATCHING_INDEXES if f'"{index}"' in text}
            scans += [sql for node in _nodes(plan[0]["Plan"]) if _full_scan_of_partners(node)]
        self.assertEqual(used, MATCHING_INDEXES)
        self.assertFalse(scans, "a lookup reads every contact")


def _nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _full_scan_of_partners(node):
    if node.get("Relation Name") != "res_partner":
        return False
    if node["Node Type"] == "Seq Scan":
        return True
    # an index walked from end to end only to filter its rows
    return node["Node Type"] in ("Index Scan", "Index Only Scan") and not node.get("Index Cond")
