# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from .selections import PREFETCHED_RECIPIENTS

# Context key: {"key": (model, message type, subtype id), "data": {res id: recipient data}}, read by the batch below.


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    def _get_recipient_data(self, records, message_type, subtype_id, pids=None):
        """The followers of a batch of records read in one query by the caller (the ingestion's new tickets,
        whose followers nothing changes meanwhile) instead of one query per record's notification."""
        prefetched = self.env.context.get(PREFETCHED_RECIPIENTS)
        if (
            prefetched
            and not pids
            and len(records) == 1
            and prefetched["key"] == (records._name, message_type, subtype_id)
            and records.id in prefetched["data"]
        ):
            return {records.id: prefetched["data"][records.id]}
        return super()._get_recipient_data(records, message_type, subtype_id, pids=pids)
