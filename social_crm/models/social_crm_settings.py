# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .selections import RETENTION_PARAM

MANAGER_GROUP = "social_crm.group_social_manager"
DEFAULT_RETENTION_DAYS = 365

# The managers' settings kept as system parameters (one value for the database), field -> parameter.
# Secrets, the analysis backend and who reads social data stay in Settings, for system administrators.
MANAGER_PARAMETERS = {
    "spike_factor": "social_crm.spike_factor",
    "spike_min_count": "social_crm.spike_min_count",
    "spike_window_minutes": "social_crm.spike_window_minutes",
    "ticket_reopen_days": "social_crm.ticket_reopen_days",
    "match_threshold": "social_crm.match_threshold",
    "response_target_hours": "social_crm.response_target_hours",
}


class SocialCrmSettings(models.TransientModel):
    """*Social CRM > Configuration > Settings*: what Social Managers decide, without being system administrators.

    The form reads the current values; *Save* checks the caller is a Social Manager of the company, then
    writes the company's own switches on the company and the shared values as system parameters.
    """

    _name = "social_crm.settings"
    _description = "Social CRM Managers' Settings"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company, ondelete="cascade"
    )
    weekly_digest = fields.Boolean(
        string="Weekly digest",
        help="Email this company's Social Managers the week's volume, sentiment, top issues, response times, "
        "satisfaction and busiest networks every week.",
    )
    spike_factor = fields.Float(
        string="Alert sensitivity",
        help="How far above an account's usual rate (in spreads of its last 7 days) a window must be to raise "
        "an alert. Lower: more alerts.",
    )
    spike_min_count = fields.Integer(
        string="Minimum negative mentions",
        help="A window with fewer negative mentions never raises an alert, however quiet the account.",
    )
    spike_window_minutes = fields.Integer(
        string="Alert window (minutes)",
        help="The negative mentions of this last period are compared with the same periods of the last 7 days.",
    )
    ticket_reopen_days = fields.Integer(
        string="Reopen tickets closed less than (days)",
        help="A customer writing again in a conversation whose ticket was closed less than this many days ago "
        "reopens it; later, a new ticket starts. 0 never reopens.",
    )
    match_threshold = fields.Float(
        string="Auto-link confidence",
        help="Identities matching a contact with at least this confidence (0 to 1) are linked automatically; "
        "below it, the contact gets a suggestion to confirm.",
    )
    response_target_hours = fields.Float(
        string="Response target (hours)",
        help="The response report counts the share of social tickets answered within this time.",
    )
    retention_limited = fields.Boolean(
        string="Delete old social data",
        help="Off: mentions are kept until someone deletes them. On: mentions older than the period are deleted "
        "every day, except those of tickets still open.",
    )
    retention_days = fields.Integer(
        string="Keep mentions for (days)",
        help="0 keeps nothing: every mention not needed by an open ticket is deleted at the next daily run.",
    )

    @api.model
    def _check_manager(self, company=None):
        company = company or self.env.company
        if not self.env.user.has_group(MANAGER_GROUP) or company not in self.env.user.company_ids:
            raise AccessError(
                _("Only the Social CRM Managers of %(company)s change its settings.", company=company.name)
            )

    def _check_shared_values_manager(self, fnames):
        """The alert, matching, reopening, response and retention values apply to every company of the database:
        a Social Manager changes them only where he manages every company (or an administrator does)."""
        user = self.env.user
        companies = self.env["res.company"].sudo().search([])
        if user._is_system() or companies <= user.company_ids:
            return
        labels = ", ".join(self._fields[fname].get_description(self.env)["string"] for fname in fnames)
        raise AccessError(
            _(
                "These settings apply to every company of the database (%(settings)s): only a Social CRM Manager "
                "of every company, or an administrator, changes them.",
                settings=labels,
            )
        )

    @api.model
    def default_get(self, fields_list):
        self._check_manager()
        values = super().default_get(fields_list)
        params = self.env["social_crm.params"]
        getters = {"boolean": params.get_bool, "integer": params.get_int, "float": params.get_float}
        for fname, key in MANAGER_PARAMETERS.items():
            values[fname] = getters[self._fields[fname].type](key)
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        values["weekly_digest"] = company.sudo().social_crm_weekly_digest
        days = self.env["social_crm.mention"]._retention_days()
        values["retention_limited"] = days is not None
        values["retention_days"] = DEFAULT_RETENTION_DAYS if days is None else days
        return {fname: value for fname, value in values.items() if fname in fields_list}

    @api.constrains(*MANAGER_PARAMETERS, "retention_days")
    def _check_values(self):
        for settings in self:
            if settings.ticket_reopen_days < 0:
                raise ValidationError(_("Reopen days cannot be negative: 0 never reopens a closed ticket."))
            if not 0 <= settings.match_threshold <= 1:
                raise ValidationError(_("The auto-link confidence is between 0 and 1."))
            if settings.response_target_hours < 0:
                raise ValidationError(_("The response target cannot be negative."))
            if settings.spike_factor <= 0:
                raise ValidationError(_("The alert sensitivity must be above 0."))
            if settings.spike_min_count < 1:
                raise ValidationError(_("The minimum count of an alert is at least 1."))
            if not 5 <= settings.spike_window_minutes <= 1440:
                raise ValidationError(_("The alert window is between 5 minutes and one day (1440 minutes)."))
            if settings.retention_days < 0:
                raise ValidationError(_("The retention period of social data cannot be negative."))

    def execute(self):
        """*Save*: the company's switch on the company, the shared values as system parameters."""
        self.ensure_one()
        self._check_manager(self.company_id)
        stored = self.default_get(list(MANAGER_PARAMETERS) + ["retention_limited", "retention_days"])
        retention = str(self.retention_days) if self.retention_limited else False
        changed = [fname for fname in MANAGER_PARAMETERS if self[fname] != stored[fname]]
        if retention != (str(stored["retention_days"]) if stored["retention_limited"] else False):
            changed.append("retention_days")
        if changed:
            self._check_shared_values_manager(changed)
        params = self.env["social_crm.params"]
        for fname in changed:
            if fname in MANAGER_PARAMETERS:
                params.set_value(MANAGER_PARAMETERS[fname], self[fname])
        if self.company_id.sudo().social_crm_weekly_digest != self.weekly_digest:
            self.company_id.sudo().social_crm_weekly_digest = self.weekly_digest
        config = self.env["ir.config_parameter"].sudo()
        if (config.get_param(RETENTION_PARAM) or False) != retention:
            config.set_param(RETENTION_PARAM, retention)
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
        preview = self.env["social_crm.digest.preview"].create({"company_id": self.company_id.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Weekly digest"),
            "res_model": "social_crm.digest.preview",
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_send_test_digest(self):
        """*Send me a test*: the digest to the current user's email only, in their language."""
        return self.env["social_crm.digest"].action_send_test()
