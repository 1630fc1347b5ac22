# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Accounts connected with OAuth 2.0: Connect / Reconnect, tokens refreshed before they expire."""

import logging
import time
from datetime import datetime, timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..connectors import errors as api_errors
from ..connectors import oauth

_logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=1)  # refresh when the access token expires within this
REMIND_BEFORE = timedelta(days=7)  # tokens that cannot be refreshed: tell the managers this long before
INSTAGRAM_REFRESH_BEFORE = timedelta(days=30)  # Instagram long-lived tokens: refreshed when this close to expiry
LOCK_ATTEMPTS = 5


class SocialCrmAccount(models.Model):
    _inherit = "social_crm.account"

    refresh_token = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The OAuth refresh token. Only system administrators can read it.",
    )
    token_expires_at = fields.Datetime(string="Token expires at", readonly=True, copy=False)
    connected_since = fields.Datetime(readonly=True, copy=False, help="When the token was last verified by Connect.")
    last_refresh_at = fields.Datetime(string="Last refresh", readonly=True, copy=False)
    oauth_app_id = fields.Many2one(
        "social_crm.oauth.app", string="OAuth app", readonly=True, copy=False, index="btree_not_null"
    )
    can_oauth = fields.Boolean(compute="_compute_can_oauth")
    insecure_base_url = fields.Boolean(
        compute="_compute_can_oauth",
        help="web.base.url is not https: LINE, Meta and most OAuth providers refuse plain http addresses.",
    )
    expiry_reminded_for = fields.Datetime(readonly=True, copy=False)

    @api.depends("network")
    def _compute_can_oauth(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        insecure = not base.startswith("https://")
        for account in self:
            account.can_oauth = account.network in oauth.PROFILES
            account.insecure_base_url = insecure and (account.can_oauth or account.receives_messages)

    # ------------------------------------------------------------------
    # CONNECT
    # ------------------------------------------------------------------

    def _oauth_app(self):
        """The app registration this account connects with: its company's, else one shared by every company."""
        self.ensure_one()
        domain = [("network", "=", self.network), ("company_id", "in", [self.company_id.id, False])]
        if self.network == "mastodon":
            domain.append(("instance_url", "=", self._instance_url()))
        return self.env["social_crm.oauth.app"].sudo().search(domain, order="company_id nulls last, id", limit=1)

    def _instance_url(self):
        return (self.base_url or "https://mastodon.social").rstrip("/")

    def action_connect(self):
        """Open the network's consent page (authorization code + PKCE S256, single-use state)."""
        self.ensure_one()
        self._check_manager()
        if self.network not in oauth.PROFILES:
            raise UserError(
                self.env._(
                    "%(network)s does not connect with OAuth: fill in the credentials from its console and press "
                    "Test connection.",
                    network=self._network_label(),
                )
            )
        app = self._oauth_app()
        if not app and self.network == "mastodon":
            app = self._oauth_register_mastodon()
        if not app or not app.client_id or not app.sudo().client_secret:
            raise UserError(
                self.env._(
                    "No app is registered for %(network)s: a system administrator adds it under Social CRM, "
                    "Configuration, OAuth apps (client id and secret from the network's developer console).",
                    network=self._network_label(),
                )
            )
        attempt = self.env["social_crm.oauth.state"]._start(self, app)
        url = self._oauth_client(app).authorization_url(attempt.state, attempt.code_verifier)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def action_reconnect(self):
        return self.action_connect()

    def _oauth_register_mastodon(self):
        """Register this Odoo on the account's Mastodon instance (``POST /api/v1/apps``): no console step."""
        instance = self._instance_url()
        app_model = self.env["social_crm.oauth.app"].sudo()
        try:
            client_id, client_secret = oauth.register_mastodon_app(
                instance, app_model._callback_url(), allowed_hosts=self._allowed_hosts()
            )
        except api_errors.SocialApiError as exc:
            raise UserError(
                self.env._("Mastodon did not register the app: %(error)s", error=self._error_text(exc))
            ) from exc
        return app_model.create(
            {
                "network": "mastodon",
                "instance_url": instance,
                "authorize_url": instance + "/oauth/authorize",
                "token_url": instance + "/oauth/token",
                "client_id": client_id,
                "client_secret": client_secret,
                "company_id": self.company_id.id,
            }
        )

    def _oauth_client(self, app):
        app = app.sudo()
        return oauth.OAuthClient(
            self.network,
            app.client_id,
            app.client_secret,
            app._callback_url(),
            authorize_url=app.authorize_url or None,
            token_url=app.token_url or None,
            allowed_hosts=self._allowed_hosts(),
            instance_url=app.instance_url or None,
        )

    def _oauth_finish(self, attempt, code):
        """Exchange the code, store the tokens, verify them against the network. Returns the connected accounts."""
        self.ensure_one()
        client = self._oauth_client(attempt.app_id)
        token = client.exchange_code(code, attempt.code_verifier)
        if client.profile.long_lived:
            token = client.long_lived(token, graph_url=self._graph_url())
        if self.network == "facebook":
            return self._oauth_finish_facebook(client, token, attempt.app_id)
        vals = {}
        if self.network == "instagram":
            # Instagram Login tokens talk to graph.instagram.com, with the professional account's user id
            user_id = str(token.raw.get("user_id") or "")
            if user_id and user_id != (self.login or ""):
                vals["login"] = user_id
            if not self.base_url or "graph.facebook.com" in self.base_url:
                vals["base_url"] = client.profile.api_base_url
        if self.network == "tiktok":
            # the authorization's open_id is the business_id every TikTok call names
            business_id = str(token.raw.get("open_id") or "")
            if business_id and business_id != (self.login or ""):
                vals["login"] = business_id
        elif self.network == "threads":
            # the code exchange answers the Threads user id the token belongs to
            user_id = str(token.raw.get("user_id") or "")
            if user_id and user_id != (self.login or ""):
                vals["login"] = user_id
        self._oauth_store(token, attempt.app_id, vals)
        return self

    def _graph_url(self):
        """Where Meta's token steps go: the vendor's Graph host, or the account's own (a private or test server)."""
        vendor = ("graph.facebook.com", "graph.instagram.com", "graph.threads.net")
        if self.base_url and not any(host in self.base_url for host in vendor):
            return self.base_url.rstrip("/")
        return {"instagram": oauth.IG_GRAPH, "threads": oauth.THREADS_GRAPH}.get(self.network, oauth.FB_GRAPH)

    def _oauth_finish_facebook(self, client, user_token, app):
        """One account per Page the user manages, each with its own Page token (Messenger uses it too)."""
        pages = client.facebook_pages(user_token.access_token, graph_url=self._graph_url())
        if not pages:
            raise api_errors.ApiError(
                self.env._("Facebook gave no Page: choose at least one Page on the consent screen."), "facebook"
            )
        mine = next((page for page in pages if page["id"] == (self.login or "")), pages[0])
        accounts = self
        self._oauth_store(oauth.Token(access_token=mine["token"]), app, {"login": mine["id"]})
        Account = self.sudo().with_context(active_test=False)
        existing = Account.search(
            [
                ("network", "=", "facebook"),
                ("company_id", "=", self.company_id.id),
                ("login", "in", [p["id"] for p in pages]),
            ]
        )
        by_login = {account.login: account for account in existing}
        # The Pages of one consent are served by one Meta app: they share its secret (webhook signatures).
        secret = self.sudo().secret
        for page in pages:
            if page is mine:
                continue
            account = by_login.get(page["id"])
            if not account:
                account = Account.create(
                    {
                        "name": self.env._("%(page)s on Facebook", page=page["name"]),
                        "network": "facebook",
                        "base_url": self.base_url,
                        "login": page["id"],
                        "company_id": self.company_id.id,
                        "team_id": self.team_id.id,
                        "secret": secret,
                    }
                )
            account._oauth_store(
                oauth.Token(access_token=page["token"]),
                app,
                {} if account.sudo().secret or not secret else {"secret": secret},
            )
            accounts |= account
        return accounts

    def _oauth_store(self, token, app, vals):
        """Save a new connection after verifying the token with the network's own profile call."""
        account = self.sudo()
        if any(name in vals and vals[name] != (account[name] or False) for name in ("login", "base_url")):
            # the admin's own consent moved the account: keep the app secret (webhooks) entered for it
            vals = {**vals, "secret": account.secret}
        account.write(
            {
                **vals,
                "token": token.access_token,
                "refresh_token": token.refresh_token or False,
                "token_expires_at": _from_epoch(token.expires_at),
                "oauth_app_id": app.id,
            }
        )
        author = account.with_context(social_crm_no_refresh=True)._get_client().verify()
        now = fields.Datetime.now()
        account.write(
            {
                "state": "connected",
                "connected_since": now,
                "last_refresh_at": False,
                "last_error": False,
                "own_external_id": author.external_id,
                "own_handle": author.handle or author.name,
                "expiry_reminded_for": False,
            }
        )
        account.message_post(
            body=self.env._(
                "Connected with %(network)s as %(who)s.",
                network=self._network_label(),
                who=author.handle or author.name,
            )
        )
        warning = account.with_context(social_crm_no_refresh=True)._subscribe_webhooks()  # Page comments in seconds
        if warning:
            account.message_post(body=warning)

    # ------------------------------------------------------------------
    # REFRESH
    # ------------------------------------------------------------------

    def _get_client(self):
        """Every client gets a fresh access token; a 401 refreshes once more (under the row lock)."""
        self.ensure_one()
        account = self.sudo()
        fresh = None
        refreshable = not self.env.context.get("social_crm_no_refresh") and account.state != "reconnect"
        if refreshable and account.refresh_token and account.token_expires_at:
            if account.token_expires_at - fields.Datetime.now() <= REFRESH_MARGIN:
                fresh = self._oauth_refresh()
        client = super()._get_client()
        if fresh:
            # the token committed by the refresh (this transaction's snapshot may still show the old one)
            client.set_token(fresh)
        if refreshable and account.refresh_token:
            client.on_unauthorized = lambda stale=client.token: self._oauth_refresh(stale_token=stale)
        return client

    def _oauth_refresh(self, stale_token=None):
        """A valid access token, refreshed at most once across workers.

        In a cursor of its own: lock the account row (``FOR UPDATE``), re-read the pair, refresh only if
        it is still due (expiring within a minute, or still the ``stale_token`` a 401 refused), and commit
        the new pair before anyone uses it: a rotating refresh token is spent exactly once, and a crash of
        the caller's transaction later cannot lose it. ``invalid_grant`` sets *Reconnect needed* and tells
        the managers and raises ``GrantRevoked`` (never tried again until someone reconnects); any other
        failure raises its typed error, for the caller to record.
        """
        self.ensure_one()
        for attempt in range(LOCK_ATTEMPTS):
            try:
                with self.env.registry.cursor() as cr:
                    result, error = self.with_env(self.env(cr=cr, su=True))._oauth_refresh_locked(stale_token)
                break
            except psycopg2.errors.SerializationFailure:
                # another worker committed a new pair after this cursor's snapshot: read it again
                time.sleep(0.05 * (attempt + 1))
        else:
            raise api_errors.ConnectionFailed(
                self.env._("The account is being refreshed by another worker; the next run tries again."),
                self.network,
            )
        self.invalidate_recordset(
            ["token", "refresh_token", "token_expires_at", "last_refresh_at", "state", "last_error"]
        )
        if error:
            raise error
        return result

    def _oauth_refresh_locked(self, stale_token):
        cr = self.env.cr
        cr.execute(
            """SELECT token, refresh_token, token_expires_at, state, oauth_app_id
                 FROM social_crm_account WHERE id = %s FOR UPDATE""",
            [self.id],
        )
        row = cr.fetchone()
        if not row:
            return None, None
        token, refresh_token, expires_at, state, app_id = row
        if state == "reconnect":
            return None, api_errors.GrantRevoked(
                self.env._("The connection ended: a manager must press Reconnect."), self.network
            )
        if not refresh_token:
            return None, None
        still_valid = expires_at is None or expires_at - fields.Datetime.now() > REFRESH_MARGIN
        if still_valid and (stale_token is None or token != stale_token):
            return token, None  # another worker refreshed it meanwhile
        app = self.env["social_crm.oauth.app"].browse(app_id).exists() or self._oauth_app()
        try:
            if not app:
                raise api_errors.GrantRevoked(self.env._("The account's OAuth app was removed."), self.network)
            fresh = self._oauth_client(app).refresh(refresh_token)
        except api_errors.GrantRevoked as exc:
            self._oauth_mark_reconnect(exc)  # committed with this cursor, whatever the caller does next
            return None, exc
        except api_errors.SocialApiError as exc:
            _logger.info("social_crm: refreshing account %s failed for now: %s", self.id, exc)
            return None, exc
        cr.execute(
            """UPDATE social_crm_account
                  SET token = %s, refresh_token = %s, token_expires_at = %s, last_refresh_at = %s
                WHERE id = %s""",
            [
                fresh.access_token,
                fresh.refresh_token or refresh_token,
                _from_epoch(fresh.expires_at),
                fields.Datetime.now(),
                self.id,
            ],
        )
        # committed when the cursor closes, before the caller uses the token
        return fresh.access_token, None

    def _oauth_mark_reconnect(self, exc):
        """The grant is gone: *Reconnect needed*, the managers told once; nothing retries it."""
        text = self.env._(
            "%(network)s no longer accepts this connection (%(error)s): a manager must press Reconnect.",
            network=self._network_label(),
            error=exc,
        )
        self.write({"state": "reconnect", "last_error": text, "refresh_token": False})
        self._oauth_notify_managers(
            self.env._("Reconnect %(account)s", account=self.name),
            text,
        )

    def _oauth_notify_managers(self, summary, note):
        """One to-do on the account for its managers (the connecting manager, else the first one)."""
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        open_ones = self.activity_ids.filtered(lambda a: a.summary == summary)
        if open_ones:
            return open_ones
        managers = self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref("social_crm.group_social_manager").id),
                ("company_ids", "in", self.company_id.id),
                ("share", "=", False),
            ]
        )
        user = managers.sorted("id")[:1]
        if not user:
            return self.env["mail.activity"]
        return self.activity_schedule(
            activity_type_id=activity_type.id if activity_type else False,
            summary=summary,
            note=note,
            user_id=user.id,
        )

    # ------------------------------------------------------------------
    # CRON: tokens that cannot be refreshed by the refresh_token grant
    # ------------------------------------------------------------------

    @api.model
    def _cron_oauth_expiry(self):
        """Daily: Instagram and Threads long-lived tokens refreshed (``refresh_access_token``); managers reminded 7 days
        before an expiry nothing can refresh (Facebook user-derived tokens, LinkedIn without refresh)."""
        now = fields.Datetime.now()
        self.env["social_crm.oauth.state"]._gc()
        accounts = self.sudo().search(
            [
                ("state", "in", ("connected", "error")),
                ("token_expires_at", "!=", False),
                ("token_expires_at", "<", now + INSTAGRAM_REFRESH_BEFORE),
                ("refresh_token", "=", False),
            ],
            limit=200,
        )
        for account in accounts:
            if account.network in ("instagram", "threads") and account.oauth_app_id:
                try:
                    fresh = account._oauth_client(account.oauth_app_id).refresh_long_lived(
                        account.token, graph_url=account._graph_url()
                    )
                except api_errors.SocialApiError as exc:
                    _logger.info(
                        "social_crm: %s token of account %s not refreshed: %s", account.network, account.id, exc
                    )
                else:
                    account.write(
                        {
                            "token": fresh.access_token,
                            "token_expires_at": _from_epoch(fresh.expires_at),
                            "last_refresh_at": now,
                        }
                    )
                    continue
            if account.token_expires_at - now <= REMIND_BEFORE and account.expiry_reminded_for != (
                account.token_expires_at
            ):
                account.expiry_reminded_for = account.token_expires_at
                account._oauth_notify_managers(
                    self.env._("Reconnect %(account)s before its token expires", account=account.name),
                    self.env._(
                        "The %(network)s token of %(account)s expires on %(date)s and cannot be refreshed: press "
                        "Reconnect before then.",
                        network=account._network_label(),
                        account=account.name,
                        date=fields.Datetime.to_string(account.token_expires_at),
                    ),
                )
        return len(accounts)


def _from_epoch(value):
    """A naive UTC datetime for an epoch (False when the token does not expire)."""
    if not value:
        return False
    return datetime.utcfromtimestamp(int(value))
