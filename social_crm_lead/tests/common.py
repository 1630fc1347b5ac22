# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A brand on a Mastodon server on loopback whose customers write buying signals, complaints and praise."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from odoo.addons.social_crm.tests.common import SocialCrmCommon
from odoo.addons.social_crm.tests.loopback import LoopbackServer
from odoo.addons.social_crm.tests.mastodon_case import BRAND

SALESMAN_GROUPS = "base.group_user,social_crm.group_social_user,sales_team.group_sale_salesman"

CUSTOMERS = {
    "77": ("jane@mastodon.example", "Jane Doe"),
    "78": ("somsri@mastodon.example", "Somsri"),
    "79": ("sara@mastodon.example", "Sara Ahmadi"),
    "80": ("kim@mastodon.example", "Kim"),
}


def status_json(status_id, text, in_reply_to=None, author=None, lang="en", minutes=0):
    account = BRAND
    if author:
        acct, name = CUSTOMERS[author]
        account = {**BRAND, "id": author, "username": acct.split("@")[0], "acct": acct, "display_name": name}
    return {
        "id": status_id,
        "uri": f"https://mastodon.example/users/{account['username']}/statuses/{status_id}",
        "url": f"https://mastodon.example/@{account['username']}/{status_id}",
        # recent: a first fetch reads back only the network's recent history
        "created_at": (datetime.now(UTC) - timedelta(hours=2) + timedelta(minutes=minutes)).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        ),
        "in_reply_to_id": in_reply_to,
        "content": f"<p>{text}</p>",
        "language": lang,
        "account": account,
        "visibility": "public",
        "mentions": [],
        "tags": [],
    }


class SocialLeadCase(SocialCrmCommon):
    """``serve(statuses)``: what the network answers to the next fetch; ``posted``: statuses Odoo posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls.new_user("social_seller", SALESMAN_GROUPS, name="Sara Seller")
        cls.sales_team = cls.env["crm.team"].create({"name": "Social sales", "company_id": cls.company.id})
        cls.server = LoopbackServer()
        cls.server.__enter__()
        cls.addClassCleanup(cls.server.__exit__, None, None, None)
        cls.notifications, cls.posted = [], []

        def post_status(request):
            body = request["body"].decode()
            data = json.loads(body) if body.startswith("{") else {k: v[0] for k, v in parse_qs(body).items()}
            status = status_json(str(5000 + len(cls.posted)), data["status"], data.get("in_reply_to_id"), minutes=119)
            cls.posted.append(data)
            cls.server.route("GET", f"/api/v1/statuses/{status['id']}", (200, {}, status))
            return 200, {}, status

        cls.server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
        cls.server.route("GET", "/api/v1/notifications", lambda request: (200, {}, list(cls.notifications)))
        cls.server.route("POST", "/api/v1/statuses", post_status)
        cls.masto = cls.env["social_crm.account"].create(
            {
                "name": "Acme on Mastodon (sales)",
                "network": "mastodon",
                "base_url": cls.server.url,
                "login": "acme",
                "token": "token-123",
                "state": "connected",
                "team_id": cls.team.id,
                "crm_team_id": cls.sales_team.id,
                "own_external_id": "1",
            }
        )

    def setUp(self):
        super().setUp()
        self.notifications.clear()
        self.posted.clear()

    def serve(self, *statuses):
        """The network's notifications (newest first) and each status, as Mastodon answers them."""
        self.notifications[:] = [
            {"id": s["id"], "type": "mention", "created_at": s["created_at"], "account": s["account"], "status": s}
            for s in reversed(statuses)
        ]
        for status in statuses:
            self.server.route("GET", f"/api/v1/statuses/{status['id']}", (200, {}, status))
            descendants = [s for s in statuses if s["in_reply_to_id"] == status["id"]]
            self.server.route(
                "GET",
                f"/api/v1/statuses/{status['id']}/context",
                (200, {}, {"ancestors": [], "descendants": descendants}),
            )

    def fetch(self, *statuses, user=None):
        self.serve(*statuses)
        self.masto.with_user(user or self.social_manager).action_fetch_now()
        self.assertFalse(self.masto.last_error)
        return self.env["social_crm.mention"].search([("account_id", "=", self.masto.id)])

    def leads(self):
        return (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("social_thread_id.account_id", "=", self.masto.id)])
        )
