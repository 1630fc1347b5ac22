# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import APPROVAL_POLICIES

# The Social Managers' values of each company (Settings, and Social CRM > Configuration > Settings).
SOCIAL_CRM_COMPANY_SETTINGS = (
    "social_crm_weekly_digest",
    "social_crm_spike_factor",
    "social_crm_spike_min_count",
    "social_crm_spike_window_minutes",
    "social_crm_ticket_reopen_days",
    "social_crm_match_threshold",
    "social_crm_response_target_hours",
    "social_crm_retention_limited",
    "social_crm_retention_days",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    # The accounts' default (``social_crm.account.reply_policy``/``post_policy`` = "company").
    social_reply_policy = fields.Selection(
        APPROVAL_POLICIES,
        string="Replies",
        default="public",
        required=True,
        help="When an agent's reply waits for a Social Manager's approval, unless the account says otherwise. "
        "Approval when public: answers to private messages are sent at once.",
    )
    social_post_policy = fields.Selection(
        APPROVAL_POLICIES,
        string="Posts",
        default="public",
        required=True,
        help="When an agent's post waits for a Social Manager's approval, unless the account says otherwise "
        "(posts are public: approval when public is always).",
    )

    def _social_own_contact_data(self):
        """What the company publishes about itself, which a public answer may give (the privacy guard allows it):
        its phone and e-mail, its internal users' and its helpdesk teams' addresses and phones."""
        if not self:
            return ()
        self.ensure_one()
        company = self.sudo()
        values = [company.phone, company.mobile, company.email]
        users = (
            self.env["res.users"]
            .sudo()
            .search_fetch([("company_ids", "in", company.ids), ("share", "=", False)], ["email", "phone", "mobile"])
        )
        values += users.mapped("email") + users.mapped("phone") + users.mapped("mobile")
        teams = self.env["helpdesk.ticket.team"].sudo().search([("company_id", "in", [company.id, False])])
        values += [alias for alias in teams.mapped("alias_email") if alias]
        return tuple(value for value in values if value)

    social_crm_weekly_digest = fields.Boolean(
        string="Social CRM weekly digest",
        default=True,
        help="Email this company's Social Managers a summary of the week (Social CRM > Configuration > Settings).",
    )
    social_crm_spike_factor = fields.Float(
        string="Alert sensitivity",
        default=6.0,
        help="How far above an account's usual rate (in spreads of its last 7 days) a window must be to raise "
        "an alert. Lower: more alerts.",
    )
    social_crm_spike_min_count = fields.Integer(
        string="Minimum negative mentions",
        default=5,
        help="A window with fewer negative mentions never raises an alert, however quiet the account.",
    )
    social_crm_spike_window_minutes = fields.Integer(
        string="Alert window (minutes)",
        default=60,
        help="The negative mentions of this last period are compared with the same periods of the last 7 days.",
    )
    social_crm_ticket_reopen_days = fields.Integer(
        string="Reopen tickets closed less than (days)",
        default=7,
        help="A customer writing again in a conversation whose ticket was closed less than this many days ago "
        "reopens it; later, a new ticket starts. 0 never reopens.",
    )
    social_crm_match_threshold = fields.Float(
        string="Auto-link confidence",
        default=0.8,
        help="Identities matching a contact with at least this confidence (0 to 1) are linked automatically; "
        "below it, the contact gets a suggestion to confirm.",
    )
    social_crm_response_target_hours = fields.Float(
        string="Response target (hours)",
        default=4.0,
        help="The response report counts the share of social tickets answered within this time (unless a "
        "service level target of the team and priority says otherwise).",
    )
    social_crm_retention_limited = fields.Boolean(
        string="Delete old social data",
        help="Off: mentions are kept until someone deletes them. On: mentions older than the period are deleted "
        "every day, except those of tickets still open.",
    )
    social_crm_retention_days = fields.Integer(
        string="Keep mentions for (days)",
        default=365,
        help="0 keeps nothing: every mention not needed by an open ticket is deleted at the next daily run.",
    )

    @api.constrains(*SOCIAL_CRM_COMPANY_SETTINGS)
    def _check_social_crm_settings(self):
        """The one check of these values, whichever form writes them."""
        for company in self:
            if company.social_crm_ticket_reopen_days < 0:
                raise ValidationError(_("Reopen days cannot be negative: 0 never reopens a closed ticket."))
            if not 0 <= company.social_crm_match_threshold <= 1:
                raise ValidationError(_("The auto-link confidence is between 0 and 1."))
            if company.social_crm_response_target_hours < 0:
                raise ValidationError(_("The response target cannot be negative."))
            if company.social_crm_spike_factor <= 0:
                raise ValidationError(_("The alert sensitivity must be above 0."))
            if company.social_crm_spike_min_count < 1:
                raise ValidationError(_("The minimum count of an alert is at least 1."))
            if not 5 <= company.social_crm_spike_window_minutes <= 1440:
                raise ValidationError(_("The alert window is between 5 minutes and one day (1440 minutes)."))
            if company.social_crm_retention_days < 0:
                raise ValidationError(_("The retention period of social data cannot be negative."))

    def _social_crm_retention_days(self):
        """Days this company's mentions are kept, or None to keep them forever."""
        self.ensure_one()
        return max(self.social_crm_retention_days, 0) if self.social_crm_retention_limited else None
