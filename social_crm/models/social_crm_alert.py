# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, api, fields, models

from ..tools.text_direction import text_direction

MANAGER_GROUP = "social_crm.group_social_manager"


class SocialCrmAlert(models.Model):
    """A spike of negative mentions on an account: when, how many against what baseline, and which posts."""

    _name = "social_crm.alert"
    _description = "Social CRM Spike Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "alert_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    alert_at = fields.Datetime(string="When", required=True, index=True, readonly=True)
    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    network = fields.Selection(related="account_id.network")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    mention_count = fields.Integer(string="Negative mentions", readonly=True, help="In the alert's window.")
    baseline = fields.Float(string="Usually", digits=(16, 1), readonly=True, help="Average count of a window.")
    threshold = fields.Float(digits=(16, 1), readonly=True, help="The count from which a window is a spike.")
    window_minutes = fields.Integer(string="Window (minutes)", readonly=True)
    mention_ids = fields.Many2many(
        "social_crm.mention",
        "social_crm_alert_mention_rel",
        "alert_id",
        "mention_id",
        string="Mentions",
        readonly=True,
    )

    @api.depends("account_id.name", "mention_count")
    def _compute_name(self):
        for alert in self:
            alert.name = _(
                "%(count)s negative mentions on %(account)s", count=alert.mention_count, account=alert.account_id.name
            )

    @api.model
    def _raise(self, account, result, mentions, when, window_minutes):
        """Store the alert and tell the account's company's Social Managers in their Inbox."""
        alert = (
            self.sudo()
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "alert_at": when,
                    "account_id": account.id,
                    "mention_count": result.count,
                    "baseline": result.baseline_mean,
                    "threshold": result.threshold,
                    "window_minutes": window_minutes,
                    "mention_ids": [(6, 0, mentions.ids)],
                }
            )
        )
        managers = self.env.ref(MANAGER_GROUP).users.filtered(
            lambda user: account.company_id in user.company_ids and not user.share
        )
        alert.message_subscribe(partner_ids=managers.partner_id.ids)
        alert.message_post(
            body=alert._summary_html(),
            partner_ids=managers.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        # One message in their Inbox (the settings and the alerts page promise it), not an activity each.
        return alert

    def _summary(self):
        self.ensure_one()
        return _(
            "Spike of negative mentions on %(account)s: %(count)s in the last %(minutes)s minutes (usually %(mean)s).",
            account=self.account_id.name,
            count=self.mention_count,
            minutes=self.window_minutes,
            mean=self.baseline,
        )

    def _summary_html(self):
        lines = Markup("").join(
            Markup('<li><a href="/odoo/social_crm.mention/%s" dir="%s"><b>%s</b>: %s</a></li>')
            % (
                mention.id,
                text_direction(mention.lang),
                mention.author_name or mention.author_handle or "",
                (mention.body or "")[:280],
            )
            for mention in self.mention_ids
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (self._summary(), lines)

    def action_open_mentions(self):
        """*Open these mentions*: the alert's posts in the mentions list."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action")
        action.update(
            {
                "name": self.name,
                "domain": [("id", "in", self.mention_ids.ids)],
                "context": {"create": False},
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
            }
        )
        return action
