# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models
from odoo.tools.misc import hash_sign

from .selections import MEDIA_SCOPE

# Writing one of these changes what a post would publish.
CONTENT_FIELDS = ("datas", "raw", "db_datas", "mimetype", "name")
# The scope of the signed links to attachments that networks fetch themselves (see ``_social_public_url``).


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def write(self, vals):
        """An image of a submitted post, or a file of a submitted reply, that changes sends it back to draft:
        what is approved is what is sent (both also compare the files' checksums before sending)."""
        if not any(name in vals for name in CONTENT_FIELDS):
            return super().write(vals)
        posts = (
            self.env["social_crm.post"]
            .sudo()
            .search([("image_ids", "in", self.ids), ("state", "in", ("to_approve", "scheduled", "failed"))])
        )
        replies = (
            self.env["social_crm.reply"]
            .sudo()
            .search([("attachment_ids", "in", self.ids), ("state", "in", ("to_approve", "failed"))])
        )
        res = super().write(vals)
        posts._back_to_draft(
            _("An image of the post changed after it was submitted: it is a draft again and must be submitted again.")
        )
        replies.filtered(lambda reply: not reply._approval_locked())._back_to_draft(
            _("A file of the reply changed after it was submitted: it is a draft again and must be submitted again.")
        )
        return res

    def _social_public_url(self, hours):
        """A link to this file that a network fetches without logging in (Instagram publishing, LINE and Meta
        answers): signed with the database secret, valid ``hours`` hours, and bound to these bytes (their
        checksum), so a changed file or an expired link serves nothing. No access token is stored on the
        attachment: nothing outlives the link. ``<link>/preview`` serves a JPEG of at most 240 px."""
        self.ensure_one()
        token = hash_sign(self.sudo().env, MEDIA_SCOPE, [self.id, self.checksum or ""], expiration_hours=hours)
        return f"{self.get_base_url()}/social_crm/media/{token}"
