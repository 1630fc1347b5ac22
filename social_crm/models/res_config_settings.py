# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import PARAMETER_DEFAULTS as DEFAULTS

# Settings stored through ``social_crm.params`` (explicit values, so that off and zero are kept),
# field name -> system parameter.
TYPED_PARAMETERS = {
    "social_crm_nlp_batch_size": "social_crm.nlp_batch_size",
    "social_crm_weekly_digest": "social_crm.weekly_digest",
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
    social_crm_weekly_digest = fields.Boolean(
        string="Weekly digest",
        default=DEFAULTS["social_crm.weekly_digest"],
        help="Email Social Managers a summary of the week every week.",
    )

    # The current company's values (defined, with their checks, on res.company; also in the managers' settings).
    social_crm_ticket_reopen_days = fields.Integer(related="company_id.social_crm_ticket_reopen_days", readonly=False)
    social_crm_match_threshold = fields.Float(related="company_id.social_crm_match_threshold", readonly=False)
    social_crm_response_target_hours = fields.Float(
        related="company_id.social_crm_response_target_hours", readonly=False
    )
    social_crm_spike_factor = fields.Float(related="company_id.social_crm_spike_factor", readonly=False)
    social_crm_spike_min_count = fields.Integer(related="company_id.social_crm_spike_min_count", readonly=False)
    social_crm_spike_window_minutes = fields.Integer(
        related="company_id.social_crm_spike_window_minutes", readonly=False
    )
    social_crm_retention_limited = fields.Boolean(related="company_id.social_crm_retention_limited", readonly=False)
    social_crm_retention_days = fields.Integer(related="company_id.social_crm_retention_days", readonly=False)

    def action_social_crm_preview_digest(self):
        """*Preview digest*: the digest as the current manager would receive it, in a dialog."""
        return self.env["social_crm.digest"]._preview_action(self.env.company)

    def action_social_crm_send_test_digest(self):
        """*Send me a test*: the digest to the current user's email only, in their language."""
        return self.env["social_crm.digest"].action_send_test()

    @api.constrains("social_crm_nlp_backend", "social_crm_nlp_batch_size")
    def _check_social_crm_values(self):
        for settings in self:
            if settings.social_crm_nlp_backend == "transformers" and settings.social_crm_nlp_batch_size < 1:
                raise ValidationError(_("The batch size of the sentiment backend must be at least 1."))

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
        return res
