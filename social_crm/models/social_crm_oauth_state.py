# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets
from datetime import timedelta

from odoo import api, fields, models

from ..connectors.oauth import new_code_verifier

STATE_LIFETIME = timedelta(minutes=10)


class SocialCrmOauthState(models.Model):
    """One started *Connect*: its random ``state`` and PKCE verifier, bound to a user and an account.

    Server-side only (system administrators' ACL; the flow reads it with sudo after checking the
    caller): the verifier never leaves the server, a state is used once and lives 10 minutes.
    """

    _name = "social_crm.oauth.state"
    _description = "Social OAuth Connection Attempt"
    _log_access = True

    state = fields.Char(required=True, index=True, readonly=True)
    code_verifier = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", index=True, readonly=True)
    account_id = fields.Many2one("social_crm.account", required=True, ondelete="cascade", index=True, readonly=True)
    app_id = fields.Many2one("social_crm.oauth.app", required=True, ondelete="cascade", readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)
    used = fields.Boolean(readonly=True)

    _sql_constraints = [("state_uniq", "unique(state)", "A connection attempt with this state already exists.")]

    @api.model
    def _start(self, account, app):
        return self.sudo().create(
            {
                "state": secrets.token_urlsafe(32),
                "code_verifier": new_code_verifier(),
                "user_id": self.env.uid,
                "account_id": account.id,
                "app_id": app.id,
                "expires_at": fields.Datetime.now() + STATE_LIFETIME,
            }
        )

    @api.model
    def _consume(self, state):
        """``(attempt, problem)``: the attempt of ``state`` when this user may finish it now (it is then spent),
        else an empty recordset and a sentence saying why."""
        if not state or not isinstance(state, str) or len(state) > 128:
            return self.browse(), self.env._("The answer of the network carried no valid connection state.")
        self.env.cr.execute("SELECT id FROM social_crm_oauth_state WHERE state = %s FOR UPDATE", [state])
        row = self.env.cr.fetchone()
        attempt = self.sudo().browse(row[0] if row else [])
        if not attempt:
            return attempt, self.env._("This connection attempt is unknown: start again with Connect.")
        if attempt.user_id.id != self.env.uid:
            return self.browse(), self.env._("This connection attempt was started by another user.")
        if attempt.used:
            return self.browse(), self.env._("This connection attempt was already used: start again with Connect.")
        if attempt.expires_at < fields.Datetime.now():
            attempt.used = True
            return self.browse(), self.env._("This connection attempt expired (10 minutes): start again with Connect.")
        attempt.used = True
        return attempt, None

    @api.model
    def _gc(self):
        self.sudo().search([("create_date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
