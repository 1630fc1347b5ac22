# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form, tagged

from ..connectors.models import Author
from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_relate", "post_install", "-at_install")
class TestRelate(SocialCrmCommon):
    def identity(self, ext_id, **vals):
        return self.env["social_crm.identity"].create({"network": "bluesky", "external_id": ext_id, **vals})

    def test_a_person_links_through_the_wizard(self):
        identity = self.identity("did:w", name="W")
        wizard = Form(
            self.env["social_crm.identity.link"]
            .with_user(self.social_user)
            .with_context(default_identity_ids=identity.ids)
        )
        wizard.partner_id = self.partner
        wizard.save().action_link()
        self.assertEqual(identity.partner_id, self.partner)

    def test_handle_recorded_on_contact_links(self):
        self.partner.social_handles = "@somchai.test, @somchai@mastodon.social"
        identity = self.identity("did:1", handle="somchai.test", name="S.")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertEqual(identity.partner_id, self.partner)
        self.assertEqual(identity.match_reason, "handle")

    def test_email_in_bio_suggests(self):
        identity = self.identity("did:2", bio="Write me: Somchai.Rakdee@Example.co.th or DM")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertFalse(identity.partner_id, "anyone can write an e-mail address in a bio")
        self.assertEqual(identity.suggested_partner_id, self.partner)
        self.assertEqual(identity.match_reason, "email")

    def test_phone_in_bio_suggests(self):
        self.partner.phone = "+66 81 234 5678"
        identity = self.identity("did:3", bio="call 081-234-5678")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertEqual(identity.suggested_partner_id, self.partner)
        self.assertEqual(identity.match_reason, "phone")

    def test_same_name_and_company_domain_suggests(self):
        jane = self.env["res.partner"].create({"name": "Jane Cooper", "email": "jane@cooper-design.com"})
        identity = self.identity("did:4", name="Jane Cooper", bio="Designer at https://www.cooper-design.com")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertEqual(identity.suggested_partner_id, jane)
        self.assertEqual(identity.match_reason, "name_domain")

    def test_same_name_alone_is_only_a_suggestion(self):
        identity = self.identity("did:5", name="Somchai Rakdee")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertFalse(identity.partner_id)
        self.assertEqual(identity.suggested_partner_id, self.partner)
        self.assertIn(identity, self.partner.social_suggested_identity_ids)
        identity.action_confirm_suggestion()
        self.assertEqual(identity.partner_id, self.partner)
        self.assertFalse(identity.suggested_partner_id)

    def test_rejected_suggestion_is_not_made_again(self):
        identity = self.identity("did:6", name="Somchai Rakdee")
        self.env["social_crm.relate"]._link_contacts(identity)
        identity.action_reject_suggestion()
        self.assertIn(self.partner, identity.rejected_partner_ids)
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertFalse(identity.suggested_partner_id)
        self.assertFalse(identity.partner_id)

    def test_threshold_setting_decides_auto_link(self):
        self.env.company.social_crm_match_threshold = 0.99
        self.partner.social_handles = "somchai.test"
        identity = self.identity("did:7", handle="somchai.test")
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertFalse(identity.partner_id, "a typed handle (0.95) is below a 0.99 threshold")
        self.assertEqual(identity.suggested_partner_id, self.partner)

    def test_identities_on_several_networks_end_on_one_contact(self):
        self.partner.social_handles = "somchai.test, @somchai@mastodon.social"
        bsky = self.identity("did:8", handle="somchai.test")
        masto = self.env["social_crm.identity"].create(
            {
                "network": "mastodon",
                "external_id": "42",
                "handle": "somchai@mastodon.social",
                "bio": "also on bluesky; mail somchai.rakdee@example.co.th",
            }
        )
        self.env["social_crm.relate"]._link_contacts(bsky | masto)
        self.assertEqual(bsky.partner_id, self.partner)
        self.assertEqual(masto.partner_id, self.partner)
        self.assertEqual(self.partner.social_identity_ids, bsky | masto)

    def test_feed_authors_are_never_linked_automatically(self):
        self.partner.social_handles = "https://forum.example.com/u/somchai"
        identity = self.identity(
            "https://forum.example.com/u/somchai",
            network="feed",
            name="somchai",
            profile_url="https://forum.example.com/u/somchai",
        )
        self.env["social_crm.relate"]._link_contacts(identity)
        self.assertFalse(identity.partner_id, "a feed says whatever its authors write")
        self.assertEqual(identity.suggested_partner_id, self.partner)

    def test_matching_a_batch_costs_a_handful_of_queries(self):
        def batch(size, offset):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Customer {i}", "email": f"c{i}@example.org", "phone": f"+1 555 010 {i:04d}"}
                    for i in range(offset, offset + size)
                ]
            )
            authors = [
                Author(
                    external_id=f"did:b{i}",
                    handle=f"c{i}.test",
                    name=f"Customer {i}",
                    bio=f"mail c{i}@example.org, tel +1 555 010 {i:04d}",
                )
                for i in range(offset, offset + size)
            ]
            found = self.env["social_crm.relate"]._upsert_identities("bluesky", authors, self.company)
            self.env.flush_all()
            self.env.invalidate_all()
            return partners, self.env["social_crm.identity"].browse([i.id for i in found.values()])

        _partners, small = batch(5, 0)
        with self.assertQueryCount(7):
            self.env["social_crm.relate"]._match(small)
        partners, large = batch(80, 100)
        with self.assertQueryCount(7):
            matches = self.env["social_crm.relate"]._match(large)
        self.assertEqual({p.id for p, _c, _r in matches.values()}, set(partners.ids), "same cost for 80 as for 5")
        self.env["social_crm.relate"]._link_contacts(large)
        self.assertEqual(large.suggested_partner_id, partners, "e-mails and phones in bios only suggest")
        self.assertFalse(large.partner_id)

    def test_ingest_links_known_customers(self):
        mentions = self.ingest(
            [
                self.make_item("at://s/1", "hello", author_id="did:plc:s1", handle="s1.test", name="Somchai Rakdee"),
            ]
        )
        self.assertEqual(mentions.identity_id.suggested_partner_id, self.partner, "name alone suggested at ingest")
        other = self.ingest(
            [
                self.make_item("at://t/1", "hi", author_id="did:plc:t1", handle="t1.test", name="T"),
            ]
        )
        self.assertFalse(other.identity_id.partner_id)

    def test_link_wizard_new_contact_from_mention(self):
        mention = self.ingest(
            [self.make_item("at://n/1", "hello", author_id="did:n", handle="newbie.test", name="Newbie")]
        )
        wizard = Form(
            self.env["social_crm.identity.link"].with_context(active_model="social_crm.mention", active_ids=mention.ids)
        )
        wizard.mode = "new"
        wizard.new_email = "newbie@example.com"
        action = wizard.save().action_link()
        partner = self.env["res.partner"].browse(action["res_id"])
        self.assertEqual(partner.name, "Newbie")
        self.assertEqual(partner.social_handles, "newbie.test")
        self.assertEqual(mention.partner_id, partner)
        self.assertEqual(mention.identity_id.match_reason, "manual")

    def test_threads_group_by_root(self):
        mentions = self.ingest(
            [
                self.make_item("at://r/1", "root"),
                self.make_item("at://r/2", "reply", root_id="at://r/1", parent_id="at://r/1", minutes=1),
                self.make_item("at://x/9", "other conversation", minutes=2),
            ]
        )
        self.assertEqual(len(mentions.thread_id), 2)
        root_thread = mentions.filtered(lambda m: m.external_id == "at://r/1").thread_id
        self.assertEqual(root_thread.mention_count, 2)
        self.assertEqual(root_thread.root_external_id, "at://r/1")

    def test_mastodon_reply_chains_share_a_thread(self):
        first = self.make_item("2001", "root post", root_id="2001")
        self.ingest([first])
        reply = self.make_item("2002", "reply to root", parent_id="2001")
        reply.root_id = None
        deeper = self.make_item("2003", "reply to the reply", parent_id="2002")
        deeper.root_id = None
        mentions = self.ingest([deeper, reply])
        self.assertEqual(set(mentions.mapped("root_external_id")), {"2001"})
        self.assertEqual(mentions.thread_id.root_external_id, "2001")
