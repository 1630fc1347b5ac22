"""The Bluesky client against a real Bluesky network (PLC, PDS, AppView) on loopback."""

import pytest

from social_crm.connectors import errors, get_client


def test_mentions_thread_and_reply_on_a_real_network(bluesky_network):
    net = bluesky_network
    brand = net.create_account("acmecare.test", "brand-pass")
    jane = net.create_account("jane.test", "jane-pass")
    text = "@acmecare.test สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย 😡 ช่วยดูให้หน่อยครับ"
    root = net.post(jane, text, mentions=[("acmecare.test", brand["did"])])

    client = get_client("bluesky", base_url=net.pds_url, login="acmecare.test", token="brand-pass")
    me = client.verify()
    assert me.external_id == brand["did"] and me.handle == "acmecare.test"

    def fetched():
        return [i for p in get_client("bluesky", base_url=net.pds_url, login="acmecare.test",
                                      token="brand-pass").fetch() for i in p.items]

    items = net.wait_for(fetched)
    mention = next(i for i in items if i.external_id == root["uri"])
    assert mention.text == text
    assert mention.author.handle == "jane.test" and not mention.is_own
    assert mention.root_id == root["uri"] and mention.parent_id is None
    assert mention.extra["cid"] == root["cid"]

    pages = list(client.fetch())
    cursor = pages[-1].cursor
    assert sum(len(p.items) for p in get_client("bluesky", base_url=net.pds_url, login="acmecare.test",
                                                token="brand-pass").fetch(cursor=cursor)) == 0

    strong = {"uri": root["uri"], "cid": root["cid"]}
    follow_up = net.post(jane, "@acmecare.test ยังรออยู่นะครับ", mentions=[("acmecare.test", brand["did"])],
                         reply_to={"root": strong, "parent": strong})

    def new_items():
        return [i for p in get_client("bluesky", base_url=net.pds_url, login="acmecare.test",
                                      token="brand-pass").fetch(cursor=cursor) for i in p.items]

    reply_item = next(i for i in net.wait_for(new_items) if i.external_id == follow_up["uri"])
    assert reply_item.root_id == root["uri"] and reply_item.parent_id == root["uri"]

    posted = client.reply("ขออภัยครับคุณ @jane.test กำลังตรวจสอบให้ครับ 🙏", parent_id=reply_item.external_id,
                          root_id=reply_item.root_id, extra=reply_item.extra)
    assert posted.is_own and posted.root_id == root["uri"]

    def brand_answers():
        thread = net.thread(jane, root["uri"])["thread"]
        replies = [r for r in thread.get("replies", []) if r["post"]["uri"] == follow_up["uri"]]
        return [r["post"] for r in replies[0].get("replies", [])] if replies else []

    brand_answers = net.wait_for(brand_answers)
    assert [p["uri"] for p in brand_answers] == [posted.external_id]
    assert brand_answers[0]["author"]["did"] == brand["did"]
    facets = brand_answers[0]["record"]["facets"]
    assert facets[0]["features"][0]["did"] == jane["did"]

    posts = client.thread(root["uri"])
    assert {p.external_id for p in posts} >= {root["uri"], follow_up["uri"], posted.external_id}


def test_wrong_password_is_refused_by_the_real_server(bluesky_network):
    bluesky_network.create_account("bob.test", "bob-pass")
    with pytest.raises(errors.AuthenticationFailed):
        get_client("bluesky", base_url=bluesky_network.pds_url, login="bob.test", token="nope").verify()
