# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the network tests share: accounts connected to a vendor's API on loopback, the requests it received,
the composer an agent answers in, an OAuth app, a user walled off in another company, a real PNG image."""

import io
import json

from PIL import Image

from odoo.tests import new_test_user

from .common import SocialCrmCommon

MANAGER_GROUPS = "base.group_user,social_crm.group_social_manager"


def png_bytes(width=320, height=200, color=(200, 30, 60)):
    """A real PNG image of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


class NetworkCase(SocialCrmCommon):
    """``SocialCrmCommon`` plus the vendors' APIs on loopback (a test class starts its servers with
    ``cls.enterClassContext(LoopbackServer())``: they stop when the class is torn down)."""

    @classmethod
    def connected_account(cls, network, name, base_url, **values):
        """A brand account of ``network`` connected to the API at ``base_url``, in the social care team."""
        return cls.env["social_crm.account"].create(
            {
                "name": name,
                "network": network,
                "base_url": base_url,
                "state": "connected",
                "team_id": cls.team.id,
                **values,
            }
        )

    @classmethod
    def account_by_id(cls, network, name, external_id, base_url=None, **values):
        """A connected account that logs in with its own id on the network (a Page, a phone number, a business or
        user id), on the loopback ``server`` unless told."""
        base_url = base_url or cls.server.url
        return cls.connected_account(network, name, base_url, login=external_id, own_external_id=external_id, **values)

    @classmethod
    def oauth_app(cls, network, client_id, client_secret, **urls):
        """The OAuth app a system administrator registers for ``network`` (``authorize_url``, ``token_url``)."""
        return cls.env["social_crm.oauth.app"].create(
            {"network": network, "client_id": client_id, "client_secret": client_secret, **urls}
        )

    @classmethod
    def user_of_another_company(cls, login, company_name="Other shop", groups=MANAGER_GROUPS):
        """A user (a Social Manager unless told) of a company of its own: company walls must keep it out."""
        company = cls.env["res.company"].create({"name": company_name})
        return new_test_user(
            cls.env, login=login, groups=groups, company_id=company.id, company_ids=[(6, 0, company.ids)]
        )

    def sent(self, path):
        """The JSON bodies the loopback ``server`` received on ``path``, oldest first."""
        return [json.loads(r["body"]) for r in self.server.requests if r["path"] == path]

    def compose(self, action, user, body):
        """The reply ``user`` writes in the composer that ``action`` opens (its ``default_*`` context)."""
        defaults = {key[len("default_") :]: value for key, value in action["context"].items()}
        return self.env["social_crm.reply"].with_user(user).create({**defaults, "body": body})

    def answer_from_ticket(self, ticket, user, body):
        """The reply ``user`` writes from the ticket's Reply button."""
        return self.compose(ticket.with_user(user).action_social_reply(), user, body)
