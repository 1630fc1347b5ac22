# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "social_crm.group_social_manager"


class SocialCrmSettings(models.TransientModel):
    """*Social CRM > Configuration > Settings*: what Social Managers decide for their current company, without
    being system administrators.

    Every value is the company's own (``res.company.social_crm_*``, the same fields as Settings shows): the
    form reads them, and saving writes them on the company once the caller is known to be a Social Manager
    of that company. Secrets, the analysis backend and who reads social data stay in Settings, for system
    administrators.
    """

    _name = "social_crm.settings"
    _description = "Social CRM Managers' Settings"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company, ondelete="cascade"
    )
    weekly_digest = fields.Boolean(related="company_id.social_crm_weekly_digest", readonly=False)
    spike_factor = fields.Float(related="company_id.social_crm_spike_factor", readonly=False)
    spike_min_count = fields.Integer(related="company_id.social_crm_spike_min_count", readonly=False)
    spike_window_minutes = fields.Integer(related="company_id.social_crm_spike_window_minutes", readonly=False)
    ticket_reopen_days = fields.Integer(related="company_id.social_crm_ticket_reopen_days", readonly=False)
    match_threshold = fields.Float(related="company_id.social_crm_match_threshold", readonly=False)
    response_target_hours = fields.Float(related="company_id.social_crm_response_target_hours", readonly=False)
    retention_limited = fields.Boolean(related="company_id.social_crm_retention_limited", readonly=False)
    retention_days = fields.Integer(related="company_id.social_crm_retention_days", readonly=False)

    @api.model
    def _check_manager(self, companies=None):
        companies = companies or self.env.company
        for company in companies:
            if not self.env.user.has_group(MANAGER_GROUP) or company not in self.env.user.company_ids:
                raise AccessError(
                    _("Only the Social CRM Managers of %(company)s change its settings.", company=company.name)
                )

    @api.model
    def default_get(self, fields_list):
        self._check_manager()
        return super().default_get(fields_list)

    @api.model_create_multi
    def create(self, vals_list):
        """The company's values are written on the company (as superuser, once the caller is its manager)."""
        companies = self.env["res.company"].browse(
            [vals.get("company_id") or self.env.company.id for vals in vals_list]
        )
        self._check_manager(companies)
        return super(SocialCrmSettings, self.sudo()).create(vals_list).with_env(self.env)

    def write(self, vals):
        self.check_access("write")
        self._check_manager(self.company_id | self.env["res.company"].browse(vals.get("company_id")))
        return super(SocialCrmSettings, self.sudo()).write(vals)

    def execute(self):
        """*Save*: the form was saved on the company; say so."""
        self.ensure_one()
        self._check_manager(self.company_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("Social CRM settings saved."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_preview_digest(self):
        """*Preview digest*: the digest as the current manager would receive it, in a dialog."""
        self._check_manager(self.company_id)
        return self.env["social_crm.digest"]._preview_action(self.company_id)

    def action_send_test_digest(self):
        """*Send me a test*: the digest to the current user's email only, in their language."""
        return self.env["social_crm.digest"].action_send_test()
