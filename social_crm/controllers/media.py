# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The signed, time-limited links to attachments that networks fetch themselves (``_social_public_url``)."""

import binascii
import hashlib

from odoo import http
from odoo.http import request
from odoo.tools.image import image_process
from odoo.tools.misc import verify_hash_signed

from ..models.selections import MEDIA_SCOPE

PREVIEW_SIZE = (240, 240)  # LINE's previewImageUrl: at most 240 x 240 px, 1 MB


class SocialCrmMedia(http.Controller):
    @http.route(
        ["/social_crm/media/<string:token>", "/social_crm/media/<string:token>/<string:variant>"],
        type="http",
        auth="public",
        methods=["GET", "HEAD"],
        csrf=False,
        save_session=False,
    )
    def media(self, token, variant=None):
        """The file of a valid, unexpired link whose bytes are still those signed; 404 for anything else (the
        same answer for a wrong token, an expired link and a changed file: nothing to probe)."""
        if variant not in (None, "preview") or len(token) > 1000:
            raise request.not_found()
        env = request.env(su=True)
        try:
            values = verify_hash_signed(env, MEDIA_SCOPE, token)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            values = None
        if not isinstance(values, list) or len(values) != 2 or not isinstance(values[0], int):
            raise request.not_found()
        attachment = env["ir.attachment"].browse(values[0]).exists()
        data = attachment.raw if attachment and attachment.checksum == values[1] else None
        # The checksum column is checked against the bytes too: a file rewritten behind the ORM is not served.
        if not data or hashlib.sha1(data).hexdigest() != values[1]:
            raise request.not_found()
        mimetype = attachment.mimetype or "application/octet-stream"
        if variant == "preview":
            if not mimetype.startswith("image/"):
                raise request.not_found()
            data, mimetype = image_process(data, size=PREVIEW_SIZE, output_format="JPEG"), "image/jpeg"
        return request.make_response(
            data,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Length", str(len(data))),
                ("X-Content-Type-Options", "nosniff"),
                ("Content-Security-Policy", "default-src 'none'"),
                ("Cache-Control", "private, no-store"),
            ],
        )
