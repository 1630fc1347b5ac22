# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import SocialCrmCommon

LISTENING = (
    "social_crm.ir_cron_fetch_mentions",
    "social_crm.ir_cron_analyze_mentions",
    "social_crm.ir_cron_detect_spikes",
)


@tagged("social_crm", "social_crm_ingest", "post_install", "-at_install")
class TestCrons(SocialCrmCommon):
    def crons_active(self):
        return {self.env.ref(xmlid).active for xmlid in LISTENING}

    def test_crons_run_only_while_an_account_listens(self):
        accounts = self.env["social_crm.account"].search([])
        accounts.with_user(self.social_manager).action_reset_to_draft()
        self.assertEqual(self.crons_active(), {False}, "nothing to fetch: the crons sleep")
        self.account.sudo().write({"state": "connected"})
        self.assertEqual(self.crons_active(), {True}, "the first connected account wakes them")
        self.account.with_user(self.social_manager).write({"active": False})
        self.assertEqual(self.crons_active(), {False}, "archiving the last one puts them back to sleep")
        new = self.env["social_crm.account"].create(
            {
                "name": "Feed",
                "network": "feed",
                "base_url": "https://forum.example.com/latest.rss",
                "state": "connected",
            }
        )
        self.assertEqual(self.crons_active(), {True})
        new.unlink()
        self.assertEqual(self.crons_active(), {False})
