# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import PARAMETER_DEFAULTS as DEFAULTS
from .selections import RETENTION_PARAM

DEFAULT_RETENTION_DAYS = 365

# Settings stored through ``social_crm.params`` (explicit values, so that off and zero are kept),
# field name -> system parameter.
TYPED_PARAMETERS = {
    "social_crm_nlp_batch_size": "social_crm.nlp_batch_size",
    "social_crm_ticket_reopen_days": "social_crm.ticket_reopen_days",
    "social_crm_match_threshold": "social_crm.match_threshold",
    "social_crm_response_target_hours": "social_crm.response_target_hours",
    "social_crm_weekly_digest": "social_crm.weekly_digest",
    "social_crm_spike_factor": "social_crm.spike_factor",
    "social_crm_spike_min_count": "social_crm.spike_min_count",
    "social_crm_spike_window_minutes": "social_crm.spike_window_minutes",
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    social_crm_everyone_reads = fields.Boolean(
        string="Every employee reads social mentions",
        default=True,
        group="base.group_user",
        implied_group="social_crm.group_social_reader",
        help="On: every internal user reads public mentions, conversations and identities (Social CRM Reader). "
        "Private messages are read by Social CRM Users and Managers only. "
        "Off: only the users given a Social CRM group (Settings > Users) see social data.",
    )

    social_reply_policy = fields.Selection(related="company_id.social_reply_policy", readonly=False)
    social_post_policy = fields.Selection(related="company_id.social_post_policy", readonly=False)

    social_crm_nlp_backend = fields.Selection(
        [("offline", "Offline model (shipped)"), ("transformers", "Transformers model")],
        string="Sentiment backend",
        default="offline",
        config_parameter="social_crm.nlp_backend",
    )
    social_crm_nlp_model = fields.Char(
        string="Transformers model",
        config_parameter="social_crm.nlp_model",
        help="Hugging Face model id or local folder of a sentiment classifier. "
        "Used to re-score mentions in the background when transformers and torch are installed.",
    )
    social_crm_nlp_device = fields.Selection(
        [("auto", "Automatic (GPU when present)"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)")],
        string="Device",
        default="auto",
        config_parameter="social_crm.nlp_device",
    )
    social_crm_nlp_batch_size = fields.Integer(string="Batch size", default=DEFAULTS["social_crm.nlp_batch_size"])
    social_crm_ticket_reopen_days = fields.Integer(
        string="Reopen tickets closed less than (days)",
        default=DEFAULTS["social_crm.ticket_reopen_days"],
    )
    social_crm_match_threshold = fields.Float(
        string="Auto-link confidence",
        default=DEFAULTS["social_crm.match_threshold"],
        help="Identities matching a contact with at least this confidence are linked automatically; "
        "below it, the contact gets a suggestion to confirm.",
    )
    social_crm_response_target_hours = fields.Float(
        string="Response target (hours)",
        default=DEFAULTS["social_crm.response_target_hours"],
        help="The response report counts the share of social tickets answered within this time.",
    )
    social_crm_weekly_digest = fields.Boolean(
        string="Weekly digest",
        default=DEFAULTS["social_crm.weekly_digest"],
        help="Email Social Managers a summary of the week every week.",
    )

    social_crm_spike_factor = fields.Float(
        string="Alert sensitivity",
        default=DEFAULTS["social_crm.spike_factor"],
        help="How far above an account's usual rate (in spreads of its last 7 days) a window must be to raise "
        "an alert. Lower: more alerts.",
    )
    social_crm_spike_min_count = fields.Integer(
        string="Minimum negative mentions",
        default=DEFAULTS["social_crm.spike_min_count"],
        help="A window with fewer negative mentions never raises an alert, however quiet the account.",
    )
    social_crm_spike_window_minutes = fields.Integer(
        string="Alert window (minutes)",
        default=DEFAULTS["social_crm.spike_window_minutes"],
        help="The negative mentions of this last period are compared with the same periods of the last 7 days.",
    )

    def action_social_crm_preview_digest(self):
        """*Preview digest*: the digest as the current manager would receive it, in a dialog."""
        preview = self.env["social_crm.digest.preview"].create({"company_id": self.env.company.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Weekly digest"),
            "res_model": "social_crm.digest.preview",
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_social_crm_send_test_digest(self):
        """*Send me a test*: the digest to the current user's email only, in their language."""
        return self.env["social_crm.digest"].action_send_test()

    @api.constrains("social_crm_nlp_backend", *TYPED_PARAMETERS)
    def _check_social_crm_values(self):
        for settings in self:
            if settings.social_crm_nlp_backend == "transformers" and settings.social_crm_nlp_batch_size < 1:
                raise ValidationError(_("The batch size of the sentiment backend must be at least 1."))
            if settings.social_crm_ticket_reopen_days < 0:
                raise ValidationError(_("Reopen days cannot be negative: 0 never reopens a closed ticket."))
            if not 0 <= settings.social_crm_match_threshold <= 1:
                raise ValidationError(_("The auto-link confidence is between 0 and 1."))
            if settings.social_crm_response_target_hours < 0:
                raise ValidationError(_("The response target cannot be negative."))
            if settings.social_crm_spike_factor <= 0:
                raise ValidationError(_("The alert sensitivity must be above 0."))
            if settings.social_crm_spike_min_count < 1:
                raise ValidationError(_("The minimum count of an alert is at least 1."))
            if not 5 <= settings.social_crm_spike_window_minutes <= 1440:
                raise ValidationError(_("The alert window is between 5 minutes and one day (1440 minutes)."))

    social_crm_retention_limited = fields.Boolean(
        string="Delete old social data",
        help="Off: mentions are kept until someone deletes them. On: mentions older than the period are deleted "
        "every day, except those of tickets still open.",
    )
    social_crm_retention_days = fields.Integer(
        string="Keep mentions for (days)",
        default=DEFAULT_RETENTION_DAYS,
        help="0 keeps nothing: every mention not needed by an open ticket is deleted at the next daily run.",
    )

    @api.constrains("social_crm_retention_days")
    def _check_social_crm_retention_days(self):
        if any(settings.social_crm_retention_days < 0 for settings in self):
            raise ValidationError(_("The retention period of social data cannot be negative."))

    @api.model
    def _social_crm_everyone_reads_groups(self):
        field = self._fields["social_crm_everyone_reads"]
        return self.env.ref(field.group).sudo(), self.env.ref(field.implied_group).sudo()

    @api.model
    def get_values(self):
        res = super().get_values()
        params = self.env["social_crm.params"]
        getters = {"boolean": params.get_bool, "integer": params.get_int, "float": params.get_float}
        for fname, key in TYPED_PARAMETERS.items():
            res[fname] = getters[self._fields[fname].type](key)
        employees, social_users = self._social_crm_everyone_reads_groups()
        res["social_crm_everyone_reads"] = social_users in employees.implied_ids
        days = self.env["social_crm.mention"]._retention_days()
        res["social_crm_retention_limited"] = days is not None
        res["social_crm_retention_days"] = DEFAULT_RETENTION_DAYS if days is None else days
        return res

    def set_values(self):
        res = super().set_values()
        params = self.env["social_crm.params"]
        for fname, key in TYPED_PARAMETERS.items():
            params.set_value(key, self[fname])
        employees, social_users = self._social_crm_everyone_reads_groups()
        if self.social_crm_everyone_reads != (social_users in employees.implied_ids):
            if self.social_crm_everyone_reads:
                employees._apply_group(social_users)
            else:
                employees._remove_group(social_users)
        retention = str(self.social_crm_retention_days) if self.social_crm_retention_limited else False
        config = self.env["ir.config_parameter"].sudo()
        if (config.get_param(RETENTION_PARAM) or False) != retention:
            config.set_param(RETENTION_PARAM, retention)
        return res
