"""Guess a comment's language offline from its script and common function words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]")
# Short, frequent words that are distinctive for each language; shared words are left out.
_STOP = {
    "en": "the and is are you your to of it this that for with was have not what my me i we they just so "
    "be at on do can will thanks thank love great please how why when where who would could should "
    "don't i'm it's good bad really very like get got know want need help",
    "es": "el la los las que de y en un una es por con para del lo pero más muy gracias hola este esta "
    "está son como qué cuando donde porque también tengo tiene hay nos mi tu su yo bueno",
    "pt": "o a os as que de e em um uma é não por com para do da dos das mas muito obrigado obrigada olá "
    "este esta está são como quando onde porque também tenho tem você eu bom isso",
    "fr": "le la les que de et en un une est pas pour avec du des mais très merci bonjour ce cette sont "
    "comme quand où parce aussi j'ai je tu il elle nous vous bien c'est qui dans sur au",
    "de": "der die das und ist nicht ich du er sie wir ihr ein eine mit für auf aber sehr danke hallo "
    "dieser diese sind wie wann wo weil auch habe hat den dem des zu von bitte gut",
    "it": "il lo la gli le che di e un una è non per con del della ma molto grazie ciao questo questa "
    "sono come quando dove perché anche ho ha io tu noi voi bene",
    "nl": "de het een en is niet ik jij je hij zij wij met voor op maar heel dank bedankt hallo deze "
    "dit zijn hoe wanneer waar omdat ook heb heeft van te goed",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _w in _words:
        _LANGS_OF[_w] = (*_LANGS_OF.get(_w, ()), _lang)
# Unicode blocks that identify a language (or a family we report by its main member) on their own.
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)


def detect_lang(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code or "und", confidence in [0, 1])."""
    is_ascii = text.isascii()
    if is_ascii:
        if _LETTER.search(text) is None:  # ASCII needs no script check, so no letter count either
            return "und", 0.0
    else:
        letters = len(_LETTER.findall(text))
        if letters == 0:
            return "und", 0.0
        for code, pattern in _SCRIPTS:
            hits = len(pattern.findall(text))
            if hits / letters > 0.3:
                return code, min(1.0, hits / letters)
    words = [w for w in _WORD.findall(text.lower()) if not w.startswith("http")]
    if not words:
        return "und", 0.0
    counts = dict.fromkeys(STOPWORDS, 0)
    for w in words:
        if w in _LANGS_OF:
            for lang in _LANGS_OF[w]:
                counts[lang] += 1
    best = max(counts, key=lambda k: (counts[k], k == "en"))  # ties go to English, the commonest here
    if counts[best] == 0:
        # No function words: short English-looking ASCII ("great stuff!!") is far likelier than anything else.
        return ("en", 0.3) if is_ascii else ("und", 0.0)
    second = sorted(counts.values())[-2]
    return best, (counts[best] - second + 1) / (counts[best] + 1)
