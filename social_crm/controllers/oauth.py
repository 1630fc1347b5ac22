# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one OAuth callback of every network: ``<web.base.url>/social_crm/oauth/callback``."""

import logging

from markupsafe import Markup, escape

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from ..connectors import errors as api_errors

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

PROVIDER_ERRORS = {
    "access_denied": _lt("You (or the network) declined the access: nothing was connected."),
    "invalid_scope": _lt("The network refused the permissions asked for: check the scopes enabled for the app."),
    "unauthorized_client": _lt("The network does not allow this app to connect this way: check the app's settings."),
    "server_error": _lt("The network had an error: try again later."),
    "temporarily_unavailable": _lt("The network is busy: try again later."),
}


class SocialCrmOauth(http.Controller):
    @http.route("/social_crm/oauth/callback", type="http", auth="user", methods=["GET"], readonly=False)
    def callback(self, state=None, code=None, error=None, error_description=None, **_params):
        env = request.env
        attempt, problem = env["social_crm.oauth.state"]._consume(state)
        if not attempt:
            # Unknown, reused, expired or someone else's state: nothing is exchanged, nothing stored.
            _logger.info("social_crm: OAuth callback refused for user %s: %s", env.uid, problem)
            return self._page(env._("Connection refused"), problem, status=400)
        account = attempt.account_id.with_user(env.user).with_context(active_test=False)
        try:
            account._check_manager()
        except AccessError:
            return self._page(env._("Connection refused"), env._("Only Social Managers can connect accounts."), 403)
        if error or not code:
            known = PROVIDER_ERRORS.get(error or "")
            text = str(known) if known else env._("The network did not give access (%(error)s).", error=error)
            if error_description:
                text = f"{text} ({error_description[:300]})"
            account.sudo().write({"last_error": text})
            account.message_post(body=env._("Connect failed: %(reason)s", reason=text))
            return self._back(account)
        try:
            with env.cr.savepoint():
                accounts = account._oauth_finish(attempt, code)
        except (api_errors.SocialApiError, UserError, ValueError) as exc:
            _logger.info("social_crm: OAuth connect of account %s failed: %s", account.id, exc)
            text = account._error_text(exc) if isinstance(exc, api_errors.SocialApiError) else str(exc)
            account.sudo().write({"last_error": text})
            account.message_post(body=env._("Connect failed: %(reason)s", reason=text))
            return self._back(account)
        if len(accounts) > 1:
            account.message_post(
                body=env._(
                    "Connected %(count)s Pages: %(names)s.",
                    count=len(accounts),
                    names=", ".join(accounts.mapped("name")),
                )
            )
        return self._back(account)

    def _back(self, account):
        """Back on the account form, where the chatter and the status say what happened."""
        return request.redirect(f"/odoo/action-social_crm.social_crm_account_action/{account.id}", local=True)

    def _page(self, title, text, status=400):
        body = Markup(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>%s</title></head>"
            "<body><h1>%s</h1><p>%s</p><p><a href='/odoo/action-social_crm.social_crm_account_action'>%s</a></p>"
            "</body></html>"
        ) % (escape(title), escape(title), escape(text), escape(request.env._("Back to the social accounts")))
        return request.make_response(str(body), headers=[("Content-Type", "text/html; charset=utf-8")], status=status)
