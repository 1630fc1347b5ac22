"""Intent: complaint, question, praise, request or other, in every training language.

Rules, in order (the first that holds wins):
1. complaint: a complaint cue (refund, broken, never arrived, คืนเงิน, خراب, استرداد ...)
   or a clearly negative sentiment (score <= -0.5);
2. question: a question mark (? ？ ؟ ¿), a Thai question particle (ไหม มั้ย หรือเปล่า
   อะไร ยังไง เมื่อไหร่ ที่ไหน ทำไม กี่ ...), or a question word opening the text
   (Persian آیا چرا کی چطور کجا چه, English how/what/when/where/why/can/does ...);
3. request: a request phrase (please, could you, bitte, por favor, s'il vous plaît,
   per favore, tolong, कृपया, لطفا, من فضلك, ช่วย, รบกวน, ขอ ...);
4. complaint: negative sentiment;
5. praise: positive sentiment;
6. other.
"""

import re

QUESTION_MARKS = ("?", "？", "؟", "¿")
THAI_QUESTION = ("ไหม", "มั้ย", "มั๊ย", "หรือเปล่า", "รึเปล่า", "หรือยัง", "อะไร", "ยังไง", "อย่างไร", "เมื่อไหร่",
                 "เมื่อไร", "ที่ไหน", "ตรงไหน", "ทำไม", "กี่", "เท่าไหร่", "เท่าไร", "ใคร", "ได้ไหม", "ไหน", "มีไหม", "หรอ", "เหรอ")
QUESTION_OPENERS = {
    "en": r"how|what|when|where|why|who|which|can|could|does|do|is|are|will|would|did|has|have|anyone",
    "fa": r"آیا|چرا|کی|چطور|چطوری|کجا|چه|چند|چگونه|کدام",
    "ar": r"هل|لماذا|متى|أين|كيف|ماذا|من|كم",
    "es": r"cómo|como|qué|que|cuándo|dónde|por qué|quién|cuál",
    "fr": r"comment|quoi|quand|où|pourquoi|qui|est-ce que|quel|quelle",
    "de": r"wie|was|wann|wo|warum|wer|welche|kann|können|gibt es",
    "it": r"come|cosa|quando|dove|perché|chi|quale",
    "pt": r"como|o que|quando|onde|por que|porque|quem|qual",
    "id": r"bagaimana|apa|kapan|dimana|di mana|kenapa|mengapa|siapa|berapa|apakah",
    "hi": r"kya|kyun|kab|kaise|kahan|kaun|क्या|क्यों|कब|कैसे|कहाँ|कौन",
}
REQUEST = (
    r"\bplease\b|\bpls\b|\bplz\b|\bcould you\b|\bcan you\b|\bwould you\b|\bi need\b|\bi want\b|\bi would like\b|"
    r"\bbitte\b|\bkönnten sie\b|\bpor favor\b|\bpodrían\b|\bpuedes\b|s'il vous pla[iî]t|\bsvp\b|\bpourriez\b|"
    r"\bper favore\b|\bpotete\b|\bpotreste\b|\bpoderiam\b|\bpode\b|\btolong\b|\bmohon\b|\bminta\b|"
    r"कृपया|\bplease\b|لطفا|لطفاً|خواهشمند|خواهش می|من فضلك|لو سمحت|الرجاء|ช่วย|รบกวน|ขอ|โปรด"
)
COMPLAINT = (
    r"\brefund\b|\bbroken\b|\bnever arrived\b|\bnot arrived\b|\bstill waiting\b|\bscam\b|\bworst\b|\bterrible\b|"
    r"\bdisappointed\b|\bdoesn'?t work\b|\bnot working\b|\bcancel\b|\bdamaged\b|\bdefective\b|\blate\b|"
    r"\breembolso\b|\broto\b|\bestafa\b|\bremboursement\b|\bcassé\b|\barnaque\b|\brimborso\b|\brotto\b|"
    r"\bkaputt\b|\berstattung\b|\bbetrug\b|\breembolso\b|\bquebrado\b|\bgolpe\b|\brusak\b|\bpenipuan\b|"
    r"คืนเงิน|เสีย|พัง|ไม่ได้รับ|ยังไม่ได้|ห่วย|แย่มาก|โกง|ช้ามาก|ผิดหวัง|"
    r"خراب|پس دادن|بازپرداخت|کلاهبرداری|نرسیده|افتضاح|استرداد|معطل|سيء|احتيال|لم يصل"
)
_REQUEST_RE = re.compile(REQUEST, re.IGNORECASE)
_COMPLAINT_RE = re.compile(COMPLAINT, re.IGNORECASE)
_OPENERS = {lang: re.compile(rf"^\W*(?:{words})(?:\W|$)", re.IGNORECASE) for lang, words in QUESTION_OPENERS.items()}


def is_question(text, lang=None):
    if any(mark in text for mark in QUESTION_MARKS):
        return True
    if lang == "th" or (lang is None and re.search(r"[\u0e00-\u0e7f]", text)):
        return any(particle in text for particle in THAI_QUESTION)
    opener = _OPENERS.get(lang or "")
    return bool(opener and opener.search(text))


def classify(text, lang, sentiment, score):
    text = text or ""
    if _COMPLAINT_RE.search(text) or score <= -0.5:
        return "complaint"
    if is_question(text, lang):
        return "question"
    if _REQUEST_RE.search(text):
        return "request"
    if sentiment == "negative":
        return "complaint"
    if sentiment == "positive":
        return "praise"
    return "other"
