# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Connect with OAuth 2.0 through the real Odoo routes, against a real authorization server on loopback."""

import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..connectors import oauth
from .oauth_server import BRAND, Provider
from .webhook_case import WebhookCase

CALLBACK = "/social_crm/oauth/callback"


def consent(url):
    """The browser at the provider: auto-consent, then the redirect back to Odoo (not followed)."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


@tagged("social_crm", "social_crm_oauth", "post_install", "-at_install")
class TestOauthConnect(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.enterClassContext(Provider(expires_in=2))
        cls.admin = cls.env.ref("base.user_admin")
        cls.app = cls.provider_app("x", "odoo-x-app", "x-app-secret")
        cls.x = cls.env["social_crm.account"].create(
            {"name": "Acme on X", "network": "x", "base_url": cls.provider.url, "team_id": cls.team.id}
        )

    @classmethod
    def provider_app(cls, network, client_id, client_secret, **registration):
        """An OAuth app of ``network`` on the loopback provider, which knows it as a client."""
        app = cls.oauth_app(
            network,
            client_id,
            client_secret,
            authorize_url=cls.provider.url + "/authorize",
            token_url=cls.provider.url + "/token",
        )
        cls.provider.register(client_id, client_secret, app.redirect_uri, **registration)
        return app

    def setUp(self):
        super().setUp()
        self.provider.consent = "allow"
        self.provider.expires_in = 2
        self.provider.mentions = []
        for records in (
            self.provider.grants,
            self.provider.api_calls,
            self.provider.by_access,
            self.provider.by_refresh,
        ):
            records.clear()

    # --- helpers --------------------------------------------------------

    def start(self, user=None, account=None):
        action = (account or self.x).with_user(user or self.admin).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        return action["url"]

    def callback(self, location):
        parts = urlsplit(location)
        self.assertEqual(parts.path, CALLBACK)
        return self.url_open(f"{parts.path}?{parts.query}", allow_redirects=False)

    def connect(self):
        self.authenticate("admin", "admin")
        response = self.callback(consent(self.start()))
        self.assertIn(response.status_code, (302, 303), response.text)
        self.assertIn(f"/odoo/action-social_crm.social_crm_account_action/{self.x.id}", response.headers["Location"])
        self.x.invalidate_recordset()
        return response

    def code_exchanges(self):
        return [g for g in self.provider.grants if g[0] == "authorization_code"]

    def refreshes(self):
        return [g for g in self.provider.grants if g[0] == "refresh_token"]

    # --- tests ----------------------------------------------------------

    def test_round_trip_connects_with_pkce_and_offline_access(self):
        url = self.start()
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertIn("offline.access", query["scope"][0].split())
        self.assertEqual(query["redirect_uri"], [self.app.redirect_uri])
        self.assertTrue(self.app.redirect_uri.endswith(CALLBACK))
        attempt = self.env["social_crm.oauth.state"].sudo().search([("state", "=", query["state"][0])])
        self.assertEqual((attempt.user_id, attempt.account_id), (self.admin, self.x))
        self.assertNotIn(attempt.code_verifier, url, "the verifier never leaves the server")
        self.authenticate("admin", "admin")
        self.callback(consent(url))
        self.x.invalidate_recordset()
        account = self.x.sudo()
        self.assertEqual(account.state, "connected")
        self.assertEqual((account.own_external_id, account.own_handle), (BRAND["id"], BRAND["username"]))
        self.assertTrue(account.token and account.refresh_token and account.token_expires_at)
        self.assertTrue(account.connected_since)
        self.assertEqual(account.oauth_app_id, self.app)
        self.assertTrue(account.message_ids.filtered(lambda m: "Connected with X as acme" in (m.body or "")))
        self.assertEqual([g[2] for g in self.code_exchanges()], [True])

    def test_tour_connect_from_the_account_form(self):
        self.start_tour(
            f"/odoo/action-social_crm.social_crm_account_action/{self.x.id}",
            "social_crm_oauth_connect_tour",
            login="admin",
        )
        self.x.invalidate_recordset()
        self.assertEqual(self.x.state, "connected")
        self.assertEqual([g[2] for g in self.code_exchanges()], [True])

    def test_agents_cannot_connect(self):
        with self.assertRaises(AccessError):
            self.x.with_user(self.social_user).action_connect()

    def test_forged_reused_expired_and_someone_elses_state_store_nothing(self):
        self.authenticate("admin", "admin")
        forged = self.url_open(f"{CALLBACK}?code=abc&state=forged-state", allow_redirects=False)
        self.assertEqual(forged.status_code, 400)
        self.assertIn("unknown", forged.text)
        # someone else's: started by the manager, finished in the admin's browser
        location = consent(self.start(user=self.social_manager))
        other = self.callback(location)
        self.assertEqual(other.status_code, 400)
        self.assertIn("another user", other.text)
        # expired
        location = consent(self.start())
        state = parse_qs(urlsplit(location).query)["state"][0]
        self.env["social_crm.oauth.state"].sudo().search([("state", "=", state)]).write(
            {"expires_at": fields.Datetime.now() - timedelta(seconds=1)}
        )
        expired = self.callback(location)
        self.assertEqual(expired.status_code, 400)
        self.assertIn("expired", expired.text)
        self.assertFalse(self.code_exchanges(), "no code was exchanged")
        self.x.invalidate_recordset()
        self.assertEqual(self.x.state, "draft")
        self.assertFalse(self.x.sudo().token)
        # reused: the first use connects, the replay exchanges nothing more
        location = consent(self.start())
        self.callback(location)
        replay = self.callback(location)
        self.assertEqual(replay.status_code, 400)
        self.assertIn("already used", replay.text)
        self.assertEqual(len(self.code_exchanges()), 1)

    def test_provider_refusal_is_said_in_words(self):
        self.provider.consent = "deny"
        self.authenticate("admin", "admin")
        location = consent(self.start())
        self.assertIn("error=access_denied", location)
        response = self.callback(location)
        self.assertIn(response.status_code, (302, 303))
        self.x.invalidate_recordset()
        self.assertEqual(self.x.state, "draft")
        self.assertTrue(self.x.message_ids.filtered(lambda m: "declined the access" in (m.body or "")))
        self.assertFalse(self.code_exchanges())

    def test_pkce_verifier_is_checked_by_the_server(self):
        self.authenticate("admin", "admin")
        location = consent(self.start())
        state = parse_qs(urlsplit(location).query)["state"][0]
        self.env["social_crm.oauth.state"].sudo().search([("state", "=", state)]).write(
            {"code_verifier": oauth.new_code_verifier()}
        )
        self.callback(location)
        self.x.invalidate_recordset()
        self.assertEqual(self.x.state, "draft")
        self.assertFalse(self.x.sudo().token)
        self.assertEqual([g[2] for g in self.code_exchanges()], [False])
        self.assertTrue(self.x.message_ids.filtered(lambda m: "Connect failed" in (m.body or "")))

    def test_listening_outlives_two_second_tokens_and_no_refresh_token_is_spent_twice(self):
        self.connect()
        self.provider.mentions = [
            {
                "id": "1790000000000000001",
                "text": "@acme my order is late",
                "author_id": "2244994945",
                "created_at": "2026-12-01T10:30:00.000Z",
                "conversation_id": "1790000000000000001",
            }
        ]
        first_token = self.x.sudo().token
        for _round in range(3):
            time.sleep(2.1)  # the access token is dead now
            self.x._fetch_mentions()
            self.x.invalidate_recordset()
            self.assertEqual(self.x.state, "connected", self.x.last_error)
        self.assertEqual(self.x.mention_count, 1)
        self.assertNotEqual(self.x.sudo().token, first_token)
        self.assertTrue(self.x.last_refresh_at)
        spent = [g[1] for g in self.refreshes()]
        self.assertGreaterEqual(len(spent), 3)
        self.assertEqual(len(spent), len(set(spent)), "a refresh token was presented twice")
        self.assertTrue(all(g[2] == "ok" for g in self.refreshes()))
        self.assertFalse(self.provider.revoked_families())
        self.assertTrue(all(ok for _path, ok in self.provider.api_calls), "every API call carried a live token")

    def test_a_401_refreshes_once_and_retries(self):
        self.connect()
        self.provider.expires_in = 3600
        time.sleep(2.1)
        # Odoo believes the token lives on; the network says 401
        self.x.sudo().token_expires_at = fields.Datetime.now() + timedelta(hours=1)
        author = self.x._get_client().verify()
        self.assertEqual(author.handle, "acme")
        self.assertEqual(len(self.refreshes()), 1)
        self.assertEqual([ok for _path, ok in self.provider.api_calls][-2:], [False, True])

    def test_invalid_grant_asks_for_reconnect_once_and_never_loops(self):
        self.connect()
        for record in list(self.provider.by_refresh.values()):
            record.revoked = True  # the user withdrew the consent
        time.sleep(2.1)
        self.x._fetch_mentions()
        self.x.invalidate_recordset()
        self.assertEqual(self.x.state, "reconnect")
        self.assertIn("Reconnect", self.x.last_error)
        self.assertFalse(self.x.sudo().refresh_token)
        activities = self.x.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertTrue(activities.user_id.has_group("social_crm.group_social_manager"))
        asked = len(self.provider.grants)
        self.x._fetch_mentions()
        self.env["social_crm.account"]._cron_fetch_mentions()
        self.x.invalidate_recordset()
        self.assertEqual(len(self.provider.grants), asked, "nothing asked the provider again")
        self.assertEqual(self.x.state, "reconnect")
        self.assertEqual(len(self.x.activity_ids), 1)
        # Reconnect runs the same flow and brings it back
        self.authenticate("admin", "admin")
        self.callback(consent(self.x.with_user(self.admin).action_reconnect()["url"]))
        self.x.invalidate_recordset()
        self.assertEqual(self.x.state, "connected")

    def test_secrets_are_for_system_administrators_only(self):
        self.connect()
        for user in (self.social_user, self.social_manager):
            account = self.x.with_user(user)
            for name in ("token", "refresh_token"):
                with self.assertRaises(AccessError):
                    account.read([name])
                with self.assertRaises(AccessError):
                    account.search([(name, "!=", False)])
                with self.assertRaises(Exception) as refused:
                    account.export_data([name])
                self.assertIsInstance(refused.exception, (AccessError, UserError))
            with self.assertRaises(AccessError):
                self.app.with_user(user).read(["client_secret"])
            self.assertEqual(self.app.with_user(self.social_manager).read(["client_id"])[0]["client_id"], "odoo-x-app")
        tracked = self.env["mail.tracking.value"].sudo().search([("mail_message_id", "in", self.x.message_ids.ids)])
        self.assertFalse(
            tracked.filtered(lambda t: t.field_id.name in ("token", "refresh_token")), "secrets are never tracked"
        )
        self.assertFalse(self.x.copy({"name": "Acme on X (copy)"}).sudo().refresh_token)
        with self.assertRaises(AccessError):
            self.env["social_crm.oauth.state"].with_user(self.social_manager).search([])

    def test_expiring_token_without_refresh_reminds_the_managers_once(self):
        account = self.env["social_crm.account"].create(
            {
                "name": "Acme on LinkedIn",
                "network": "linkedin",
                "login": "12345",
                "token": "li-token",
                "state": "connected",
                "token_expires_at": fields.Datetime.now() + timedelta(days=5),
            }
        )
        self.env["social_crm.account"]._cron_oauth_expiry()
        self.env["social_crm.account"]._cron_oauth_expiry()
        self.assertEqual(len(account.activity_ids), 1)
        self.assertIn("expires", account.activity_ids.note)

    def test_facebook_connects_one_account_per_page_with_page_tokens(self):
        self.provider_app(
            "facebook", "odoo-meta-app", "meta-app-secret", scope=" ".join(oauth.PROFILES["facebook"].scopes)
        )
        page = self.env["social_crm.account"].create(
            {"name": "Acme TH on Facebook", "network": "facebook", "base_url": self.provider.url, "login": "1010"}
        )
        page.sudo().secret = "app-secret-for-webhooks"
        self.authenticate("admin", "admin")
        self.callback(consent(self.start(account=page)))
        page.invalidate_recordset()
        self.assertEqual(page.state, "connected", page.last_error)
        self.assertTrue(page.sudo().token.startswith("page-1010-"))
        self.assertEqual(page.sudo().secret, "app-secret-for-webhooks")
        other = self.env["social_crm.account"].search([("network", "=", "facebook"), ("login", "=", "1020")])
        self.assertEqual(other.name, "Acme IR on Facebook")
        self.assertEqual(other.state, "connected")
        self.assertTrue(other.sudo().token.startswith("page-1020-"))
        self.assertEqual(other.sudo().secret, "app-secret-for-webhooks", "the Pages of one app share its secret")
        self.assertFalse(page.token_expires_at, "Page tokens from a long-lived user token do not expire")
        self.assertEqual([g[0] for g in self.provider.grants], ["authorization_code", "fb_exchange_token"])

    def test_mastodon_registers_the_app_on_the_instance_at_first_connect(self):
        masto = self.env["social_crm.account"].create(
            {"name": "Brand on a Mastodon instance", "network": "mastodon", "base_url": self.provider.url}
        )
        url = masto.with_user(self.admin).action_connect()["url"]
        app = masto._oauth_app()
        self.assertEqual(app.instance_url, self.provider.url)
        self.assertIn(app.client_id, self.provider.clients)
        self.assertTrue(url.startswith(self.provider.url + "/oauth/authorize?"))
        masto.with_user(self.admin).action_connect()
        self.assertEqual(len(self.env["social_crm.oauth.app"].search([("network", "=", "mastodon")])), 1)


@tagged("social_crm", "social_crm_oauth", "post_install", "-at_install")
class TestOauthRefreshConcurrency(TransactionCase):
    """Two workers, each in its own transaction, find the same access token expired at once."""

    @mute_logger("odoo.sql_db")  # the second worker's lock meets the committed pair: a serialization retry
    def test_two_workers_across_an_expiry_spend_the_refresh_token_once(self):
        registry = self.registry
        provider = self.enterContext(Provider(expires_in=3600))
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            params = env["ir.config_parameter"]
            allowed_before = params.get_param("social_crm.allowed_hosts")
            params.set_param("social_crm.allowed_hosts", "127.0.0.1,localhost")
            app = env["social_crm.oauth.app"].create(
                {
                    "network": "x",
                    "client_id": "concurrency-app",
                    "client_secret": "concurrency-secret",
                    "authorize_url": provider.url + "/authorize",
                    "token_url": provider.url + "/token",
                    "company_id": False,
                }
            )
            provider.register("concurrency-app", "concurrency-secret", app.redirect_uri)
            client = oauth.OAuthClient(
                "x",
                "concurrency-app",
                "concurrency-secret",
                app.redirect_uri,
                authorize_url=app.authorize_url,
                token_url=app.token_url,
                allowed_hosts="127.0.0.1",
            )
            verifier = oauth.new_code_verifier()
            code = parse_qs(urlsplit(consent(client.authorization_url("s", verifier))).query)["code"][0]
            token = client.exchange_code(code, verifier)
            account = env["social_crm.account"].create(
                {"name": "Concurrency on X", "network": "x", "base_url": provider.url}
            )
            cr.execute(
                """UPDATE social_crm_account SET token = %s, refresh_token = %s, token_expires_at = %s,
                          oauth_app_id = %s, state = 'connected' WHERE id = %s""",
                [
                    token.access_token,
                    token.refresh_token,
                    fields.Datetime.now() - timedelta(minutes=1),
                    app.id,
                    account.id,
                ],
            )
            account_id, app_id = account.id, app.id

        def cleanup():
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["social_crm.account"].browse(account_id).unlink()
                env["social_crm.oauth.app"].browse(app_id).unlink()
                env["ir.config_parameter"].set_param("social_crm.allowed_hosts", allowed_before or "")

        self.addCleanup(cleanup)
        barrier = threading.Barrier(2, timeout=30)
        handles, failures = [], []

        def worker():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    account = env["social_crm.account"].browse(account_id)
                    self.assertTrue(account.sudo().token)  # both snapshots see the expired token
                    barrier.wait()
                    handles.append(account._get_client().verify().handle)
            except Exception as exc:  # reported below, from the test's thread
                failures.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        # The test runner holds the registry lock while it runs the tests (a running server does not):
        # let the workers open their environments as workers of a server would.
        held = 0
        while Registry._lock._is_owned():
            Registry._lock.release()
            held += 1
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        finally:
            for _level in range(held):
                Registry._lock.acquire()
        self.assertFalse(failures, failures)
        self.assertEqual(handles, ["acme", "acme"])
        refreshes = [g for g in provider.grants if g[0] == "refresh_token"]
        self.assertEqual([g[2] for g in refreshes], ["ok"], "one refresh, never the same refresh token twice")
        self.assertFalse(provider.revoked_families())
        with registry.cursor() as cr:
            cr.execute("SELECT refresh_token, token_expires_at FROM social_crm_account WHERE id = %s", [account_id])
            refresh_token, expires_at = cr.fetchone()
        self.assertNotEqual(refresh_token, token.refresh_token, "the rotated refresh token was committed")
        self.assertGreater(expires_at, fields.Datetime.now())


@tagged("social_crm", "social_crm_oauth", "post_install", "-at_install")
class TestAccountStates(WebhookCase):
    """Issue 26: Connected means the network verified the token; Last sync is the last success."""

    def test_a_signed_webhook_and_an_empty_fetch_do_not_make_a_fake_token_connected(self):
        line = self.line.sudo()
        line.write({"state": "error", "token": "fake-token", "connected_since": False, "last_sync_at": False})
        from .webhook_case import line_text

        self.assertEqual(self.deliver_line(line_text("e1", "m1")).status_code, 200)
        self.run_processing()
        self.env["social_crm.account"]._cron_fetch_mentions()
        line.invalidate_recordset()
        self.assertEqual(line.state, "error")
        self.assertFalse(line.last_sync_at)

    def test_a_failed_test_connection_keeps_the_last_sync(self):
        synced = fields.Datetime.now() - timedelta(days=1)
        self.telegram.sudo().write({"last_sync_at": synced})
        self.telegram.action_test_connection()  # getMe is not served: Telegram's 404 for a wrong token
        self.assertEqual(self.telegram.state, "error")
        self.assertEqual(self.telegram.last_sync_at, synced)

    def test_set_and_remove_the_telegram_webhook(self):
        calls = []

        def method(name, result):
            def handler(request):
                import json

                calls.append((name, json.loads(request["body"])))
                return 200, {}, {"ok": True, "result": result}

            return handler

        token = self.telegram.sudo().token
        bot = {"id": int(self.telegram.own_external_id), "is_bot": True, "first_name": "Acme", "username": "acme_bot"}
        self.server.route("POST", f"/bot{token}/getMe", method("getMe", bot))
        self.server.route("POST", f"/bot{token}/setWebhook", method("setWebhook", True))
        self.server.route("POST", f"/bot{token}/deleteWebhook", method("deleteWebhook", True))
        self.telegram.sudo().write({"state": "draft", "connected_since": False, "secret": False})
        self.telegram.with_user(self.social_manager).action_telegram_set_webhook()
        account = self.telegram.sudo()
        self.assertEqual(account.state, "connected")
        self.assertTrue(account.connected_since)
        self.assertTrue(account.secret)
        sent = dict(calls)["setWebhook"]
        self.assertEqual((sent["url"], sent["secret_token"]), (account.webhook_url, account.secret))
        # deliveries signed with that secret are accepted
        from .webhook_case import telegram_update

        self.assertEqual(self.deliver_telegram(telegram_update(9001), secret=account.secret).status_code, 200)
        self.telegram.with_user(self.social_manager).action_telegram_remove_webhook()
        self.assertEqual(account.telegram_mode, "polling")
        self.assertIn("deleteWebhook", dict(calls))
        with self.assertRaises(AccessError):
            self.telegram.with_user(self.social_user).action_telegram_set_webhook()

    def test_fetch_and_disconnect_hidden_until_connected_and_http_warning(self):
        from lxml import etree

        arch = etree.fromstring(self.env["social_crm.account"].get_views([(False, "form")])["views"]["form"]["arch"])
        for name in ("action_fetch_now", "action_reset_to_draft"):
            (button,) = arch.xpath(f"//header/button[@name='{name}']")
            self.assertEqual(button.get("invisible"), "not connected_since")
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://odoo.example.com")
        self.line.invalidate_recordset()
        self.assertTrue(self.line.insecure_base_url)
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        self.line.invalidate_recordset()
        self.assertFalse(self.line.insecure_base_url)
        self.assertTrue(arch.xpath("//div[contains(@class, 'o_social_insecure_base_url')]"))

    def test_a_telegram_account_that_receives_messages_counts_in_spike_detection(self):
        telegram = self.telegram.sudo()
        telegram.state = "draft"  # receives messages by webhook; nobody pressed Test connection
        now = fields.Datetime.now().replace(microsecond=0)
        moments = [now - timedelta(hours=12 * k + 3) for k in range(14)]  # a quiet week
        moments += [now - timedelta(minutes=50 - 4 * n) for n in range(12)]  # twelve negatives in the last hour
        self.env["social_crm.mention"].create(
            [
                {
                    "account_id": telegram.id,
                    "external_id": f"tg-spike-{n}",
                    "posted_at": when,
                    "direction": "inbound",
                    "sentiment": "negative",
                    "sentiment_score": -0.8,
                    "body": "terrible service",
                    "nlp_state": "fast",
                }
                for n, when in enumerate(moments)
            ]
        )
        self.env["social_crm.alert"]._cron_detect_spikes(now=now)
        self.assertTrue(telegram.spike_episode_start)
