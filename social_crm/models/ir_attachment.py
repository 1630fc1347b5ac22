# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

# Writing one of these changes what a post would publish.
CONTENT_FIELDS = ("datas", "raw", "db_datas", "mimetype", "name")


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def write(self, vals):
        """An image of a submitted post that changes sends the post back to draft: what is approved is what is
        published (the post also compares the images' checksums before publishing)."""
        if not any(name in vals for name in CONTENT_FIELDS):
            return super().write(vals)
        posts = (
            self.env["social_crm.post"]
            .sudo()
            .search([("image_ids", "in", self.ids), ("state", "in", ("to_approve", "scheduled", "failed"))])
        )
        res = super().write(vals)
        posts._back_to_draft(
            _("An image of the post changed after it was submitted: it is a draft again and must be submitted again.")
        )
        return res
