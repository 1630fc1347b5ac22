# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""TikTok accounts: the URL prefix verified with TikTok, under which it fetches the pictures of a photo post."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Where Odoo serves the signed links TikTok fetches (``ir.attachment._social_public_url``).
MEDIA_PATH = "/social_crm/media/"


class SocialCrmAccount(models.Model):
    _inherit = "social_crm.account"

    tiktok_url_prefix = fields.Char(
        string="Verified URL prefix",
        help="TikTok publishes pictures only from addresses under a domain or URL prefix the app verified in the "
        "TikTok API for Business portal (e.g. https://odoo.example.com/social_crm/media/). Empty: TikTok posts "
        "are refused before approval.",
    )

    @api.constrains("tiktok_url_prefix")
    def _check_tiktok_url_prefix(self):
        for account in self:
            prefix = (account.tiktok_url_prefix or "").strip()
            if prefix and not prefix.lower().startswith("https://"):
                raise ValidationError(self.env._("The verified URL prefix must start with https://."))

    def _get_client(self):
        client = super()._get_client()
        if self.network == "tiktok":
            client.options["url_prefix"] = (self.sudo().tiktok_url_prefix or "").strip()
        return client

    def _publish_issues(self, post):
        """Why ``post`` cannot go out through this account beyond the network's limits, in words."""
        self.ensure_one()
        if self.network != "tiktok" or not post.image_ids:
            return []
        prefix = (self.tiktok_url_prefix or "").strip()
        if not prefix:
            return [
                self.env._("TikTok needs the URL prefix verified with TikTok on the account (Verified URL prefix).")
            ]
        served = f"{self.get_base_url()}{MEDIA_PATH}"
        if not served.startswith(prefix):
            return [
                self.env._(
                    "TikTok fetches the pictures from %(served)s, outside the verified prefix %(prefix)s: TikTok "
                    "would refuse them (url_ownership_unverified).",
                    served=served,
                    prefix=prefix,
                )
            ]
        return []
