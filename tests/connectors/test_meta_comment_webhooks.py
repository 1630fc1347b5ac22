"""Facebook Page ``feed`` and Instagram ``comments`` / ``mentions`` webhooks: recorded deliveries shaped as
Meta's Webhooks reference (Page feed field; Instagram Platform webhook examples) shows them, read into public
items with the poller's ids; Instagram mentions read by id from a loopback Graph API."""

import copy
import json
from urllib.parse import parse_qs

import pytest
from meta_payloads import APP_SECRET, IG_ID, PAGE_ID, body, delivery, malformations, signature
from requests.structures import CaseInsensitiveDict

from social_crm.connectors import errors, get_client, get_client_class

FACEBOOK = get_client_class("facebook")
INSTAGRAM = get_client_class("instagram")
POST_ID = f"{PAGE_ID}_987654321098765"
COMMENT_ID = "987654321098765_1122334455667788"
REPLY_ID = "987654321098765_1122334455667799"


def read_all(client, name, own_id):
    return [client.read_event(event.raw, own_id) for event in client.split_delivery(delivery(name))]


def test_feed_and_comment_deliveries_are_signed_like_messenger():
    for name in ("facebook_feed", "instagram_comments", "instagram_mentions"):
        raw = body(name)
        FACEBOOK.check_signature(raw, CaseInsensitiveDict({"X-Hub-Signature-256": signature(raw)}), APP_SECRET)
        with pytest.raises(errors.BadSignature):
            FACEBOOK.check_signature(raw, {"X-Hub-Signature-256": signature(raw, "guessed")}, APP_SECRET)


def test_feed_changes_are_split_one_per_event_with_their_page_and_stable_ids():
    events = FACEBOOK.split_delivery(delivery("facebook_feed"))
    assert len(events) == 7
    assert {(e.owner_id, e.network) for e in events} == {(PAGE_ID, "facebook")}
    again = copy.deepcopy(delivery("facebook_feed"))
    for entry in again["entry"]:
        entry["time"] += 3600  # Meta redelivers later: the envelope changes, the event ids do not
    assert [e.event_id for e in FACEBOOK.split_delivery(again)] == [e.event_id for e in events]
    assert len({e.event_id for e in events}) == 7


def test_comment_add_is_a_public_comment_with_the_pollers_ids():
    outcomes = read_all(FACEBOOK, "facebook_feed", PAGE_ID)
    first = outcomes[0]
    assert first.public and not first.deleted_ids
    (item,) = first.items
    assert item.external_id == COMMENT_ID  # GET /{post-id}/comments gives the same id
    assert item.text == "สั่งรองเท้าไปตั้งแต่วันจันทร์ ยังไม่ได้ของเลยค่ะ ช่วยเช็กให้หน่อยได้ไหมคะ"
    assert (item.parent_id, item.root_id, item.kind) == (POST_ID, POST_ID, "comment")
    assert (item.author.external_id, item.author.name) == ("7010203040506070", "สมหญิง ใจดี")
    assert item.posted_at.timestamp() == 1790000005
    assert item.url == f"https://www.facebook.com/{PAGE_ID}/posts/987654321098765?comment_id=1122334455667788"
    assert not item.is_own and item.visibility == "public"


def test_reply_edit_removal_post_reaction_and_own_post():
    _first, reply, edit, removal, post, reaction, own_post = read_all(FACEBOOK, "facebook_feed", PAGE_ID)
    (item,) = reply.items
    assert (item.external_id, item.parent_id, item.root_id) == (REPLY_ID, COMMENT_ID, POST_ID)
    (item,) = edit.items
    assert item.external_id.startswith(f"{COMMENT_ID}:edit:")
    assert item.text.endswith("เลขคำสั่งซื้อ 55012")
    assert item.parent_id == COMMENT_ID and item.extra["reply_to"] == COMMENT_ID
    assert item.posted_at.timestamp() == 1790000200  # when it was edited, not when first written
    assert (removal.items, removal.deleted_ids) == ([], [REPLY_ID])
    (item,) = post.items
    assert (item.external_id, item.kind, item.text) == (f"{PAGE_ID}_555666777888999", "mention", "ร้านเปิดวันอาทิตย์ไหมคะ")
    assert item.parent_id is None and item.root_id == item.external_id
    assert reaction.items == [] and "reaction" in reaction.ignored
    assert own_post.items == [] and "own post" in own_post.ignored


def test_an_edit_redelivered_is_the_same_event_and_item_and_another_edit_is_not():
    payload = delivery("facebook_feed")
    edit = {"object": "page", "entry": [payload["entry"][2]]}
    (a,) = FACEBOOK.split_delivery(edit)
    (b,) = FACEBOOK.split_delivery(copy.deepcopy(edit))
    changed = copy.deepcopy(edit)
    changed["entry"][0]["changes"][0]["value"]["message"] = "ได้ของแล้วค่ะ ขอบคุณ"
    (c,) = FACEBOOK.split_delivery(changed)
    assert a.event_id == b.event_id != c.event_id
    ids = [FACEBOOK.read_event(e.raw, PAGE_ID).items[0].external_id for e in (a, b, c)]
    assert ids[0] == ids[1] != ids[2]


def test_a_feed_change_of_another_page_is_ignored():
    (event, *_rest) = FACEBOOK.split_delivery(delivery("facebook_feed"))
    outcome = FACEBOOK.read_event(event.raw, own_id="999999999")
    assert outcome.items == [] and "another Page" in outcome.ignored


@pytest.mark.parametrize(
    "break_it", malformations("comment_id", "../../me/feed", "message", {"not": "text"}, "created_time")
)
def test_malformed_feed_comments_raise_bad_payload(break_it):
    payload = {"object": "page", "entry": [copy.deepcopy(delivery("facebook_feed")["entry"][0])]}
    break_it(payload["entry"][0]["changes"][0]["value"])
    (event,) = FACEBOOK.split_delivery(payload)
    with pytest.raises(errors.BadPayload):
        FACEBOOK.read_event(event.raw, PAGE_ID)


def test_instagram_comment_and_reply_with_the_pollers_ids():
    first, reply = read_all(INSTAGRAM, "instagram_comments", IG_ID)
    (item,) = first.items
    assert first.public
    assert (item.external_id, item.parent_id, item.root_id, item.kind) == (
        "17865799348089039",
        "17895695668004550",
        "17895695668004550",
        "comment",
    )
    assert (item.author.external_id, item.author.handle) == ("1284590127364512", "nok.sirin")
    assert item.text == "ส่งของช้ามากค่ะ สั่งไปอาทิตย์นึงแล้ว"
    assert item.extra == {"media_id": "17895695668004550"}
    assert item.posted_at.timestamp() == 1790000800
    (item,) = reply.items
    assert (item.parent_id, item.kind) == ("17865799348089039", "reply")


def test_one_callback_url_per_app_instagram_deliveries_split_by_the_page_client_keep_their_network():
    events = FACEBOOK.split_delivery(delivery("instagram_comments"))
    assert {(e.owner_id, e.network) for e in events} == {(IG_ID, "instagram")}
    assert events[0].raw["object"] == "instagram"
    (item,) = INSTAGRAM.read_event(events[0].raw, IG_ID).items
    assert item.external_id == "17865799348089039"
    # WhatsApp deliveries are never taken for a Page's or an Instagram account's
    with pytest.raises(errors.BadPayload):
        FACEBOOK.split_delivery(delivery("whatsapp_messages"))


def test_instagram_mentions_hold_only_ids_to_read():
    comment, caption = read_all(INSTAGRAM, "instagram_mentions", IG_ID)
    assert comment.public and comment.items == []
    assert comment.lookups == [{"kind": "mention", "media_id": "17918195224117851", "comment_id": "17894227972186120"}]
    assert caption.lookups == [{"kind": "mention", "media_id": "17920112008063024"}]


@pytest.fixture
def graph(server):
    """The IG User node answering ``mentioned_comment`` and ``mentioned_media`` field expansions as the
    IG User Mentioned Comment and Mentioned Media references show, and ``POST /{ig-user-id}/mentions``."""

    def ig_user(request):
        fields = request["query"]["fields"][0]
        if fields.startswith("mentioned_comment.comment_id(17894227972186120)"):
            return (
                200,
                {},
                {
                    "mentioned_comment": {
                        "timestamp": "2026-09-21T11:35:00+0000",
                        "text": "@acme.th สั่งกระเป๋าไปสองอาทิตย์แล้ว ยังไม่ได้เลยค่ะ",
                        "username": "mint.ch",
                        "media": {"id": "17918195224117851", "permalink": "https://www.instagram.com/p/DAbc123/"},
                        "id": "17894227972186120",
                    },
                    "id": IG_ID,
                },
            )
        if fields.startswith("mentioned_media.media_id(17920112008063024)"):
            return (
                200,
                {},
                {
                    "mentioned_media": {
                        "caption": "รีวิวรองเท้าจาก @acme.th ใส่สบายมาก",
                        "timestamp": "2026-09-21T11:36:00+0000",
                        "permalink": "https://www.instagram.com/p/DAxyz99/",
                        "username": "beam.review",
                        "media_type": "IMAGE",
                        "id": "17920112008063024",
                    },
                    "id": IG_ID,
                },
            )
        return 400, {}, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}

    server.route("GET", f"/{IG_ID}", ig_user)
    server.route("POST", f"/{IG_ID}/mentions", (200, {}, {"id": "17846319838228163"}))
    return server


def instagram(server):
    return get_client("instagram", base_url=server.url, allowed_hosts="127.0.0.1", login=IG_ID, token="tok")


def test_mentions_are_read_by_id_and_answered_through_the_mentions_edge(graph):
    client = instagram(graph)
    comment, caption = read_all(INSTAGRAM, "instagram_mentions", IG_ID)
    items = client.read_lookups(comment.lookups + caption.lookups)
    mention, media = items
    assert (mention.external_id, mention.kind, mention.parent_id, mention.root_id) == (
        "17894227972186120",
        "mention",
        "17918195224117851",
        "17918195224117851",
    )
    assert mention.text == "@acme.th สั่งกระเป๋าไปสองอาทิตย์แล้ว ยังไม่ได้เลยค่ะ"
    assert (mention.author.external_id, mention.url) == ("mint.ch", "https://www.instagram.com/p/DAbc123/")
    assert mention.extra == {"media_id": "17918195224117851", "mentioned": True, "comment_id": "17894227972186120"}
    assert (media.external_id, media.text, media.author.handle) == (
        "17920112008063024",
        "รีวิวรองเท้าจาก @acme.th ใส่สบายมาก",
        "beam.review",
    )
    assert media.parent_id is None and media.extra == {"media_id": "17920112008063024", "mentioned": True}

    graph.route("GET", f"/{IG_ID}", (200, {}, {"id": IG_ID, "username": "acme.th"}))  # own() for the answer
    sent = client.reply("ขออภัยค่ะ ทีมงานจะตรวจสอบให้ทันทีค่ะ", mention.external_id, mention.root_id, mention.extra)
    assert sent.external_id == "17846319838228163" and sent.is_own
    sent_media = client.reply("ขอบคุณค่ะ", media.external_id, media.root_id, media.extra)
    posts = [r for r in graph.requests if r["method"] == "POST"]
    assert [r["path"] for r in posts] == [f"/{IG_ID}/mentions"] * 2
    forms = [{k: v[0] for k, v in parse_qs(r["body"].decode()).items()} for r in posts]
    assert forms[0] == {
        "media_id": "17918195224117851",
        "comment_id": "17894227972186120",
        "message": "ขออภัยค่ะ ทีมงานจะตรวจสอบให้ทันทีค่ะ",
    }
    assert forms[1] == {"media_id": "17920112008063024", "message": "ขอบคุณค่ะ"}
    assert sent_media.parent_id == media.external_id


def test_a_mention_answer_of_another_id_or_without_author_is_refused(graph):
    client = instagram(graph)
    graph.route(
        "GET",
        f"/{IG_ID}",
        (200, {}, {"mentioned_comment": {"id": "1", "text": "x", "timestamp": "2026-09-21T11:35:00+0000"}}),
    )
    with pytest.raises(errors.BadPayload):
        client.read_lookups([{"kind": "mention", "media_id": "2", "comment_id": "17894227972186120"}])


def test_a_deleted_mention_is_not_found(graph):
    graph.route(
        "GET",
        f"/{IG_ID}",
        (
            400,
            {},
            {
                "error": {
                    "message": "Unsupported get request",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        ),
    )
    with pytest.raises(errors.NotFound):
        instagram(graph).read_lookups([{"kind": "mention", "media_id": "17920112008063024"}])


def test_subscribing_the_page_asks_for_the_feed_and_messenger_fields_then_the_feed_alone(server):
    calls = []

    def subscribed_apps(request):
        fields = parse_qs(request["body"].decode())["subscribed_fields"][0]
        calls.append(fields)
        if "messages" in fields:
            return 403, {}, {"error": {"message": "(#200) Requires pages_messaging permission", "code": 200}}
        return 200, {}, {"success": True}

    server.route("POST", f"/{PAGE_ID}/subscribed_apps", subscribed_apps)
    client = get_client("facebook", base_url=server.url, allowed_hosts="127.0.0.1", login=PAGE_ID, token="tok")
    assert client.subscribe_webhooks() == ["feed"]
    assert calls == ["feed,messages,messaging_postbacks,message_echoes,message_edits", "feed"]
    server.route(
        "POST",
        f"/{PAGE_ID}/subscribed_apps",
        (403, {}, {"error": {"message": "(#200) Requires pages_manage_metadata permission", "code": 200}}),
    )
    with pytest.raises(errors.SocialApiError, match="pages_manage_metadata"):
        client.subscribe_webhooks()
    assert json.loads(json.dumps(client.routed_objects)) == {"page": "facebook", "instagram": "instagram"}
