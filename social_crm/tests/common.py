# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import importlib.util
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

from odoo import fields

from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.mail.tests.common import mail_new_test_user

from ..connectors.models import Author, Item

AGENT_GROUPS = "base.group_user,social_crm.group_social_user,helpdesk_mgmt.group_helpdesk_user"
MANAGER_GROUPS = "base.group_user,social_crm.group_social_manager,helpdesk_mgmt.group_helpdesk_manager"
# A Social Manager who is no helpdesk manager.
SOCIAL_MANAGER_GROUPS = "base.group_user,social_crm.group_social_manager"
# Accounting or warehouse: an employee who reads every ticket, in no Social CRM group.
HELPDESK_EMPLOYEE_GROUPS = "base.group_user,helpdesk_mgmt.group_helpdesk_user"
# The brand's own account on Bluesky, as make_item takes it.
BRAND_AUTHOR = {"author_id": "did:plc:acme", "handle": "acme.test", "name": "Acme"}
MENTION = "odoo.addons.social_crm.models.social_crm_mention.SocialCrmMention"


def analysis(lang, sentiment, intent):
    """What the analysis gives for one text."""
    score = {"negative": -0.8, "neutral": 0.0, "positive": 0.8}[sentiment]
    return SimpleNamespace(lang=lang, sentiment=sentiment, sentiment_score=score, intent=intent, model="test")


def analyzed(lang="en", sentiment="negative", intent="complaint"):
    """Fix the analysis of every text of the next ingests (a patch, to use as a context manager)."""

    def fake(self, texts, accurate=False):
        return [analysis(lang, sentiment, intent) for _text in texts]

    return patch(f"{MENTION}._analyze_texts", fake)


@contextmanager
def analyzed_as(*results):
    """Fix the analysis of the next ingest: (lang, sentiment, intent) per text."""

    def fake(self, texts, accurate=False):
        return [analysis(*result) for result, _text in zip(results, texts)]

    with patch(f"{MENTION}._analyze_texts", fake):
        yield


def load_migration(version, script):
    """The migration script ``migrations/<version>/<script>.py`` as a module, to run it in a test."""
    path = Path(__file__).parents[1] / "migrations" / version / f"{script}.py"
    name = f"social_crm_migration_{version}_{script}".replace(".", "_").replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SocialCrmCommon(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The loopback servers of the tests stand in for the networks: allow them, and only them.
        cls.env["ir.config_parameter"].sudo().set_param("social_crm.allowed_hosts", "127.0.0.1,localhost")
        cls.social_user = cls.new_user("social_user", name="Sam Agent")
        cls.social_manager = cls.new_user("social_manager", MANAGER_GROUPS, name="Mia Manager")
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
    def install_langs(cls, langs, modules=("social_crm",), overwrite=False):
        """What installing the languages ``langs`` does: active, with the terms of ``modules`` (i18n, i18n_extra)."""
        for code in langs:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(list(modules), list(langs), overwrite=overwrite)

    @classmethod
    def new_user(cls, login, groups=AGENT_GROUPS, company=None, **values):
        """A user in ``groups`` (comma separated xml ids), of ``company`` alone when one is given."""
        if company:
            values.update(company_id=company.id, company_ids=[(6, 0, company.ids)])
        return mail_new_test_user(cls.env, login=login, groups=groups, **values)

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

    @classmethod
    def brand_item(cls, ext_id, text, root_id=None, parent_id=None, minutes=0):
        """The brand's own post (``acme.test``), in the conversation ``root_id`` when one is given."""
        return cls.make_item(
            ext_id, text, root_id=root_id, parent_id=parent_id, minutes=minutes, is_own=True, **BRAND_AUTHOR
        )

    @classmethod
    def ingest(cls, items, account=None):
        return cls.env["social_crm.mention"]._ingest_items(account or cls.account, items)

    def somchai_on_bluesky(self, external_id):
        """The contact ``partner`` (Somchai) known by his Bluesky identity ``somchai.test`` of id ``external_id``."""
        return self.env["social_crm.identity"].create(
            {"network": "bluesky", "external_id": external_id, "handle": "somchai.test", "partner_id": self.partner.id}
        )

    def complaint_after_closing(self, key, closed_ago):
        """``key`` complains, the ticket is closed ``closed_ago`` (a timedelta) ago, then ``key`` writes again in the
        same conversation: the two mentions."""
        with analyzed():
            first = self.ingest([self.make_item(f"at://{key}/1", "broken")])
        first.ticket_id.stage_id = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        first.ticket_id.closed_date = fields.Datetime.now() - closed_ago
        with analyzed():
            again = self.ingest([self.make_item(f"at://{key}/2", "broken again", root_id=f"at://{key}/1", minutes=5)])
        return first, again

    def first_posts(self, *posts):
        """Each author's first post, analysed as told: ``posts`` are (author_id, text, (lang, sentiment, intent)).
        Returns the mentions."""
        with analyzed_as(*(result for _author, _text, result in posts)):
            return self.ingest(
                [self.make_item(f"at://{author}/1", text, author_id=author) for author, text, _ in posts]
            )

    def negative_mentions(self, times_and_counts, prefix="n", account=None):
        """``count`` analysed negative mentions at each ``when`` of ``times_and_counts``, a second apart."""
        account = account or self.account
        vals = []
        for when, count in times_and_counts:
            for n in range(count):
                vals.append(
                    {
                        "account_id": account.id,
                        "external_id": f"{prefix}-{when:%Y%m%d%H%M}-{n}",
                        "posted_at": when + timedelta(seconds=n),
                        "direction": "inbound",
                        "sentiment": "negative",
                        "sentiment_score": -0.5 - (n % 5) / 10,
                        "body": f"broken again {n}",
                        "author_name": f"user {n}",
                        "nlp_state": "fast",
                    }
                )
        return self.env["social_crm.mention"].create(vals)

    def customer_says(self, key, text, post=1, lang="en", **item):
        """Post ``post`` of the conversation ``at://<key>/post/1`` of the customer ``key``, analysed as a complaint in
        ``lang``; ``item``: what else ``make_item`` takes (name, parent_id, minutes). Returns the mention."""
        item = {"author_id": f"did:plc:{key}", "handle": f"{key}.test", "root_id": f"at://{key}/post/1", **item}
        with analyzed(lang, "negative", "complaint"):
            return self.ingest([self.make_item(f"at://{key}/post/{post}", text, **item)])


class TwoCompaniesCase(SocialCrmCommon):
    """A second company beside the first: its own care team, connected Bluesky account (on a closed port), agent
    and Social Manager (``company_b``, ``team_b``, ``account_b``, ``user_b``, ``manager_b``)."""

    company_b_name = "Company B"
    account_b_values = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        name = cls.company_b_name
        cls.company_b = cls.env["res.company"].create({"name": name})
        cls.team_b = cls.env["helpdesk.ticket.team"].create({"name": f"{name} care", "company_id": cls.company_b.id})
        cls.account_b = cls.env["social_crm.account"].create(
            {
                "name": f"{name} on Bluesky",
                "network": "bluesky",
                "base_url": "http://127.0.0.1:9",
                "team_id": cls.team_b.id,
                "company_id": cls.company_b.id,
                "state": "connected",
                **cls.account_b_values,
            }
        )
        cls.user_b = cls.new_user("user_b", company=cls.company_b, name=f"{name} Agent")
        cls.manager_b = cls.new_user("manager_b", MANAGER_GROUPS, company=cls.company_b, name=f"{name} Manager")


class TourMixin:
    """For ``HttpCase`` classes: tours in headless Chromium, as a given user."""

    def tour_as(self, user, action, tour, lang=None, **options):
        """Run ``tour`` from ``/odoo/<action>`` logged in as ``user``, in ``lang`` when one is given."""
        if lang:
            user.lang = lang
        self.start_tour(f"/odoo/{action}", tour, login=user.login, **options)
