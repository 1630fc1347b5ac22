import pytest

from social_crm.nlp import language


@pytest.mark.parametrize(
    "text,lang",
    [
        ("สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย", "th"),
        ("ได้ไหม", "th"),
        ("سفارشم کی می‌رسه؟", "fa"),
        ("پشتیبانی عالی", "fa"),
        ("متى يصل طلبي؟ لقد انتظرت كثيرا", "ar"),
        ("میرا آرڈر ابھی تک نہیں پہنچا ہے", "ur"),
        ("주문한 물건이 아직 안 왔어요", "ko"),
        ("注文した商品がまだ届きません", "ja"),
        ("我的订单还没有到", "zh"),
        ("मेरा ऑर्डर अभी तक नहीं आया", "hi"),
        ("ההזמנה שלי עדיין לא הגיעה", "he"),
        ("Η παραγγελία μου δεν έχει φτάσει ακόμα", "el"),
        ("ჩემი შეკვეთა ჯერ არ მოსულა", "ka"),
        ("My order still has not arrived, this is really frustrating", "en"),
        ("Mi pedido todavía no ha llegado, estoy muy molesto", "es"),
        ("Ma commande n'est toujours pas arrivée, c'est vraiment pénible", "fr"),
        ("Meine Bestellung ist immer noch nicht angekommen, das ist ärgerlich", "de"),
        ("Il mio ordine non è ancora arrivato, sono molto deluso", "it"),
        ("Meu pedido ainda não chegou, estou muito chateado", "pt"),
        ("Pesanan saya belum sampai juga, sangat mengecewakan", "id"),
        ("Мой заказ до сих пор не пришёл, это очень неприятно", "ru"),
        ("Моє замовлення досі не прийшло, це дуже неприємно", "uk"),
        ("Поръчката ми още не е пристигнала, много съм ядосан", "bg"),
        ("Моја поруџбина још није стигла", "sr"),
        ("Менің тапсырысым әлі келген жоқ", "kk"),
        ("Իմ պատվերը դեռ չի հասել", "hy"),
        ("ขอบคุณ", "th"),
        ("ありがとう", "ja"),
        ("감사합니다", "ko"),
        # Persian typed on an Arabic keyboard (ي and ك, none of پ چ ژ گ ک ی): the Arabic-script model decides
        ("خيلي خوب بود واقعا عالي", "fa"),
        ("الخدمة ممتازة جدا شكرا لكم", "ar"),
    ],
)
def test_languages(text, lang):
    assert language.detect(text) == lang


@pytest.mark.parametrize(
    "text", ["", "   ", None, "😀😀🔥", "ok", "@acme", "https://x.com/a #tag", "12345 !!!", b"\xff\xfe"]
)
def test_too_little_to_tell(text):
    assert language.detect(text) is None


def test_handles_links_and_hashtags_do_not_vote():
    text = "@acme.bsky.social #AcmeCare https://acme.example/help ยังไม่ได้รับของเลยครับ"
    assert language.detect(text) == "th"


def test_mixed_scripts_take_the_dominant_one():
    assert language.detect("iPhone 15 Pro ราคาเท่าไหร่ครับ ส่งฟรีไหม") == "th"


def test_deterministic():
    text = "Obrigado pela ajuda, resolveram rápido"
    assert len({language.detect(text) for _ in range(5)}) == 1


def test_batch_equals_one_by_one():
    texts = [
        "ส่งของได้ไหม",
        "Danke für die schnelle Lieferung",
        None,
        "",
        "😀",
        "پشتیبانی عالی",
        "Merci beaucoup pour votre aide",
        "ok",
        "Terima kasih atas bantuannya",
    ]
    assert language.detect_many(texts) == [language.detect(text) for text in texts]


def test_short_latin_texts_abstain_rather_than_guess():
    # two or three letters of Latin script say nothing reliable about the language
    for text in ("ok", "lol", "hi", "yes"):
        assert language.detect(text) in (None, "en")
    assert language.detect("ok") is None
