# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from .common import SocialCrmCommon
from .test_respond import MENTION, analyzed_as


@tagged("social_crm", "social_crm_ingest", "post_install", "-at_install")
class TestIngestBatch(SocialCrmCommon):
    """The page-at-a-time paths: one INSERT for threads and mentions, tickets created as a batch."""

    def test_rows_stored_meanwhile_by_another_worker_are_skipped_not_duplicated(self):
        with analyzed_as(("en", "neutral", "other")):
            first = self.ingest([self.make_item("at://j/1", "hello there")])
        items = [self.make_item("at://j/1", "hello there"), self.make_item("at://j/2", "and again", root_id="at://j/1")]
        # As if the existence check ran before the other worker committed: the INSERT itself must skip the row.
        with (
            patch(f"{MENTION}._unique_new_items", lambda self, account, items: items),
            analyzed_as(("en", "neutral", "other"), ("en", "neutral", "other")),
        ):
            second = self.ingest(items)
        self.assertEqual(second.mapped("external_id"), ["at://j/2"])
        stored = self.env["social_crm.mention"].search([("account_id", "=", self.account.id)])
        self.assertEqual(sorted(stored.mapped("external_id")), ["at://j/1", "at://j/2"])
        self.assertEqual(second.thread_id, first.thread_id)
        self.assertEqual(first.thread_id.mention_ids, stored, "the conversation lists the new row at once")
        self.assertEqual(first.thread_id.mention_count, 2)

    def test_thread_created_meanwhile_by_another_worker_is_reused(self):
        Thread = self.env["social_crm.thread"]
        with analyzed_as(("en", "neutral", "other")):
            first = self.ingest([self.make_item("at://j/1", "hello there")])
        original_search = type(Thread).search_fetch

        def blind_once(self, domain, *args, **kwargs):
            if any(isinstance(term, tuple) and term[0] == "root_external_id" for term in domain) and not blind.used:
                blind.used = True
                return self.browse()  # the other worker's thread is not visible yet
            return original_search(self, domain, *args, **kwargs)

        blind = type("Flag", (), {"used": False})
        with patch.object(type(Thread), "search_fetch", blind_once), analyzed_as(("en", "neutral", "other")):
            reply = self.ingest([self.make_item("at://j/2", "a reply", root_id="at://j/1")])
        self.assertTrue(blind.used)
        self.assertEqual(reply.thread_id, first.thread_id)
        self.assertEqual(Thread.search_count([("account_id", "=", self.account.id)]), 1)

    def test_stored_values_match_the_items(self):
        with analyzed_as(("th", "negative", "complaint")):
            mention = self.ingest([self.make_item("at://s/1", "ของแตก <b>แย่</b> 😡", followers=42)])
        self.assertEqual(mention.body, "ของแตก <b>แย่</b> 😡")
        self.assertEqual(mention.company_id, self.account.company_id)
        self.assertEqual(mention.network, "bluesky")
        self.assertEqual(mention.external_data, {"cid": "cid-" + "at://s/1"[-6:]})
        self.assertEqual(mention.create_uid, self.env.user)
        self.assertTrue(mention.create_date)
        self.assertEqual(
            (mention.lang, mention.sentiment, mention.intent, mention.nlp_state),
            ("th", "negative", "complaint", "fast"),
        )
        self.assertEqual(mention.identity_id.followers, 42)
        self.assertEqual(mention.thread_id.state, "open")
        self.assertEqual(mention.thread_id.company_id, self.account.company_id)

    def test_batch_tickets_are_numbered_and_staged_like_helpdesk_does(self):
        reference = self.env["helpdesk.ticket"].create(
            {
                "name": "by hand",
                "description": "<p>x</p>",
                "team_id": self.team.id,
            }
        )
        with analyzed_as(*[("en", "negative", "complaint")] * 3):
            mentions = self.ingest(
                [self.make_item(f"at://c{n}/1", f"broken {n}", author_id=f"did:plc:c{n}") for n in range(3)]
            )
        tickets = mentions.ticket_id
        self.assertEqual(len(tickets), 3)
        self.assertEqual(set(tickets.stage_id), {reference.stage_id})
        prefix = reference.number.rstrip("0123456789")
        numbers = sorted(int(ticket.number[len(prefix) :]) for ticket in tickets)
        self.assertTrue(all(ticket.number.startswith(prefix) for ticket in tickets))
        self.assertEqual(len({len(ticket.number) for ticket in tickets | reference}), 1, "same padding")
        reference_number = int(reference.number[len(prefix) :])
        self.assertEqual(numbers, [reference_number + 1, reference_number + 2, reference_number + 3])
        self.assertEqual(tickets.social_thread_id.ticket_id, tickets)
        self.assertEqual(set(tickets.social_thread_id.mapped("state")), {"open"})
        for ticket in tickets:
            self.assertEqual(ticket.social_mention_ids, ticket.social_thread_id.mention_ids)

    def test_batch_tickets_store_helpdesks_related_values_at_create(self):
        """The commercial partner and the stage's "unattended" are stored by the INSERT, right, never recomputed."""
        company = self.env["res.partner"].create({"name": "Rakdee Trading", "is_company": True})
        self.partner.parent_id = company
        self.env["social_crm.identity"].create(
            {"network": "bluesky", "external_id": "did:plc:rel", "handle": "rel.test", "partner_id": self.partner.id}
        )
        unattended = self.team._get_applicable_stages()[:1]
        unattended.unattended = True
        self.env.flush_all()
        Ticket = type(self.env["helpdesk.ticket"])
        computed = []
        original = Ticket._compute_field_value

        def spy(records, field):
            computed.append(field.name)
            return original(records, field)

        with patch.object(Ticket, "_compute_field_value", spy), analyzed_as(*[("en", "negative", "complaint")] * 2):
            known, stranger = self.ingest(
                [
                    self.make_item("at://rel/1", "broken", author_id="did:plc:rel"),
                    self.make_item("at://str/1", "broken too", author_id="did:plc:stranger"),
                ]
            )
            self.env.flush_all()
        tickets = known.ticket_id | stranger.ticket_id
        self.assertEqual(len(tickets), 2)
        self.assertFalse({"commercial_partner_id", "unattended"} & set(computed), "given at create, not computed")
        self.env.invalidate_all()
        self.assertEqual(known.ticket_id.commercial_partner_id, company)
        self.assertFalse(stranger.ticket_id.commercial_partner_id)
        self.assertEqual(tickets.mapped("unattended"), [True, True])
        # the same values helpdesk_mgmt computes
        tickets.modified(["partner_id", "stage_id"])
        self.assertEqual(known.ticket_id.commercial_partner_id, company)
        self.assertEqual(tickets.mapped("unattended"), [True, True])

    def test_batch_ticket_descriptions_are_inert_whatever_the_post_says(self):
        """Descriptions are stored as the router composes them (not sanitized again): the text escaped, web links
        only."""
        items = [
            self.make_item("at://x/1", '<img src=x onerror="alert(1)"><script>alert(2)</script>', author_id="did:x1"),
            self.make_item("at://x/2", "see link", author_id="did:x2"),
            self.make_item("at://x/3", "and this", author_id="did:x3"),
            self.make_item("at://x/4", 'l\'article "Zéphyr" & co', author_id="did:x4"),
        ]
        items[1].url = "javascript:alert(3)"
        items[2].url = 'https://example.com/p?a=1&b="><script>alert(4)</script>'
        with analyzed_as(*[("en", "negative", "complaint")] * 4):
            hostile, scripted_link, quoted_link, quotes = self.ingest(items)
        self.env.invalidate_all()
        description = hostile.ticket_id.description
        self.assertNotIn("<img", description)
        self.assertNotIn("<script", description)
        self.assertIn("&lt;script&gt;alert(2)&lt;/script&gt;", description)
        self.assertIn("<a href", description, "a web link is kept")
        self.assertNotIn("javascript:", scripted_link.ticket_id.description)
        self.assertNotIn("<a ", scripted_link.ticket_id.description)
        self.assertIn("see link", scripted_link.ticket_id.description)
        self.assertNotIn("<script", quoted_link.ticket_id.description)
        self.assertIn('href="https://example.com/p?a=1&amp;b=&#34;&gt;', quoted_link.ticket_id.description)
        # the text as Odoo's sanitizer would store it: the quotes as they are, so searches find them
        self.assertIn('<p>l\'article "Zéphyr" &amp; co</p>', quotes.ticket_id.description)
        found = self.env["helpdesk.ticket"].search([("description", "ilike", 'l\'article "Zéphyr"')])
        self.assertEqual(found, quotes.ticket_id)

    def test_ticket_stage_follows_the_rules_team(self):
        stage = self.env["helpdesk.ticket.stage"].create({"name": "Social triage", "sequence": 0})
        vip_team = self.env["helpdesk.ticket.team"].create({"name": "VIP"})
        stage.team_ids = vip_team
        self.env["social_crm.ticket.rule"].create(
            {
                "name": "VIP",
                "sequence": 0,
                "min_followers": 1000,
                "team_id": vip_team.id,
                "priority": "3",
            }
        )
        with analyzed_as(("en", "negative", "complaint"), ("en", "negative", "complaint")):
            vip, other = self.ingest(
                [
                    self.make_item("at://v/1", "broken", author_id="did:plc:v", followers=5000),
                    self.make_item("at://o/1", "broken", author_id="did:plc:o", followers=5),
                ]
            )
        self.assertEqual(
            (vip.ticket_id.team_id, vip.ticket_id.stage_id, vip.ticket_id.priority), (vip_team, stage, "3")
        )
        self.assertEqual(other.ticket_id.team_id, self.team)
        self.assertEqual(other.ticket_id.stage_id, self.team._get_applicable_stages()[:1])

    def test_author_last_activity_moves_forward_only(self):
        with analyzed_as(("en", "neutral", "other"), ("en", "neutral", "other")):
            mentions = self.ingest(
                [
                    self.make_item("at://j/1", "first", minutes=5),
                    self.make_item("at://j/2", "second", minutes=30),
                ]
            )
        identity = mentions.identity_id
        self.assertEqual(len(identity), 1)
        self.assertEqual(identity.last_mention_at, (self.base_time.replace(tzinfo=None) + timedelta(minutes=30)))
        with analyzed_as(("en", "neutral", "other")):
            self.ingest([self.make_item("at://j/0", "an old post found late", minutes=-60)])
        self.assertEqual(identity.last_mention_at, (self.base_time.replace(tzinfo=None) + timedelta(minutes=30)))
        with analyzed_as(("en", "neutral", "other")):
            self.ingest([self.make_item("at://j/3", "newest", minutes=90)])
        self.assertEqual(identity.last_mention_at, (self.base_time.replace(tzinfo=None) + timedelta(minutes=90)))

    def _complaints(self, prefix, count):
        """``count`` complaints by as many new authors (each opens a ticket), analyzed as negative."""
        items = [
            self.make_item(f"at://{prefix}{n}/1", f"<b>broken</b> order {n}", author_id=f"did:plc:{prefix}{n}")
            for n in range(count)
        ]
        return items, analyzed_as(*[("en", "negative", "complaint")] * count)

    def test_a_page_opens_its_tickets_in_queries_that_do_not_grow_with_the_page(self):
        """10 or 30 tickets opened by a page: the same queries (one INSERT each for identities, threads, mentions,
        tickets and creation messages; one UPDATE each for descriptions and links), the chatter still says it;
        only the ticket numbers take one query each (``ir.sequence.next_by_id``: the sequence API has no batch).

        (A team with followers adds Odoo's inbox notification of each creation message: see
        TestAlerts.test_social_ticket_notifies_the_teams_followers.)
        """
        items, analysis = self._complaints("w", 2)
        with analysis:
            self.ingest(items)  # caches (rules, sequences, subtypes) are warm from here on
        self.env.flush_all()
        self.env.invalidate_all()
        items, analysis = self._complaints("s", 10)
        before = self.cr.sql_log_count
        with analysis:
            small = self.ingest(items)
            self.env.flush_all()
        queries = self.cr.sql_log_count - before
        self.env.invalidate_all()
        items, analysis = self._complaints("l", 30)
        with self.assertQueryCount(__system__=queries + 20), analysis:  # 20 more tickets, 20 more numbers
            large = self.ingest(items)
            self.env.flush_all()
        self.assertEqual((len(small.ticket_id), len(large.ticket_id)), (10, 30))
        created = self.env.ref("helpdesk_mgmt.hlp_tck_created")
        for ticket in large.ticket_id:
            self.assertEqual(ticket.social_mention_ids.ticket_id, ticket)
            self.assertIn("&lt;b&gt;broken&lt;/b&gt; order", ticket.description, "the text, escaped, never markup")
            message = ticket.message_ids.filtered(lambda m, s=created: m.subtype_id == s)
            self.assertEqual(len(message), 1, "the chatter says the ticket was created")
        self.assertTrue(all(large.mapped("is_routed")), "claimed for the rules once, at INSERT")
