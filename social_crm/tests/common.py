# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import UTC, datetime, timedelta

from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.mail.tests.common import mail_new_test_user

from ..connectors.models import Author, Item


class SocialCrmCommon(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The loopback servers of the tests stand in for the networks: allow them, and only them.
        cls.env["ir.config_parameter"].sudo().set_param("social_crm.allowed_hosts", "127.0.0.1,localhost")
        cls.social_user = mail_new_test_user(
            cls.env,
            login="social_user",
            name="Sam Agent",
            groups="base.group_user,social_crm.group_social_user,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.social_manager = mail_new_test_user(
            cls.env,
            login="social_manager",
            name="Mia Manager",
            groups="base.group_user,social_crm.group_social_manager,helpdesk_mgmt.group_helpdesk_manager",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "Social care"})
        cls.account = cls.env["social_crm.account"].create(
            {
                "name": "Test brand on Bluesky",
                "network": "bluesky",
                "base_url": "http://127.0.0.1:9",
                "login": "acme.test",
                "token": "app-password",
                "team_id": cls.team.id,
                "state": "connected",
            }
        )
        cls.partner = cls.env["res.partner"].create({"name": "Somchai Rakdee", "email": "somchai.rakdee@example.co.th"})
        cls.base_time = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

    @classmethod
    def make_item(
        cls,
        ext_id,
        text,
        author_id="did:plc:jane",
        handle="jane.test",
        name="Jane",
        root_id=None,
        parent_id=None,
        minutes=0,
        is_own=False,
        followers=10,
        **extra,
    ):
        return Item(
            external_id=ext_id,
            author=Author(
                external_id=author_id,
                handle=handle,
                name=name,
                followers=followers,
                profile_url=f"https://bsky.app/profile/{handle}",
            ),
            text=text,
            posted_at=cls.base_time + timedelta(minutes=minutes),
            url=f"https://bsky.app/profile/{handle}/post/{ext_id.rsplit('/', 1)[-1]}",
            parent_id=parent_id,
            root_id=root_id or ext_id,
            is_own=is_own,
            extra=extra or {"cid": f"cid-{ext_id[-6:]}"},
        )

    def ingest(self, items, account=None):
        return self.env["social_crm.mention"]._ingest_items(account or self.account, items)
