# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The account form tells an admin, per network, what to paste where and links to the vendor's page."""

from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import SocialCrmCommon

EXPECTED_LINK = {
    "bluesky": "https://bsky.app/settings/app-passwords",
    "x": "https://developer.x.com/en/portal/dashboard",
    "facebook": "https://developers.facebook.com/apps",
    "instagram": "https://developers.facebook.com/apps",
    "reddit": "https://www.reddit.com/prefs/apps",
    "youtube": "https://console.cloud.google.com/apis/credentials",
    "linkedin": "https://www.linkedin.com/developers/apps",
    "tiktok": "https://business-api.tiktok.com/portal",
    "threads": "https://developers.facebook.com/apps",
}


@tagged("social_crm", "social_crm_views", "post_install", "-at_install")
class TestAccountGuidance(SocialCrmCommon):
    def _guides_shown(self, user, network):
        """The guidance blocks of the account form as ``user`` receives it, visible for ``network``."""
        views = self.env(user=user)["social_crm.account"].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        return [
            div
            for div in arch.xpath("//sheet/div[contains(@class, 'text-muted')]")
            if not safe_eval(div.get("invisible", "False"), {"network": network, "telegram_mode": "webhook"})
        ]

    def test_each_network_gets_its_own_guidance_with_the_vendor_link(self):
        networks = [code for code, _label in self.env["social_crm.account"]._fields["network"].selection]
        for network in networks:
            with self.subTest(network=network):
                shown = self._guides_shown(self.social_manager, network)
                self.assertTrue(shown, f"no guidance for {network}")
                text = " ".join(" ".join(div.itertext()) for div in shown)
                links = [a for div in shown for a in div.iter("a")]
                if network in EXPECTED_LINK:
                    self.assertIn(EXPECTED_LINK[network], [a.get("href") for a in links])
                for link in links:
                    self.assertEqual((link.get("target"), link.get("rel")), ("_blank", "noopener"))
                others = {n for n in EXPECTED_LINK if EXPECTED_LINK[n] != EXPECTED_LINK.get(network)}
                for other in others:
                    self.assertNotIn(EXPECTED_LINK[other], [a.get("href") for a in links])
                self.assertTrue(text.strip())
        mastodon = " ".join(" ".join(d.itertext()) for d in self._guides_shown(self.social_manager, "mastodon"))
        self.assertIn("Preferences, Development, New application", mastodon)
        reddit = " ".join(" ".join(d.itertext()) for d in self._guides_shown(self.social_manager, "reddit"))
        self.assertIn("client id:username", reddit)
        feed = " ".join(" ".join(d.itertext()) for d in self._guides_shown(self.social_manager, "feed"))
        self.assertIn("address of the feed itself", feed)
