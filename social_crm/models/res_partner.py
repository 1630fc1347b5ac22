# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools.access import checked_sudo
from ..tools.contact_keys import EMAIL_DOMAIN_SQL, HANDLE_KEYS_SQL, PHONE_KEY_SQL, handle_keys

TREND_WEEKS = 12
TREND_MIN_POINTS = 3  # fewer weeks make no trend: the form says there is not enough data yet


def sparkline(points, width=240, height=48):
    """An inline SVG of weekly average sentiment (-1 bottom, +1 top), one dot per week."""
    step = width / max(len(points) - 1, 1)
    coords = [
        (round(i * step, 1), round((1 - (score + 1) / 2) * (height - 8) + 4, 1))
        for i, (_week, score, _count) in enumerate(points)
    ]
    path = " ".join(f"{x},{y}" for x, y in coords)
    dots = Markup("").join(
        Markup('<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s: %s (%s)</title></circle>')
        % (
            x,
            y,
            "#d9534f" if score < -0.2 else "#5cb85c" if score > 0.2 else "#999",
            week.strftime("%Y-%m-%d"),
            round(score, 2),
            count,
        )
        for (x, y), (week, score, count) in zip(coords, points)
    )
    middle = height / 2
    return Markup(
        '<svg class="o_social_crm_trend" width="%s" height="%s" viewBox="-4 0 %s %s" role="img">'
        '<line x1="0" y1="%s" x2="%s" y2="%s" stroke="#ddd" stroke-dasharray="3"/>'
        '<polyline points="%s" fill="none" stroke="#714B67" stroke-width="2"/>%s</svg>'
    ) % (width + 8, height, width + 8, height, middle, width, middle, path, dots)


def _create_gin_index(cr, name, expression, where):
    """A GIN index on res_partner without a pending list (``fastupdate`` off): matching walks it once per key
    of a page, and a pending list (up to 4 MB after a bulk import) would be read again by every walk."""
    if tools.index_exists(cr, name):
        return
    cr.execute(
        SQL(
            "CREATE INDEX %s ON res_partner USING gin (%s) WITH (fastupdate = off) WHERE %s",
            SQL.identifier(name),
            SQL(expression),
            SQL(where),
        )
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    social_identity_ids = fields.One2many("social_crm.identity", "partner_id", string="Social identities")
    social_handles = fields.Char(
        string="Social handles",
        index="trigram",  # erasure looks a person's handles up in these lists
        help="Handles of this contact on social networks, comma separated (e.g. @name.bsky.social, "
        "@name@mastodon.social). Mentions from these handles are linked to the contact.",
    )
    social_handle_keys = fields.Char(
        compute="_compute_social_handle_keys",
        store=True,
        help="The handles and profile links above as contact matching compares them (lowercase, without @, "
        "scheme, www. and trailing slash), space separated.",
    )
    social_suggested_identity_ids = fields.One2many(
        "social_crm.identity", "suggested_partner_id", string="Suggested identities"
    )
    social_mention_ids = fields.One2many("social_crm.mention", "partner_id", string="Social mentions")
    social_mention_count = fields.Integer(compute="_compute_social_stats", string="Mentions")
    social_negative_count = fields.Integer(compute="_compute_social_stats", string="Negative mentions")
    social_sentiment_avg = fields.Float(compute="_compute_social_stats", string="Average sentiment", digits=(3, 2))
    social_sentiment_trend = fields.Html(
        compute="_compute_social_sentiment_trend",
        string="Sentiment trend",
        sanitize=False,
        help="Average sentiment per week over the last 12 weeks, once there are mentions in three weeks.",
    )
    social_recent_mention_ids = fields.Many2many(
        "social_crm.mention", compute="_compute_social_recent_mentions", string="Recent mentions"
    )

    @api.depends("social_handles")
    def _compute_social_handle_keys(self):
        for partner in self:
            partner.social_handle_keys = handle_keys(partner.social_handles) or False

    def init(self):
        """Indexes for the keys contact matching compares (models/social_crm_relate.py), so a page of
        authors costs the same with 300 or 300,000 contacts: the same expressions as the matching query."""
        res = super().init()
        cr = self.env.cr
        _create_gin_index(
            cr, "res_partner_social_handle_keys_idx", f"({HANDLE_KEYS_SQL})", "social_handle_keys IS NOT NULL"
        )
        for column in ("phone", "mobile"):
            tools.create_index(
                cr,
                f"res_partner_social_{column}_key_idx",
                self._table,
                [f"({PHONE_KEY_SQL % column})"],
                where=f"{column} IS NOT NULL",
            )
        tools.create_index(cr, "res_partner_social_lower_name_idx", self._table, ["(lower(name))"])
        # mail's normalized e-mail has no index of its own
        tools.create_index(
            cr,
            "res_partner_social_email_normalized_idx",
            self._table,
            ["email_normalized"],
            where="email_normalized IS NOT NULL",
        )
        tools.create_index(
            cr,
            "res_partner_social_email_domain_idx",
            self._table,
            [f"({EMAIL_DOMAIN_SQL})"],
            where="email_normalized IS NOT NULL",
        )
        if self.env.registry.has_trigram:
            _create_gin_index(cr, "res_partner_social_website_trgm_idx", "website gin_trgm_ops", "website IS NOT NULL")
        return res

    @api.depends("social_mention_ids")
    def _compute_social_stats(self):
        stats = {
            partner: (count, avg)
            for partner, count, avg in self.env["social_crm.mention"]._read_group(
                [("partner_id", "in", self.ids), ("direction", "=", "inbound")],
                ["partner_id"],
                ["__count", "sentiment_score:avg"],
            )
        }
        negatives = dict(
            self.env["social_crm.mention"]._read_group(
                [("partner_id", "in", self.ids), ("direction", "=", "inbound"), ("sentiment", "=", "negative")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            count, avg = stats.get(partner, (0, 0.0))
            partner.social_mention_count = count
            partner.social_sentiment_avg = avg or 0.0
            partner.social_negative_count = negatives.get(partner, 0)

    @api.depends("social_mention_ids")
    def _compute_social_recent_mentions(self):
        Mention = self.env["social_crm.mention"]
        for partner in self:
            partner.social_recent_mention_ids = Mention.search(
                [("partner_id", "=", partner.id)] if partner.id else [("id", "=", False)],
                order="posted_at desc, id desc",
                limit=20,
            )

    def _compute_social_sentiment_trend(self):
        since = fields.Datetime.now() - timedelta(weeks=TREND_WEEKS)
        rows = self.env["social_crm.mention"]._read_group(
            [("partner_id", "in", self.ids), ("direction", "=", "inbound"), ("posted_at", ">=", since)],
            ["partner_id", "posted_at:week"],
            ["sentiment_score:avg", "__count"],
        )
        series = {}
        for partner, week, score, count in rows:
            series.setdefault(partner, []).append((week, score or 0.0, count))
        for partner in self:
            points = sorted(series.get(partner, []))
            partner.social_sentiment_trend = sparkline(points) if len(points) >= TREND_MIN_POINTS else False

    def action_view_social_trend(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action_trend")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_filter_inbound": 1, "graph_groupbys": ["posted_at:week"]}
        return action

    def action_view_social_mentions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_group_by_month": 0}
        return action

    # ------------------------------------------------------------------
    # PERSONAL DATA: thin entry points of the social_crm.privacy service
    # ------------------------------------------------------------------

    def _social_identities_for_privacy(self):
        """The contact's identities the caller may read, in the caller's allowed companies only (a contact shared
        by two companies gives each company its own data)."""
        self.ensure_one()
        self.check_access("read")
        return self.env["social_crm.identity"].search(
            [("partner_id", "=", self.id), ("company_id", "in", self.env.companies.ids)]
        )

    def action_export_social_data(self):
        self.env["social_crm.privacy"]._check_manager()
        identities = self._social_identities_for_privacy()
        return self.env["social_crm.privacy"]._export(checked_sudo(identities, "read"), None, self)

    def action_open_social_erase_wizard(self):
        return self._social_identities_for_privacy().action_open_erase_wizard()
