"""Intent rules per language (see social_crm/nlp/intent.py for the rules)."""

import pytest

from social_crm.nlp import intent


@pytest.mark.parametrize(
    "text,lang,expected",
    [
        # Thai: particles, with the longer words that contain them
        ("ร้านเปิดกี่โมงครับ", "th", "question"),
        ("สินค้ามาถึงเมื่อไหร่ครับ", "th", "question"),
        ("ส่งของได้ไหม", "th", "question"),
        ("มีสีดำมั้ยคะ", "th", "buying"),  # asks whether it comes in black: a buying signal
        ("ราคาเท่าไหร่ครับ", "th", "buying"),  # asks the price: a buying signal
        ("ส่งของได้ไหม", None, "question"),
        ("ทำไมสีนี้ถึงแพงกว่า", "th", "question"),
        ("ทำไมยังไม่ส่งของมา", "th", "complaint"),
        ("ผ้าไหมผืนนี้สวยมาก", "th", "other"),  # silk, not a question
        ("ไฟไหม้ที่ตลาดเมื่อคืน", "th", "other"),  # burnt, not a question
        ("มีไม่กี่ชิ้นเอง", "th", "other"),  # "only a few"
        ("ไม่เป็นไรหรอก", "th", "other"),  # หรอก is no question
        ("ขอบคุณมากครับ", "th", "other"),  # thank you is no request
        ("รบกวนส่งใบเสร็จให้ด้วยค่ะ", "th", "request"),
        ("ช่วยเช็คให้หน่อยครับ", "th", "request"),
        ("ขอคืนเงินค่ะ สินค้าพัง", "th", "complaint"),
        ("สั่งไปสองอาทิตย์ยังไม่ได้รับของเลย", "th", "complaint"),
        # Persian
        ("سفارشم کی می‌رسه؟", "fa", "question"),
        ("آیا امکان ارسال به شیراز هست", "fa", "question"),
        ("چرا جواب نمیدید", "fa", "question"),
        ("لطفا رنگ آبی هم بیارید", "fa", "request"),
        ("محصول خراب بود", "fa", "complaint"),
        ("سفارش من هنوز نرسیده", "fa", "complaint"),
        # Arabic
        ("متى يصل الطلب", "ar", "question"),
        ("من فضلك أرسل الفاتورة", "ar", "request"),
        ("الطلب لم يصل حتى الآن", "ar", "complaint"),
        # English
        ("When does the store open?", "en", "question"),
        ("how do I reset my password", "en", "question"),
        ("Please add a dark mode", "en", "request"),
        ("Could you send me the invoice?", "en", "request"),
        ("I want a refund, the item is broken", "en", "complaint"),
        ("My parcel never arrived", "en", "complaint"),
        ("What a great day", "en", "other"),
        # other training languages
        ("¿Cuándo llega mi pedido?", "es", "question"),
        ("Por favor, envíen la factura", "es", "request"),
        ("Quiero un reembolso", "es", "complaint"),
        ("Wann kommt meine Bestellung", "de", "question"),
        ("Bitte schicken Sie mir die Rechnung", "de", "request"),
        ("Das Gerät ist kaputt", "de", "complaint"),
        ("Pourquoi ma commande est en retard", "fr", "complaint"),
        ("Quand ouvre le magasin", "fr", "question"),
        ("Envoyez la facture s'il vous plaît", "fr", "request"),
        ("Quando arriva il mio ordine", "it", "question"),
        ("Per favore mandatemi la fattura", "it", "request"),
        ("Voglio un rimborso", "it", "complaint"),
        ("Quando chega meu pedido", "pt", "question"),
        ("Meu pedido não chegou", "pt", "complaint"),
        ("Kapan pesanan saya sampai", "id", "question"),
        ("Tolong kirim fakturnya", "id", "request"),
        ("Barangnya rusak", "id", "complaint"),
        ("कृपया बिल भेजें", "hi", "request"),
        ("मेरा ऑर्डर कब आएगा", "hi", "question"),
    ],
)
def test_rules_per_language(text, lang, expected):
    assert intent.classify(text, lang, "neutral", 0.0) == expected


def test_sentiment_decides_the_rest():
    assert intent.classify("so good", "en", "positive", 0.8) == "praise"
    assert intent.classify("ดีมากครับ ขอบคุณมาก", "th", "positive", 0.7) == "praise"
    assert intent.classify("meh", "en", "negative", -0.3) == "complaint"
    assert intent.classify("it arrived", "en", "neutral", 0.0) == "other"
    # praise never swallows a question or a request
    assert intent.classify("Love it! When do you open in Canada?", "en", "positive", 0.9) == "question"
    assert intent.classify("Love it! Do you ship to Canada?", "en", "positive", 0.9) == "buying"
    assert intent.classify("Great app, please add a dark mode", "en", "positive", 0.9) == "request"
    # a clearly negative score is a complaint even when phrased as a question
    assert intent.classify("Why is this so bad?", "en", "negative", -0.8) == "complaint"


def test_language_unknown_still_finds_questions():
    assert intent.classify("ส่งของได้ไหม", None, "neutral", 0.0) == "question"
    assert intent.classify("چرا جواب نمیدید", None, "neutral", 0.0) == "question"
