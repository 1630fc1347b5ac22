# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 11, point 6: what strangers write on their profile never links them to a contact.

Only evidence the company controls (a handle or profile link typed on the
contact by an employee) links automatically; everything else is a suggestion
a person confirms, and internal users' contacts are never matched.
"""

from datetime import timedelta

from odoo.tests import tagged

from ..connectors.models import Author, Item
from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_trust", "post_install", "-at_install")
class TestTrustContacts(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Whatever the threshold, attacker-controlled signals must not link.
        cls.env["res.company"].search([]).social_crm_match_threshold = 0.0
        cls.admin_partner = cls.env.ref("base.user_admin").partner_id
        cls.admin_partner.email = "boss@acme-corp.example"
        cls.portal_user = cls.new_user(
            "portal_customer", "base.group_portal", name="Pat Portal", email="pat.portal@example.org"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})

    def post_from(self, ext_id, **author):
        author.setdefault("external_id", f"did:plc:{ext_id}")
        item = Item(
            external_id=f"at://{ext_id}/1",
            author=Author(**author),
            text="hello",
            posted_at=self.base_time + timedelta(minutes=len(ext_id)),
        )
        return self.ingest([item])

    def test_impostor_with_the_admin_email_in_the_bio_is_not_matched(self):
        mention = self.post_from(
            "fake-admin", handle="boss.test", name="Administrator", bio="Reach me at boss@acme-corp.example"
        )
        identity = mention.identity_id
        self.assertFalse(identity.partner_id)
        self.assertFalse(identity.suggested_partner_id, "internal users' contacts are never offered")
        self.assertFalse(mention.partner_id)

    def test_impostor_with_a_portal_customer_email_is_only_suggested(self):
        mention = self.post_from("fake-pat", handle="pat.test", name="Pat", bio="pat.portal@example.org")
        identity = mention.identity_id
        self.assertFalse(identity.partner_id, "a portal customer's portal would show the impostor's ticket")
        self.assertEqual(identity.suggested_partner_id, self.portal_user.partner_id)
        self.assertFalse(mention.partner_id)

    def test_customer_email_phone_or_name_in_profile_is_only_suggested(self):
        self.partner.phone = "+66 81 234 5678"
        for ext_id, author in (
            ("e", {"bio": "mail somchai.rakdee@example.co.th"}),
            ("p", {"bio": "tel 081-234-5678"}),
            ("n", {"name": "Somchai Rakdee"}),
            ("d", {"name": "Somchai Rakdee", "bio": "https://www.example.co.th"}),
        ):
            identity = self.post_from(ext_id, handle=f"{ext_id}.test", **author).identity_id
            self.assertFalse(identity.partner_id, ext_id)
            self.assertEqual(identity.suggested_partner_id, self.partner, ext_id)

    def test_handle_linked_on_another_network_is_only_suggested(self):
        """Anyone can register a customer's handle on another network."""
        self.env["social_crm.identity"].create(
            {
                "network": "mastodon",
                "external_id": "77",
                "handle": "vip.customer",
                "partner_id": self.partner.id,
            }
        )
        identity = self.post_from("copycat", handle="vip.customer", name="VIP").identity_id
        self.assertFalse(identity.partner_id)
        self.assertEqual(identity.suggested_partner_id, self.partner)
        self.assertEqual(identity.match_reason, "linked_handle")

    def test_handle_typed_on_the_contact_links(self):
        self.partner.social_handles = "@somchai.test"
        identity = self.post_from("real", handle="somchai.test", name="S.").identity_id
        self.assertEqual(identity.partner_id, self.partner)
        self.assertEqual(identity.match_reason, "handle")

    def test_profile_link_typed_on_the_contact_links(self):
        self.partner.social_handles = "https://bsky.app/profile/somchai.test"
        identity = self.post_from(
            "url", handle="other.name", profile_url="https://bsky.app/profile/somchai.test", name="S."
        ).identity_id
        self.assertEqual(identity.partner_id, self.partner)

    def test_handle_typed_on_a_user_contact_does_not_link(self):
        self.admin_partner.social_handles = "@boss.test"
        self.portal_user.partner_id.social_handles = "@pat.test"
        boss = self.post_from("boss", handle="boss.test").identity_id
        pat = self.post_from("pat", handle="pat.test").identity_id
        self.assertFalse(boss.partner_id | boss.suggested_partner_id)
        self.assertFalse(pat.partner_id)

    def test_threshold_above_a_typed_handle_only_suggests(self):
        self.env.company.social_crm_match_threshold = 1.0
        self.partner.social_handles = "somchai.test"
        identity = self.post_from("strict", handle="somchai.test").identity_id
        self.assertFalse(identity.partner_id)
        self.assertEqual(identity.suggested_partner_id, self.partner)

    def test_another_company_contact_is_never_suggested(self):
        self.env["res.partner"].create(
            {
                "name": "Only B",
                "email": "only.b@example.org",
                "social_handles": "onlyb.test",
                "company_id": self.company_b.id,
            }
        )
        identity = self.post_from("b", handle="onlyb.test", name="Only B", bio="only.b@example.org").identity_id
        self.assertFalse(identity.partner_id)
        self.assertFalse(identity.suggested_partner_id)
