# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Insider attacks on accounts: secrets stay with admins and with the host they were entered for."""

import importlib.util
import os
from datetime import UTC, datetime

from odoo.exceptions import AccessError, ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tools import mute_logger

from .mastodon_case import BRAND, mastodon_server
from .network_case import NetworkCase

ACCOUNT_LOGGER = "odoo.addons.social_crm.models.social_crm_account"


@tagged("social_crm", "social_crm_security", "post_install", "-at_install")
class TestTrustAccounts(NetworkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.brand = mastodon_server(cls)
        cls.evil = mastodon_server(cls)
        cls.masto = cls.connected_account(
            "mastodon", "Acme on Mastodon (accounts)", cls.brand.url, login="acme", token="brand-token-123"
        )

    def setUp(self):
        super().setUp()
        self.brand.requests.clear()
        self.evil.requests.clear()

    def authorizations(self, server):
        return [request["headers"].get("Authorization") for request in server.requests]

    # --- credentials are bound to where they were entered -------------------------------------------

    @mute_logger(ACCOUNT_LOGGER)
    def test_moving_the_url_drops_the_token_before_any_request(self):
        account = self.masto.with_user(self.social_manager)
        account.write({"base_url": self.evil.url})
        self.assertFalse(self.masto.sudo().token, "a new host must not inherit the token")
        self.assertEqual(self.masto.state, "draft")
        account.action_test_connection()
        self.assertFalse(any(self.authorizations(self.evil)), "the token never reaches the new host")
        self.assertIn("credentials were removed", self.masto.message_ids[:1].body)

    def test_changing_network_or_login_drops_every_secret(self):
        for vals in ({"login": "someone-else"}, {"network": "bluesky"}):
            account = self.masto.copy({"name": f"copy {vals}"})
            account.sudo().write({"token": "t", "secret": "s"})
            account.with_user(self.social_manager).write(vals)
            self.assertFalse(account.sudo().token)
            self.assertFalse(account.sudo().secret)

    def test_admin_rebinding_with_a_new_token_keeps_that_token(self):
        self.masto.sudo().write({"base_url": self.evil.url, "token": "token-for-the-new-host"})
        self.assertEqual(self.masto.sudo().token, "token-for-the-new-host")

    def test_same_values_do_not_drop_the_token(self):
        self.masto.with_user(self.social_manager).write({"base_url": self.brand.url, "name": "renamed"})
        self.assertEqual(self.masto.sudo().token, "brand-token-123")

    # --- private addresses are refused unless allowed ------------------------------------------------

    def test_private_service_urls_are_refused_by_default(self):
        self.env["ir.config_parameter"].sudo().set_param("social_crm.allowed_hosts", "")
        Account = self.env["social_crm.account"].with_user(self.social_manager)
        for url in (
            "http://127.0.0.1:8069",
            "https://0x7f000001/",
            "https://2130706433/",
            "https://10.1.2.3/",
            "https://[::1]/",
            "https://169.254.169.254/latest",
            "https://[::ffff:127.0.0.1]/",
        ):
            with self.assertRaises(ValidationError, msg=url):
                Account.create({"name": f"internal {url}", "network": "feed", "base_url": url})

    @mute_logger(ACCOUNT_LOGGER)
    def test_fetch_refuses_a_loopback_host_once_it_is_no_longer_allowed(self):
        self.env["ir.config_parameter"].sudo().set_param("social_crm.allowed_hosts", "")
        self.masto._fetch_mentions()
        self.assertEqual(self.masto.state, "error")
        self.assertIn("social_crm.allowed_hosts", self.masto.last_error)
        self.assertEqual(self.brand.requests, [], "nothing may be sent to a private address")

    # --- secrets -----------------------------------------------------------------------------------

    @mute_logger("odoo.access")
    def test_secrets_are_for_system_administrators_only(self):
        self.masto.sudo().secret = "client-secret"
        for user in (self.social_user, self.social_manager):
            for name in ("token", "secret"):
                with self.assertRaises(AccessError, msg=f"{user.login} read {name}"):
                    self.masto.with_user(user).read([name])
        admin = self.env.ref("base.user_admin")
        self.assertEqual(self.masto.with_user(admin).secret, "client-secret")
        self.assertTrue(self.masto.with_user(self.social_manager).has_secret)
        copy = self.masto.sudo().copy({"name": "copied"})
        self.assertFalse(copy.token)
        self.assertFalse(copy.secret)

    def test_secrets_never_reach_the_chatter(self):
        self.masto.with_user(self.env.ref("base.user_admin")).write({"token": "new-token-xyz", "secret": "s3cr3t"})
        self.env.flush_all()
        tracked = self.env["mail.tracking.value"].sudo().search([("mail_message_id", "in", self.masto.message_ids.ids)])
        values = " ".join(str(v) for v in tracked.mapped("old_value_char") + tracked.mapped("new_value_char"))
        self.assertNotIn("new-token-xyz", values)
        self.assertNotIn("s3cr3t", values)

    def test_neutralize_wipes_every_secret(self):
        self.masto.sudo().secret = "client-secret"
        self.env.flush_all()
        for query in get_neutralization_queries(["social_crm"]):
            self.env.cr.execute(query)
        self.masto.invalidate_recordset()
        self.assertFalse(self.masto.sudo().token)
        self.assertFalse(self.masto.sudo().secret)

    def test_reddit_client_secret_leaves_the_login(self):
        reddit = self.env["social_crm.account"].create(
            {"name": "Acme on Reddit", "network": "reddit", "login": "placeholder"}
        )
        self.env.cr.execute(
            "UPDATE social_crm_account SET login = %s WHERE id = %s", ["app-id:app-secret:acme_bot", reddit.id]
        )
        path = os.path.join(os.path.dirname(__file__), "..", "migrations", "18.0.1.1.0", "post-reddit_secret.py")
        spec = importlib.util.spec_from_file_location("social_crm_post_reddit_secret", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        reddit.invalidate_recordset()
        self.assertEqual(reddit.login, "app-id:acme_bot")
        self.assertEqual(reddit.sudo().secret, "app-secret")

    def test_account_backfills_run_in_the_migration_that_brings_them(self):
        self.env.cr.execute(
            """UPDATE social_crm_account SET connected_since = NULL, webhook_key = NULL, deletion_key = NULL,
                      state = 'connected', last_sync_at = '2026-01-02 03:04:05' WHERE id = %s""",
            [self.masto.id],
        )
        path = os.path.join(os.path.dirname(__file__), "..", "migrations", "18.0.1.2.0", "post-migrate.py")
        spec = importlib.util.spec_from_file_location("social_crm_post_migrate_1_2", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.fill_account_keys(self.env.cr)
        migration.fill_connected_since(self.env.cr)
        self.masto.invalidate_recordset()
        self.assertEqual(str(self.masto.connected_since), "2026-01-02 03:04:05")
        keys = self.masto.sudo().read(["webhook_key", "deletion_key"])[0]
        self.assertGreaterEqual(len(keys["webhook_key"]), 40)
        self.assertGreaterEqual(len(keys["deletion_key"]), 30)

    # --- only managers connect, checked before any network call ------------------------------------

    @mute_logger("odoo.access")
    def test_agents_cannot_test_connections_or_fetch(self):
        account = self.masto.with_user(self.social_user)
        for action in (account.action_test_connection, account.action_fetch_now, account.action_reset_to_draft):
            with self.assertRaises(AccessError):
                action()
        self.assertEqual(self.brand.requests, [], "no request before the access check")

    @mute_logger(ACCOUNT_LOGGER)
    def test_failed_connection_is_recorded_and_said(self):
        self.brand.route(
            "GET", "/api/v1/accounts/verify_credentials", (401, {}, {"error": "The access token is invalid"})
        )
        try:
            action = self.masto.with_user(self.social_manager).action_test_connection()
        finally:
            self.brand.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.masto.state, "error")
        self.assertIn("rejected the credentials", self.masto.last_error)

    def test_service_url_that_is_not_a_url_gets_a_clear_error(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["social_crm.account"].with_user(self.social_manager).create(
                {"name": "forum", "network": "feed", "base_url": "acme forum"}
            )
        self.assertIn("cannot be used", str(caught.exception))

    def test_first_fetch_goes_back_as_far_as_the_admin_chose(self):
        self.assertEqual(self.masto.history_days, 7, "a week by default")
        self.masto.with_user(self.social_manager).write({"history_days": 30})
        age = datetime.now(UTC) - self.masto._get_client().history_start()
        self.assertAlmostEqual(age.total_seconds() / 86400, 30, places=2)
        with self.assertRaises(ValidationError):
            self.masto.with_user(self.social_manager).write({"history_days": -1})
