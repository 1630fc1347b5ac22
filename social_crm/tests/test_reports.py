# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestReports(SocialCrmCommon):
    def test_response_report_and_top_voices(self):
        with analyzed_as(("en", "negative", "complaint"), ("en", "negative", "complaint")):
            mentions = self.ingest(
                [
                    self.make_item("at://j/1", "broken", minutes=0),
                    self.make_item("at://j/2", "still broken", minutes=5, root_id="at://j/9"),
                ]
            )
        self.ingest([self.brand_item("at://acme/3", "sorry!", "at://j/1", "at://j/1", minutes=90)])
        ticket = mentions.filtered(lambda m: m.external_id == "at://j/1").ticket_id
        self.env.flush_all()
        row = self.env["social_crm.response.report"].search([("ticket_id", "=", ticket.id)])
        self.assertAlmostEqual(row.first_response_hours, 1.5, places=2)
        self.assertEqual(row.answered_in_target, 100.0)
        self.env.company.social_crm_response_target_hours = 1.0
        self.env.flush_all()
        row.invalidate_recordset()
        self.assertEqual(row.answered_in_target, 0.0, "the target setting applies at once")
        Voice = self.env["social_crm.voice.report"]
        self.assertFalse(Voice.search([("identity_id", "=", mentions.identity_id.id)]), "refreshed by the cron")
        self.assertGreaterEqual(Voice._cron_refresh(), 1)
        voice = Voice.search([("identity_id", "=", mentions.identity_id.id)])
        self.assertEqual(voice.mention_count, 2)
        self.assertEqual(voice.negative_share, 100.0)

    def test_share_of_voice_tags_mentions_at_ingest(self):
        Keyword = self.env["social_crm.keyword"]
        Keyword.create(
            [
                {"name": "Acme", "brand": "Acme", "group": "own"},
                {"name": "Globex", "brand": "Globex", "group": "competitor"},
            ]
        )
        with analyzed_as(("en", "positive", "praise"), ("en", "negative", "complaint"), ("en", "neutral", "other")):
            mentions = self.ingest(
                [
                    self.make_item("at://a/1", "ACME rocks", author_id="a"),
                    self.make_item("at://b/1", "globex broke again, switching to acme", author_id="b"),
                    self.make_item("at://c/1", "nothing relevant", author_id="c"),
                ]
            )
        by_ext = {m.external_id: m for m in mentions}
        self.assertEqual(by_ext["at://a/1"].keyword_ids.mapped("brand"), ["Acme"])
        self.assertEqual(sorted(by_ext["at://b/1"].keyword_ids.mapped("brand")), ["Acme", "Globex"])
        self.assertFalse(by_ext["at://c/1"].keyword_ids)
        groups = dict(
            self.env["social_crm.share.report"]._read_group(
                [("mention_id", "in", mentions.ids)], ["brand"], ["__count"]
            )
        )
        self.assertEqual(groups, {"Acme": 2, "Globex": 1})

    def test_new_keyword_counts_recent_mentions(self):
        with analyzed_as(("en", "negative", "complaint"), ("en", "neutral", "other")):
            mentions = self.ingest(
                [
                    self.make_item("at://k/1", "Initech support never answers", author_id="k1"),
                    self.make_item("at://k/2", "unrelated", author_id="k2"),
                ]
            )
        mentions.write({"posted_at": datetime.now() - timedelta(days=2)})
        keyword = self.env["social_crm.keyword"].create({"name": "initech", "brand": "Initech", "group": "competitor"})
        self.assertEqual(keyword.mention_ids, mentions[0], "terms added later still see the last 30 days")
        self.assertEqual(keyword.mention_count, 1)
        with analyzed_as(("en", "positive", "praise")):
            new = self.ingest([self.make_item("at://k/3", "INITECH fixed it", author_id="k3")])
        self.assertEqual(new.keyword_ids, keyword)

    def test_report_actions_open_for_managers(self):
        for xmlid in (
            "social_crm.social_crm_response_report_action",
            "social_crm.social_crm_voice_report_action",
            "social_crm.social_crm_share_report_action",
            "social_crm.social_crm_mention_action_trend",
            "social_crm.social_crm_keyword_action",
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            Model = self.env[action["res_model"]].with_user(self.social_manager)
            views = Model.get_views([(False, mode) for mode in action["view_mode"].split(",")] + [(False, "search")])
            self.assertIn(action["res_model"], views["models"], xmlid)
            Model.web_search_read([], {"display_name": {}}, limit=10)
        Report = self.env["social_crm.response.report"].with_user(self.social_manager)
        Report._read_group(
            [],
            ["team_id", "user_id"],
            ["first_response_hours:avg", "answered_in_target:avg", "resolution_hours:avg", "ticket_count:sum"],
        )

    def test_contact_sentiment_trend(self):
        with analyzed_as(("en", "negative", "complaint"), ("en", "positive", "praise"), ("en", "neutral", "other")):
            mentions = self.ingest(
                [
                    self.make_item("at://s/1", "bad"),
                    self.make_item("at://s/2", "good", minutes=60 * 24 * 8),
                    self.make_item("at://s/3", "ok", minutes=60 * 24 * 16),
                ]
            )
        for mention, days in zip(mentions, (3, 12, 25)):
            mention.posted_at = datetime.now() - timedelta(days=days)
        mentions.identity_id.partner_id = self.partner
        self.partner.invalidate_recordset()
        trend = str(self.partner.social_sentiment_trend)
        self.assertIn("<svg", trend)
        self.assertEqual(trend.count("<circle"), 3)
        action = self.partner.action_view_social_trend()
        self.assertEqual(self.env["social_crm.mention"].search(action["domain"]), mentions)


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestDashboard(SocialCrmCommon):
    def test_dashboard_charts_read_their_data(self):
        import json

        dashboard = self.env.ref("social_crm.spreadsheet_dashboard_social_crm")
        data = dashboard.with_user(self.social_manager).get_readonly_dashboard()
        snapshot = data["snapshot"] if "snapshot" in data else json.loads(dashboard.spreadsheet_data)
        figures = [f for sheet in snapshot["sheets"] for f in sheet["figures"]]
        charts = [f for f in figures if f["data"]["type"] != "scorecard"]
        self.assertGreaterEqual(len(charts), 8)
        for figure in charts:
            meta = figure["data"]["metaData"]
            Model = self.env[meta["resModel"]].with_user(self.social_manager)
            groupby = meta["groupBy"]
            for spec in groupby:
                self.assertIn(spec.split(":")[0], Model._fields, f"{meta['resModel']}: {spec}")
            measure = meta["measure"]
            aggregates = (
                ["__count"] if measure == "__count" else [f"{measure}:{Model._fields[measure].aggregator or 'sum'}"]
            )
            Model._read_group(figure["data"]["searchParams"]["domain"], groupby, aggregates)

    def test_only_managers_see_the_dashboard(self):
        dashboard = self.env.ref("social_crm.spreadsheet_dashboard_social_crm")
        self.assertIn(self.env.ref("social_crm.group_social_manager"), dashboard.group_ids)
        visible = self.env["spreadsheet.dashboard"].with_user(self.social_user).search([])
        self.assertNotIn(dashboard, visible)

    def test_dashboard_kpi_tiles_and_filters(self):
        """Four KPI tiles (mentions, % negative, open social tickets, median first response) over pivots that
        the Period and Account filters narrow."""
        import json

        dashboard = self.env.ref("social_crm.spreadsheet_dashboard_social_crm")
        snapshot = json.loads(dashboard.spreadsheet_data)
        tiles = [f for sheet in snapshot["sheets"] for f in sheet["figures"] if f["data"]["type"] == "scorecard"]
        self.assertEqual(len(tiles), 4)
        filters = {f["type"]: f["id"] for f in snapshot["globalFilters"]}
        self.assertEqual(set(filters), {"date", "relation"})
        cells = {sheet["name"]: sheet["cells"] for sheet in snapshot["sheets"]}
        for tile in tiles:
            sheet, cell = tile["data"]["keyValue"].split("!")
            self.assertIn(cell, cells[sheet], tile["data"]["title"]["text"])
        mentions = self.first_posts(
            ("k1", "broken", ("en", "negative", "complaint")), ("k2", "nice", ("en", "positive", "praise"))
        )
        open_ticket = mentions.ticket_id
        self.assertEqual(len(open_ticket), 1)
        self.env.flush_all()
        values = {}
        for pivot in snapshot["pivots"].values():
            Model = self.env[pivot["model"]].with_user(self.social_manager)
            [measure] = pivot["measures"]
            spec = measure["fieldName"]
            if spec != "__count":
                spec = f"{spec}:{Model._fields[spec].aggregator}"
            domain = pivot["domain"]
            if pivot["model"] != "helpdesk.ticket":
                domain = domain + [(pivot["fieldMatching"][filters["relation"]]["chain"], "=", self.account.id)]
            [(value,)] = Model._read_group(domain, [], [spec])
            values[pivot["name"]] = value
            self.assertIn(filters["relation"], pivot["fieldMatching"], pivot["name"])
        self.assertEqual(values["Mentions"], 2)
        self.assertEqual(values["Negative mentions"], 1)
        open_count = self.env["helpdesk.ticket"].search_count(
            [("social_thread_id", "!=", False), ("stage_id.closed", "=", False)]
        )
        self.assertEqual(values["Open social tickets"], open_count)
        self.assertGreaterEqual(open_count, 1)
