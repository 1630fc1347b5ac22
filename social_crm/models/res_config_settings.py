# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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
    social_crm_nlp_batch_size = fields.Integer(
        string="Batch size", default=32, config_parameter="social_crm.nlp_batch_size"
    )
    social_crm_ticket_reopen_days = fields.Integer(
        string="Reopen tickets closed less than (days)",
        default=7,
        config_parameter="social_crm.ticket_reopen_days",
    )
    social_crm_match_threshold = fields.Float(
        string="Auto-link confidence",
        default=0.8,
        config_parameter="social_crm.match_threshold",
        help="Identities matching a contact with at least this confidence are linked automatically; "
        "below it, the contact gets a suggestion to confirm.",
    )
    social_crm_response_target_hours = fields.Float(
        string="Response target (hours)",
        default=4.0,
        config_parameter="social_crm.response_target_hours",
        help="The response report counts the share of social tickets answered within this time.",
    )
    social_crm_weekly_digest = fields.Boolean(
        string="Weekly digest",
        default=True,
        config_parameter="social_crm.weekly_digest",
        help="Email Social Managers a summary of the week every week.",
    )
