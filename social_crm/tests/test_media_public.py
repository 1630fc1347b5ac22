# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pictures in public posts on X, Facebook and Instagram, through the real path: the account polled (or the
Instagram mention delivered to the real webhook route) against the vendor's API on loopback, the mention
stored waiting for its media, the media cron fetching the thumbnail from the vendor's media host (here the
loopback origin of the account) without the token, an attachment of the mention that every Social CRM reader
may open since the post is public, and no one of another company.

Payloads as the vendors document them: X API v2 ``GET /2/users/:id/mentions`` with
``expansions=author_id,attachments.media_keys`` (``includes.media``); Graph API Page ``feed``, Comment
``attachment`` (StoryAttachment ``media.image.src``), Page ``tagged``; Instagram ``mentions`` webhook field
and IG User ``mentioned_media`` with ``media_type``, ``media_url``, ``thumbnail_url``."""

import json
import time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_media import JPEG, PNG, MediaCase
from .test_webhooks_meta_comments import hub_signature

X_USER = "783214"
PAGE_ID = "104567890123456"
POST_ID = f"{PAGE_ID}_987654321098765"
COMMENT_ID = "987654321098765_1122334455667788"
IG_ID = "17841405822304914"
IG_MEDIA_ID = "17920112008063024"
APP_SECRET = "5e2a9c7d1b3f4e6a8d0c2b4f6e8a0c1d"


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestPublicPostPictures(MediaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader = new_test_user(
            cls.env, login="public_media_reader", groups="base.group_user,social_crm.group_social_reader"
        )
        cls.x = cls.connected_account("x", "Acme on X (loopback)", cls.server.url, login=X_USER, token="x-bearer")
        cls.page = cls.account_by_id(
            "facebook", "Acme TH on Facebook (loopback)", PAGE_ID, token="EAAGm0PX4ZCpsBAPageToken", secret=APP_SECRET
        )
        cls.insta = cls.account_by_id(
            "instagram", "Acme TH on Instagram (loopback)", IG_ID, token="EAAGm0PX4ZCpsBAIgToken", secret=APP_SECRET
        )

    def mention(self, account, external_id):
        mention = self.env["social_crm.mention"].search(
            [("account_id", "=", account.id), ("external_id", "=", external_id)]
        )
        self.assertEqual(len(mention), 1)
        return mention

    def check_picture(self, mention, path, data, mimetype, alt=""):
        """The mention waits for its media; the cron fetches it without the token; every reader opens it."""
        self.assertEqual(mention.media_state, "pending")
        self.assertEqual(mention.visibility, "public")
        self.assertFalse(self.requests_to(path), "nothing downloaded while the mention was stored")
        self.run_media()
        self.assertEqual(mention.media_state, "done", mention.media_note)
        [attachment] = self.attachments(mention)
        self.assertEqual((attachment.mimetype, attachment.description or ""), (mimetype, alt))
        [request] = self.requests_to(path)
        self.assertNotIn("Authorization", request["headers"], "the token never goes with a picture")
        self.env.invalidate_all()
        self.assertEqual(attachment.with_user(self.reader).raw, data, "a public post's picture: every reader")
        with self.assertRaises(AccessError):
            attachment.with_user(self.outsider).read(["raw"])
        self.run_media()
        self.assertEqual(len(self.requests_to(path)), 1, "never downloaded twice")
        return attachment

    def test_x_mention_with_a_photo(self):
        server = self.server
        server.route("GET", "/2/users/me", (200, {}, {"data": {"id": X_USER, "username": "acme", "name": "Acme"}}))
        photo = f"{server.url}/media/GbXyZaAWsAAp1_1.jpg"
        server.route(
            "GET",
            f"/2/users/{X_USER}/mentions",
            (
                200,
                {},
                {
                    "data": [
                        {
                            "id": "1790000000000000011",
                            "text": "@acme it arrived like this",
                            "author_id": "2244994945",
                            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 60)),
                            "conversation_id": "1790000000000000011",
                            "lang": "en",
                            "attachments": {"media_keys": ["3_1790000000000000101"]},
                            "edit_history_tweet_ids": ["1790000000000000011"],
                        }
                    ],
                    "includes": {
                        "media": [
                            {
                                "media_key": "3_1790000000000000101",
                                "type": "photo",
                                "url": photo,
                                "alt_text": "A crushed parcel on a doorstep",
                            }
                        ],
                        "users": [{"id": "2244994945", "username": "jane", "name": "Jane Doe"}],
                    },
                    "meta": {"result_count": 1, "newest_id": "1790000000000000011"},
                },
            ),
        )
        server.route("GET", "/media/GbXyZaAWsAAp1_1.jpg", (200, {"Content-Type": "image/jpeg"}, JPEG))
        self.x._fetch_mentions()
        [asked] = self.requests_to(f"/2/users/{X_USER}/mentions")
        self.assertEqual(asked["query"]["expansions"], ["author_id,attachments.media_keys"])
        mention = self.mention(self.x, "1790000000000000011")
        self.assertEqual(mention.external_data["media"][0]["url"], f"{photo}?name=small")
        attachment = self.check_picture(
            mention, "/media/GbXyZaAWsAAp1_1.jpg", JPEG, "image/jpeg", "A crushed parcel on a doorstep"
        )
        [request] = self.requests_to("/media/GbXyZaAWsAAp1_1.jpg")
        self.assertEqual(request["query"], {"name": ["small"]}, "X's small size")
        self.assertEqual(attachment.company_id, mention.company_id)

    def test_facebook_comment_with_a_photo(self):
        server = self.server
        picture = f"{server.url}/v/t39.30808-6/4651_n.jpg"
        server.route("GET", f"/{PAGE_ID}", (200, {}, {"id": PAGE_ID, "name": "Acme Thailand"}))
        server.route(
            "GET",
            f"/{PAGE_ID}/feed",
            (200, {}, {"data": [{"id": POST_ID, "created_time": "2026-11-01T08:00:00+0000"}]}),
        )
        comment = {
            "id": COMMENT_ID,
            "message": "มาถึงแบบนี้ค่ะ",
            "created_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() - 60)),
            "from": {"id": "7010203040506070", "name": "สมหญิง ใจดี"},
            "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/987654321098765?comment_id=1122334455667788",
            "attachment": {
                "type": "photo",
                "media": {"image": {"height": 720, "src": f"{picture}?stp=dst-jpg_s720x720&oe=6700A1B2", "width": 720}},
                "description": "กล่องบุบ",
                "target": {"id": "1122334455667790", "url": "https://www.facebook.com/photo.php?fbid=1122334455667790"},
                "url": "https://www.facebook.com/photo.php?fbid=1122334455667790",
            },
        }
        server.route("GET", f"/{POST_ID}/comments", (200, {}, {"data": [comment]}))
        server.route("GET", f"/{PAGE_ID}/tagged", (200, {}, {"data": []}))
        server.route("GET", "/v/t39.30808-6/4651_n.jpg", (200, {"Content-Type": "image/jpeg"}, PNG))
        self.page._fetch_mentions()
        self.assertIn(
            "attachment{type,media{image{src}},description}",
            self.requests_to(f"/{POST_ID}/comments")[0]["query"]["fields"][0],
        )
        mention = self.mention(self.page, COMMENT_ID)
        self.check_picture(mention, "/v/t39.30808-6/4651_n.jpg", PNG, "image/png", "กล่องบุบ")

    def test_facebook_visitor_post_with_photos_by_webhook(self):
        server = self.server
        photos = [f"{server.url}/v/t39.30808-6/wrong_colour_{n}.jpg?_nc_cat=1" for n in (1, 2)]
        for n in (1, 2):
            server.route("GET", f"/v/t39.30808-6/wrong_colour_{n}.jpg", (200, {}, JPEG))
        now = int(time.time())
        value = {
            "from": {"id": "7010203040506072", "name": "Pim S."},
            "message": "ร้านส่งของผิดสีค่ะ",
            "post_id": f"{PAGE_ID}_555666777888999",
            "created_time": now - 5,
            "item": "status",
            "published": 1,
            "verb": "add",
            "photos": photos,
        }
        delivery = {
            "object": "page",
            "entry": [{"id": PAGE_ID, "time": now, "changes": [{"field": "feed", "value": value}]}],
        }
        body = json.dumps(delivery, ensure_ascii=False).encode()
        response = self.deliver(self.page, body, {"X-Hub-Signature-256": hub_signature(body, APP_SECRET)})
        self.assertEqual(response.status_code, 200)
        self.run_processing()
        mention = self.mention(self.page, f"{PAGE_ID}_555666777888999")
        self.assertEqual(mention.media_state, "pending")
        self.run_media()
        attachments = self.attachments(mention)
        self.assertEqual(attachments.mapped("mimetype"), ["image/jpeg", "image/jpeg"])
        self.assertEqual(len(self.requests_to("/v/t39.30808-6/wrong_colour_2.jpg")), 1)
        self.env.invalidate_all()
        self.assertEqual(attachments[1].with_user(self.reader).raw, JPEG)

    def test_instagram_caption_mention_with_its_picture(self):
        server = self.server
        picture = f"{server.url}/v/t51.29350-15/4651_n.jpg"

        def ig_user(request):
            fields = request["query"].get("fields", [""])[0]
            if fields.startswith(f"mentioned_media.media_id({IG_MEDIA_ID})"):
                mentioned = {
                    "caption": "@acme.th ของมาไม่ครบค่ะ",
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
                    "permalink": "https://www.instagram.com/p/DAbc999/",
                    "username": "mint.ch",
                    "media_type": "IMAGE",
                    "media_url": f"{picture}?_nc_cat=1&oe=6700A1B2",
                    "id": IG_MEDIA_ID,
                }
                return 200, {}, {"mentioned_media": mentioned, "id": IG_ID}
            return 200, {}, {"id": IG_ID, "username": "acme.th", "name": "Acme Thailand"}

        server.route("GET", f"/{IG_ID}", ig_user)
        server.route("GET", "/v/t51.29350-15/4651_n.jpg", (200, {"Content-Type": "image/jpeg"}, JPEG))
        delivery = {
            "object": "instagram",
            "entry": [
                {
                    "id": IG_ID,
                    "time": int(time.time()),
                    "changes": [{"field": "mentions", "value": {"media_id": IG_MEDIA_ID}}],
                }
            ],
        }
        body = json.dumps(delivery).encode()
        response = self.deliver(self.insta, body, {"X-Hub-Signature-256": hub_signature(body, APP_SECRET)})
        self.assertEqual(response.status_code, 200)
        self.run_processing()
        mention = self.mention(self.insta, IG_MEDIA_ID)
        self.check_picture(mention, "/v/t51.29350-15/4651_n.jpg", JPEG, "image/jpeg")
