# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Meta's data-deletion callback and the status page it links to.

Meta posts ``signed_request`` when a person asks it to delete their data for the
app; the signature (HMAC-SHA256 with the account's app secret) is checked in
constant time before anything is done; a bad one gets 403 and changes nothing.
"""

import logging

from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..connectors.signed_request import InvalidSignedRequest, check_issued_at, digest, parse_signed_request
from ..models.selections import META_NETWORKS

_logger = logging.getLogger(__name__)

# Both pages are opened by strangers (Meta's servers, the person who asked): public, never saving a session.
PUBLIC_PAGE = {"type": "http", "auth": "public", "save_session": False}


class MetaDataDeletion(http.Controller):
    @http.route("/social_crm/meta/data_deletion/<string:key>", methods=["POST"], csrf=False, **PUBLIC_PAGE)
    def meta_data_deletion(self, key, **post):
        account = (
            request.env["social_crm.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("deletion_key", "=", key), ("network", "in", META_NETWORKS)], limit=1)
        )
        if not account:
            raise NotFound()
        signed_request = post.get("signed_request")
        try:
            payload = check_issued_at(parse_signed_request(signed_request, account.secret))
        except InvalidSignedRequest as exc:
            _logger.info("social_crm: data-deletion callback for account %s refused: %s", account.id, exc)
            return request.make_json_response({"error": "invalid signed_request"}, status=403)
        # Run as the superuser: the audit names the callback, never the public user.
        Deletion = request.env["social_crm.deletion.request"].with_user(SUPERUSER_ID).sudo()
        fingerprint = digest(signed_request)
        # The same signed_request again (Meta retrying, or a replay within the hour): the same answer,
        # nothing done twice.
        deletion = Deletion.search([("request_digest", "=", fingerprint)], limit=1)
        if not deletion:
            deletion = Deletion._meta_erase(account.with_user(SUPERUSER_ID), payload["user_id"])
            deletion.request_digest = fingerprint
        return request.make_json_response({"url": deletion._status_url(), "confirmation_code": deletion.code})

    @http.route("/social_crm/meta/deletion_status/<string:code>", methods=["GET"], sitemap=False, **PUBLIC_PAGE)
    def meta_deletion_status(self, code):
        deletion = request.env["social_crm.deletion.request"].sudo().search([("code", "=", code)], limit=1)
        env = request.env
        if not deletion:
            title = env._("Unknown confirmation code")
            text = env._("No data deletion request has this confirmation code.")
            status = 404
        else:
            title = env._("Data deletion request %(code)s", code=deletion.code)
            date = deletion.create_date.strftime("%Y-%m-%d %H:%M UTC")
            text = (
                env._("Done on %(date)s: the social data held about you was erased.", date=date)
                if deletion.state == "erased"
                else env._("Done on %(date)s: no social data about you was held.", date=date)
            )
            status = 200
        body = Markup(
            '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>%s</title></head>'
            "<body><h1>%s</h1><p>%s</p></body></html>"
        ) % (escape(title), escape(title), escape(text))
        return request.make_response(str(body), headers=[("Content-Type", "text/html; charset=utf-8")], status=status)
