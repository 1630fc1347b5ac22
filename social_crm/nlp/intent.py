"""Intent: complaint, buying, question, praise, request or other, in every training language.

A linear model (``models/intent.npz``, trained by scripts/train_nlp.py and chosen by
cross-validation) reads the fast sentiment tier's hashed features, the rule cues below
and the sentiment; the rules alone answer when the model file is missing. Demands and
imperatives ("fix it now", "แก้ด่วน", "همین الان درستش کنید") are a cue of their own:
a complaint when the text is negative or holds a complaint cue, else a request.

Rules, in order (the first that holds wins):

1. complaint: a demand on a negative text, a complaint cue (refund, broken, late, never arrived, still waiting, scam;
   reembolso, remboursement, kaputt, rimborso, rusak; คืนเงิน, พัง, ยังไม่ได้รับ; خراب،
   نرسیده، مرجوع; لم يصل، استرداد ...) or a clearly negative sentiment (score <= -0.5);
2. buying, a buying signal (not on a negative text): asking for the price, a quote, availability, how to
   order or buy, wholesale, a demo or a trial (how much, price, quote, in stock, how do I order, wholesale,
   free trial; ราคา, เท่าไหร่, กี่บาท, ยังมีของ, อยากสั่ง, สั่งยังไง, สนใจ, ขายส่ง, ทดลองใช้; قیمت، چنده،
   موجود دارید، سفارش بدم، می‌خوام بخرم، عمده، پیش‌فاکتور، نسخه آزمایشی; and the other shipped languages).
   A complaint about an order ("my order hasn't arrived", "สั่งไปแล้วยังไม่ได้ของ", "سفارشم هنوز نرسیده")
   is a complaint (rule 1 comes first);
3. request: a demand (fix it, right now, asap, immediately, แก้ด่วน, รีบแก้, همین الان, فورا,
   درستش کنید, sofort, inmediatamente, segera ...) or a request phrase: please/pls/plz, could you/can you/would you, bitte,
   könnten Sie, por favor, s'il vous plaît/svp, per favore, tolong/mohon, कृपया/kripya,
   لطفا/لطفاً/خواهشا, من فضلك/لو سمحت/الرجاء, Thai รบกวน, โปรด, ช่วย...หน่อย/ด้วย and
   ขอ (but not ของ "thing", ขอบคุณ "thank you", ขอโทษ "sorry", ขอให้ "wish that");
4. question: a question mark (? ？ ؟ ¿); a Thai question particle or word, matched
   with care for the longer words that contain it: ไหม (not ไหม้ "burnt", not ผ้าไหม
   "silk"), มั้ย/มั๊ย, หรือเปล่า/รึเปล่า/หรือป่าว, หรือยัง/รึยัง, อะไร (not อะไรก็ได้),
   ยังไง/อย่างไร (not ยังไงก็ "anyway"), เมื่อไหร่/เมื่อไร, ที่ไหน/ตรงไหน, ทำไม,
   กี่ (not ไม่กี่ "a few"), เท่าไหร่ (not ไม่เท่าไหร่ "not much"), ใคร (not ใครๆ),
   หรอ/เหรอ (not หรอก), ...บ้าง, คะ ending a sentence (not นะคะ), and the chat
   spellings ไร/อะรัย/เท่ารัย, ปะ/ป่ะ, ใหม (for ไหม; not ใหม่ "new"), ใหน, หลอ; Persian آیا،
   چرا، چطور، چگونه، کجا، کدوم/کدام، چی/چیه and کی as whole words, چه opening
   the text; Arabic هل، لماذا، متى، أين، كيف، ماذا، كم; Hindi क्या/क्यों/कब/कैसे/कहाँ/कौन/कितना
   as whole words; and a question word opening
   the text in the other languages (how/what/when/where/why/do/does/is/are/can...,
   wie/was/wann/wo/warum, cómo/qué/cuándo/dónde, comment/pourquoi/quand/où,
   come/perché/quando/dove, como/onde/quando/porque, apa/apakah/bagaimana/kapan/berapa,
   kya/kaise/kab/kahan, क्या/क्यों/कब/कैसे/कहाँ);
5. complaint: negative sentiment;
6. praise: positive sentiment (no question, no request: those came first);
7. other.
"""

import logging
import os
import re
import threading

import numpy as np

_logger = logging.getLogger(__name__)

QUESTION_MARKS = ("?", "？", "؟", "¿")
_TONE = "\u0e48-\u0e4b"
THAI_QUESTION = "|".join(
    [
        rf"(?<!ผ้า)ไหม(?![{_TONE}])",
        r"มั[้๊]ย",
        r"(?:หรือ|รึ)(?:เปล่า|ป่าว|ยัง)",
        r"อะไร(?!ก็|ๆ)",
        r"(?:ยัง|อย่าง)ไง(?!ก็)",
        r"อย่างไร(?!ก็)",
        r"เมื่อไ(?:หร่|ร)(?!ก็)",
        r"(?:ที่|ตรง|อัน|แบบ|ตัว|ร้าน)ไหน(?!ก็|ๆ)",
        r"ไหนบ้าง",
        r"ทำไม",
        r"(?<!ไม่)กี่",
        r"(?<!ไม่)เท่าไ(?:หร่|ร)",
        r"ใคร(?!ๆ|ก็)",
        r"(?:เห|ห)รอ(?!ก)",
        r"บ้าง(?:คะ|ครับ|คับ)",
        r"(?<!นะ)คะ(?=\s|$|[!.~])",
        r"[ปb][่]?ะ(?=\s|$|[!~5]|อ่?ะ|คะ|ครับ|คับ|ค่ะ)",
        r"ได้ป่าว",
        rf"ใหม(?![{_TONE}])",
        r"(?:อะ|เท่า|เทา)(?:ไร|รัย)",
        r"ไร(?=\s|$|[!~]|ค|น่ะ|อ่?ะ|ป่?ะ|วะ|ดี|บ้าง|ครับ|คับ|คะ|ค่ะ)",
        r"ใหน",
        r"หลอ(?!ก)",
        r"(?<!ไม่ว่า)ไหน(?!ก็|ๆ)",
        r"แค่ไหน",
    ]
)
PERSIAN_QUESTION = r"آیا|چرا|چطور|چطوری|چگونه|کجا|کجاست|کدوم|کدام|چی|چیه|کی"
ARABIC_QUESTION = r"هل|لماذا|متى|أين|وين|كيف|ماذا|شو|ليش|كم"
HINDI_QUESTION = r"क्या|क्यों|कब|कैसे|कहाँ|कहां|कौन|कितना|कितने|कितनी"
QUESTION_OPENERS = (
    r"how|what(?! a\b)|when|where|why|who|which|can|could|does|do|is|are|will|would|did|has|have|anyone|"
    r"wie|was|wann|wo|warum|wer|welche[rs]?|kann|können|gibt es|"
    r"cómo|qué|cuándo|dónde|por qué|quién|cuál|cuánto|"
    r"comment|pourquoi|quand|où|qui|est-ce que|quel(?:le)?s?|combien|"
    r"come|cosa|quando|dove|perché|chi|quale|quanto|"
    r"onde|quem|qual|quanto|por que|"
    r"bagaimana|apa|apakah|kapan|dimana|di mana|kenapa|mengapa|siapa|berapa|"
    r"kya|kyun|kyu|kab|kaise|kahan|kaun|क्या|क्यों|कब|कैसे|कहाँ|कौन|"
    r"چه"
)
REQUEST = "|".join(
    [
        r"\bplease\b|\bpls\b|\bplz\b|\bcould you\b|\bcan you\b|\bwould you\b|\bcan u\b|\bi would like\b|\bkindly\b",
        r"\bbitte\b|\bkönnten sie\b|\bkönnen sie\b|\bkannst du\b",
        r"\bpor favor\b|\bpodrían\b|\bpodrías\b|\bpuede[ns]?\b",
        r"s'il (?:vous|te) pla[iî]t|\bsvp\b|\bpourriez\b|\bpouvez-vous\b",
        r"\bper favore\b|\bper piacere\b|\bpotete\b|\bpotreste\b|\bpotrebbe\b",
        r"\bpoderiam\b|\bpoderia\b|\bvocê pode\b|\bvocês podem\b",
        r"\btolong\b|\bmohon\b|\bminta\b",
        r"कृपया|\bkripya\b|\bplease\b",
        r"لطفا|لطفاً|خواهشا|خواهشاً|خواهشمند|خواهش می",
        r"من فضلك|لو سمحت|الرجاء|رجاء|أرجو|ارجو",
        r"รบกวน|โปรด|ช่วย.{0,40}(?:หน่อย|ด้วย)|^\s*ช่วย|ขอ(?!บ|โทษ|ให้|ง)",
    ]
)
COMPLAINT = "|".join(
    [
        r"\brefund\b|\bbroken\b|\bnever arrived\b|\bnot arrived\b|\bhasn'?t arrived\b|\bstill waiting\b|\bscam\b",
        r"\bunacceptable\b|\binakzeptabel\b|\binaceptable\b|\binacceptable\b|\binaccettabile\b|\binaceitável\b",
        r"\btidak bisa diterima\b|غیرقابل قبول|غير مقبول",
        r"\bworst\b|\bdisappointed\b|\bdoesn'?t work\b|\bnot working\b|\bdamaged\b|\bdefective\b|\blate\b",
        r"\breembolso\b|\broto\b|\bestafa\b|\bno (?:ha )?lleg(?:ó|ado)\b|\bdefectuoso\b",
        r"\bremboursement\b|\bcassée?\b|\barnaque\b|\bjamais reçue?\b|\bpas reçue?\b|\ben retard\b",
        r"\brimborso\b|\brott[oa]\b|\btruffa\b|\bnon (?:è )?arrivat[oa]\b|\bin ritardo\b",
        r"\bkaputt\b|\b(?:rück)?erstattung\b|\bbetrug\b|\bnicht angekommen\b|\bdefekt\b|\bverspätet\b",
        r"\bquebrad[oa]\b|\bgolpe\b|\bnão chegou\b|\batrasad[oa]\b|\bdefeito\b",
        r"\brusak\b|\bpenipuan\b|\bbelum sampai\b|\bbelum datang\b|\bterlambat\b|\bkecewa\b",
        r"खराब|टूटा|रिफंड|नहीं पहुंचा|\bkharab\b|\bbekar\b",
        r"คืนเงิน|(?<!ไม่)เสีย(?!ง)|พัง|ยังไม่ได้รับ|ไม่ได้รับของ|ยังไม่ได้ของ|ของยังไม่มา|ยังไม่ถึง|ของไม่มา|ยังไม่ส่ง|ห่วย|แย่มาก|โกง|ช้ามาก|ผิดหวัง|รอนาน",
        r"خراب|مرجوع|پس بگیر|بازپرداخت|برگشت پول|کلاهبرداری|نرسیده|افتضاح|معیوب|شکسته|تاخیر|تأخیر",
        r"استرداد|لم يصل|مكسور|احتيال|نصاب|تأخير|معطل|سيء جدا",
    ]
)
BUYING = "|".join(
    [
        # English
        r"\bhow much (?:is|are|does|do|for|would|will|to)\b|\bhow much\?|\bwhat(?:'s| is| are) the (?:price|cost)s?\b",
        r"\bprice list\b|\bpricing\b|\bprice (?:for|of (?:the|this|that|your|a|one))\b|\bprice\?|\bprices\?",
        r"\b(?:get|send|request|need|want) (?:me |us )?a quote\b|\bquotation\b|\bquote for\b",
        r"\bin stock\b|\bback in stock\b|\bavailability\b|\b(?:is|are) (?:it|this|that|these|they) (?:still )?available\b|\bstill available\b",
        r"\bhow (?:do|can|could) (?:i|we) (?:order|buy|purchase|get one|pay)\b|\bhow to (?:order|buy|purchase)\b",
        r"\bwhere (?:can|do|could) (?:i|we) (?:buy|order|get|purchase)\b|\bplace an order\b|\bpre-?order\b",
        r"\b(?:want|like|love|wanna|looking) to (?:buy|order|purchase)\b|\binterested in (?:buying|ordering|purchasing)\b",
        r"\b(?:can|could|may) (?:i|we) (?:buy|order|purchase)\b|\bi(?:'d| would) like to order\b",
        r"\bwholesale\b|\bbulk (?:order|orders|pricing|price|discount|buy)\b|\bresellers?\b|\bdistributors?\b|\bdistribute your\b",
        r"\b(?:book|schedule|get|request|see) a demo\b|\bdemo (?:of|for)\b|\bfree trial\b|\btrial (?:version|period|account)\b",
        r"\bdo you (?:ship|deliver|sell)\b",
        # Spanish, French, Italian, Portuguese, German, Indonesian, Hindi
        r"\bcu[aá]nto cuesta\b|\bprecio\b|\bcotizaci[oó]n\b|\bquiero comprar\b|\bc[oó]mo (?:puedo )?comprar\b",
        r"\bhay stock\b|\bal por mayor\b|\bprueba gratis\b",
        r"\bcombien (?:co[uû]te|ça co[uû]te)\b|\bquel (?:est le )?prix\b|\bdevis\b|\ben stock\b|\bje voudrais commander\b",
        r"\bcomment commander\b|\bessai gratuit\b|\bvente en gros\b",
        r"\bquanto costa\b|\bprezzo\b|\bpreventivo\b|\bdisponibile\?|\bvorrei ordinare\b|\bcome ordinare\b",
        r"\bquanto custa\b|\bpreço\b|\borçamento\b|\bquero comprar\b|\bcomo comprar\b|\batacado\b",
        r"\bwas kostet\b|\bpreis\b|\bangebot für\b|\bauf lager\b|\bbestellen\?|\bwie (?:kann ich )?bestell",
        r"\bberapa harga(?:nya)?\b|\bharganya\b|\bready stok\b|\bmasih ada\b|\bcara (?:order|pesan|beli)\b|\bmau (?:order|pesan|beli)\b",
        r"\bgrosir\b|कितने का|क़ीमत|कीमत|\bkitne ka\b|\bkeemat\b|ऑर्डर कैसे",
        # Thai
        r"(?:ขอ|สอบถาม|ถาม|แจ้ง|บอก)ราคา|ราคา\s*(?:เท่า|กี่|ยังไง|ไง|\?|ต่อ|ส่ง)|(?<!ไม่)เท่าไ(?:หร่|ร)(?:คะ|ครับ|คับ|ค่ะ|\s|$|\?)",
        r"กี่บาท|ยังมีของ|มีของไหม|มีของมั้ย|ของหมดยัง|ยังมีอยู่ไหม|ยังมีไหม|มีขายไหม|มีขายที่",
        r"มีสต็อก|มีสต๊อก|อยากสั่ง|สั่งยังไง|สั่งได้(?:ที่|ยังไง|ไหม|มั้ย)|สั่งซื้อ(?:ได้|ยังไง|ที่)|ต้องการสั่ง|จะสั่ง|(?<!ไม่)สนใจ",
        r"ขายส่ง|ราคาส่ง|ตัวแทนจำหน่าย|สมัครตัวแทน|ทดลองใช้|เดโม|ใบเสนอราคา|อยากซื้อ|ซื้อได้(?:ที่|ยังไง|ไหม)|ซื้อยังไง",
        r"โอนยังไง|ส่งฟรีไหม|ค่าส่งเท่า|จองได้|พรีออเดอร์|\bcf\s*(?=[ก-๛])|พร้อมส่ง(?:ไหม|มั้ย|ป่ะ|คะ|ครับ)|มีของพร้อมส่ง",
        r"อยากได้(?:\s*\d|สอง|ค่ะ|คะ|ครับ|ตัว|ชิ้น|อัน)|มีไซส์|มีสี.{0,12}(?:ไหม|มั้ย)|รับตัวแทน",
        # Persian
        r"قیمت(?:ش|اش|ها|های)?\s*(?:چنده|چقدر|چند|رو بگید|را بفرمایید|رو بفرستید|را اعلام|\?|؟)|استعلام|چنده|چقدره",
        r"چند (?:هست|است|تومن|تومان|میشه|می‌شه)|موجود (?:دارید|دارین|هست|است)|موجوده|موجود دارید",
        r"سفارش (?:بدم|بدیم|بدهم|دادن|بدهیم)|چطور(?:ی)? سفارش|چگونه سفارش|می(?:\u200c| )?خوام (?:بخرم|سفارش)",
        r"می(?:\u200c| )?خواهم (?:بخرم|سفارش)|بخرم|خرید کنم|از کجا (?:بخرم|تهیه)|عمده(?: ?فروش|ی)|(?:خرید|قیمت|فروش) عمده|پیش(?:\u200c| )?فاکتور",
        r"خرید (?:قسطی|اقساطی|حضوری|اینترنتی)|پیش(?:\u200c| )?(?:خرید|سفارش)|لیست قیمت|ثبت سفارش|سفارش ثبت|قیمت و موجودی",
        r"نسخه (?:آزمایشی|دمو)|دمو|نمایندگی (?:فروش|می(?:\u200c| )?دید)|اخذ نمایندگی|ارسال دارید",
        # Arabic
        r"كم السعر|كم سعر|بكم|السعر|عرض سعر|متوفر|أريد (?:أن )?أشتري|ابغى اشتري|كيف (?:أطلب|اطلب|أشتري|اشتري)|بالجملة",
    ]
)
DEMAND = "|".join(
    [
        r"\bfix (?:it|this|that)\b|\bsort (?:it|this) out\b|\bright now\b|\basap\b|\bimmediately\b",
        r"\bdo something\b|\bget (?:it|this) fixed\b|\bfix\b.{0,20}\bnow\b",
        r"\bsofort\b|\bunverzüglich\b|\breparieren sie\b",
        r"\binmediatamente\b|\bya mismo\b|\barréglen(?:lo)?\b|\bsoluci[oó]nenlo\b",
        r"\bimmédiatement\b|\btout de suite\b|\bréparez\b|\brégl(?:ez|er) (?:ça|ce)\b",
        r"\bsubito\b|\bimmediatamente\b|\bsistemate\b",
        r"\bagora mesmo\b|\bresolvam\b|\bconsertem\b",
        r"\bsegera\b|\bsekarang juga\b|\bperbaiki\b",
        r"\bturant\b|\babhi theek\b|तुरंत|अभी ठीक",
        r"ด่วน|รีบแก้|แก้ไขด่วน|แก้ให้(?:ที|หน่อย|ด้วย)|แก้ไขให้|จัดการให้",
        r"همین الان|فورا|فوراً|درستش کنید|درست کنید|رسیدگی کنید|پیگیری کنید",
        r"فورا|فوراً|حالا|أصلحوا|اصلحوا|حلوا المشكلة",
    ]
)
SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
}


def _alternatives(pattern):
    """The top-level alternatives of a pattern (a | inside a group stays in its alternative)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(pattern):
        if char == "(" and pattern[index - 1 : index] != "\\":
            depth += 1
        elif char == ")" and pattern[index - 1 : index] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return [part for part in parts if part]


def _script_of(alternative):
    for name in ("thai", "arabic", "devanagari"):
        if SCRIPTS[name].search(alternative):
            return name
    return "latin"


class Cues:
    """A lower-case cue pattern, searched case-insensitively as fast as the text allows.

    Python's regex engine tries every alternative at every position, and an
    alternative opening with \\b defeats its first-character skip, which made
    intent the slowest part of analysis. The alternatives are regrouped by
    script (a text is searched only with the scripts it contains), the
    whole-word ones share one \\b(?:...)\\b, and the lower-cased text is
    searched without IGNORECASE (three times faster). Same answers as the
    plain pattern with IGNORECASE on every text of ../shared/data.
    """

    def __init__(self, pattern):
        if re.sub(r"\\.", "", pattern) != re.sub(r"\\.", "", pattern).lower():
            raise ValueError("cue patterns are written in lower case")
        groups = {}
        for alternative in _alternatives(pattern):
            words, others = groups.setdefault(_script_of(alternative), ([], []))
            if alternative.startswith(r"\b") and alternative.endswith(r"\b") and len(alternative) > 4:
                words.append(alternative[2:-2])
            else:
                others.append(alternative)
        self._searches = []
        for script, (words, others) in groups.items():
            parts = ([rf"\b(?:{'|'.join(words)})\b"] if words else []) + others
            self._searches.append((SCRIPTS[script].search, re.compile("|".join(parts), re.MULTILINE).search))

    def search(self, text):
        lowered = text.lower()
        return any(present(lowered) and cues(lowered) for present, cues in self._searches)


_REQUEST_RE = Cues(REQUEST)
_COMPLAINT_RE = Cues(COMPLAINT)
_DEMAND_RE = Cues(DEMAND)
_BUYING_RE = Cues(BUYING)
_THAI_RE = re.compile(THAI_QUESTION)
_THAI_CHARS = re.compile(r"[\u0e00-\u0e7f]")
# Persian / Arabic question words as whole words (letters and the zero-width non-joiner glue words together)
_PERSIAN_RE = re.compile(rf"(?<![\w\u200c])(?:{PERSIAN_QUESTION})(?![\w\u200c])")
_ARABIC_RE = re.compile(rf"(?<![\w\u200c])(?:{ARABIC_QUESTION})(?![\w\u200c])")
_HINDI_RE = re.compile(rf"(?<![\w\u0900-\u097f])(?:{HINDI_QUESTION})(?![\w\u0900-\u097f])")
_OPENER_RE = re.compile(rf"^\W*(?:{QUESTION_OPENERS})(?:\W|$)", re.IGNORECASE)


def is_question(text, lang=None):
    """True when the text asks something (see the module docstring for the rules)."""
    if any(mark in text for mark in QUESTION_MARKS):
        return True
    if (lang == "th" or lang is None) and _THAI_CHARS.search(text) and _THAI_RE.search(text):
        return True
    if lang in ("fa", None) and _PERSIAN_RE.search(text):
        return True
    if lang in ("ar", None) and _ARABIC_RE.search(text):
        return True
    if lang in ("hi", None) and _HINDI_RE.search(text):
        return True
    return bool(_OPENER_RE.search(text))


def is_request(text):
    return bool(_REQUEST_RE.search(text))


def is_complaint_cue(text):
    return bool(_COMPLAINT_RE.search(text))


def is_buying(text):
    return bool(_BUYING_RE.search(text))


def is_demand(text):
    return bool(_DEMAND_RE.search(text))


def classify(text, lang, sentiment, score, questions=True):
    """One of complaint, buying, question, praise, request, other, by the rules (``questions=False``: without
    the question rule, for weak labels of texts whose annotators said they are not questions)."""
    text = text or ""
    demand = _DEMAND_RE.search(text)
    if score <= -0.5 or _COMPLAINT_RE.search(text) or (demand and sentiment == "negative"):
        return "complaint"
    if sentiment != "negative" and _BUYING_RE.search(text):
        return "buying"
    if demand or _REQUEST_RE.search(text):
        return "request"
    if questions and is_question(text, lang):
        return "question"
    if sentiment == "negative":
        return "complaint"
    if sentiment == "positive":
        return "praise"
    return "other"


INTENTS = ("complaint", "question", "request", "praise", "other", "buying")
CUES = (
    "complaint cue",
    "request cue",
    "demand cue",
    "question rule",
    "question mark",
    "score",
    "negative",
    "positive",
    "buying cue",
)
MODEL_PATH = os.path.join(os.path.dirname(__file__), "models", "intent.npz")


def cue_matrix(texts, langs, scored):
    """The rule cues and the sentiment of each text as model features (columns: CUES)."""
    out = np.zeros((len(texts), len(CUES)), dtype=np.float32)
    for row, (text, lang, (label, score)) in enumerate(zip(texts, langs, scored)):
        out[row] = (
            bool(_COMPLAINT_RE.search(text)),
            bool(_REQUEST_RE.search(text)),
            bool(_DEMAND_RE.search(text)),
            is_question(text, lang),
            any(mark in text for mark in QUESTION_MARKS),
            score,
            label == "negative",
            label == "positive",
            bool(_BUYING_RE.search(text)),
        )
    return out


class IntentModel:
    """Multinomial logistic regression over the fast tier's hashed features (sublinear TF-IDF) and the cues."""

    def __init__(self, path=MODEL_PATH, arrays=None):
        if arrays is None:
            with np.load(path) as data:
                arrays = {key: data[key] for key in data.files}
        self.weights = arrays["w"].astype(np.float32)
        self.cue_weights = arrays["v"].astype(np.float32)
        self.bias = arrays["b"].astype(np.float32)
        self.idf = arrays["idf"].astype(np.float32)

    def scores(self, features, cues):
        from .hashing import linear_scores

        return linear_scores(*features, self.idf, self.weights, self.bias, empty=self.bias) + cues @ self.cue_weights.T

    def predict(self, features, cues):
        return [INTENTS[i] for i in self.scores(features, cues).argmax(axis=1)]


_model_lock = threading.Lock()
_model = []


def model():
    """The learned intent model, or None when its file is missing or was trained on another feature space
    than the shipped sentiment model's (the rules answer then, and the log says why)."""
    if not _model:
        with _model_lock:
            if not _model:
                _model.append(_load())
    return _model[0]


def _load():
    if not os.path.exists(MODEL_PATH):
        return None
    from .sentiment import fast_model

    learned, dim = IntentModel(MODEL_PATH), fast_model().dim
    if learned.cue_weights.shape[1] != len(CUES):
        _logger.warning(
            "social_crm: intent model reads %d cues, this code gives %d; intent rules used instead "
            "(retrain it with scripts/train_nlp.py --intent-only)",
            learned.cue_weights.shape[1],
            len(CUES),
        )
        return None
    if learned.idf.shape[0] != dim:
        _logger.warning(
            "social_crm: intent model has %d features, the sentiment model %d; intent rules used instead "
            "(retrain both with scripts/train_nlp.py)",
            learned.idf.shape[0],
            dim,
        )
        return None
    return learned


def classify_many(texts, langs, scored, features=None):
    """Intent of each text: the learned model over ``features`` (the fast tier's hashed features of the
    texts), else the rules. ``scored``: (sentiment label, score) per text."""
    learned = model() if features is not None else None
    if learned is None:
        return [classify(text, lang, label, score) for text, lang, (label, score) in zip(texts, langs, scored)]
    return learned.predict(features, cue_matrix(texts, langs, scored))
