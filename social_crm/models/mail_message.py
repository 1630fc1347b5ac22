# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..tools.batch_defaults import cached_default_get


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def default_get(self, fields):
        # Messages created in a batch by the ingestion (tickets' creation messages): defaults computed once.
        return cached_default_get(self, fields, super().default_get)
