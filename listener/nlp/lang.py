"""Guess a comment's language offline: its script and common function words, then py3langid where they are silent.

The vote (scripts, function words, marks) decides nearly every comment, in microseconds and without calling
English foreign. Where no word voted, py3langid's model (shipped inside the package, loaded on first need)
names the language when it is very sure: a Turkish, Czech or Vietnamese complaint then goes to a person
instead of to English models that would read it as nothing. Figures: ``bench/lang_bench.py``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from listener.nlp.signals import HANDLE, URL

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# What our English models can read ("und": too short to tell, e.g. an emoji).
ENGLISH = frozenset({"en", "und"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]")
# Short, frequent words that are distinctive for each language, and everyday words of customer talk
# (orders, delivery, thanks, help; meals, food, praise, compliments to the team) that English does not use.
# Loan words English writes too ("cena" as a surname, "bravo", "cuisine", "super", "team", "menu") are left out.
_STOP = {
    "en": "the and is are you your to of it this that for with was have not what my me i we they just so be at "
    "on do can will thanks thank love great please how why when where who would could should don't i'm "
    "it's good bad really very like get got know want need help",
    "es": "el la los las que de y en un una es por con para del lo pero más muy gracias hola este esta está son "
    "como qué cuando donde porque también tengo tiene hay nos mi tu su yo bueno hacen hace envíos envío "
    "puedo puede quiero necesito ayuda ayudar semanas días todavía aún nada todo sí llega llegó llegado "
    "pedido compra comprar precio buenas alguien vez ahora hoy mañana tienen están estoy encanta nunca "
    "siempre dónde cuándo comida almuerzo desayuno delicioso deliciosa riquísimo perfecto perfecta equipo "
    "felicidades enhorabuena servicio reserva plato platos increíble excelente cocina camarero encantó",
    "pt": "o a os as que de e em um uma é não por com para do da dos das mas muito obrigado obrigada olá este "
    "esta está são como quando onde porque também tenho tem você eu bom isso chega chegou meu minha "
    "pedido ainda nada já quero preciso ajuda semanas dias hoje amanhã vocês estou foi vai pra tá "
    "atendimento nunca sempre gostei adorei entrega comida almoço jantar delicioso deliciosa perfeito perfeita "
    "equipe equipa parabéns reserva prato pratos excelente garçom incrível",
    "fr": "le la les que de et en un une est pas pour avec du des mais très merci bonjour ce cette sont comme "
    "quand où parce aussi j'ai je tu il elle nous vous bien c'est qui dans sur au votre vos notre "
    "beaucoup livrez livraison commande toujours encore rien pourquoi peux pouvez êtes suis avez ai adore "
    "génial colis reçu jamais repas déjeuner dîner délicieux délicieuse parfait parfaite équipe félicitations "
    "réservation plat plats serveur serveuse accueil vraiment",
    "de": "der die das und ist nicht ich du er sie wir ihr ein eine mit für auf aber sehr danke hallo dieser "
    "diese sind wie wann wo weil auch habe hat den dem des zu von bitte gut kommt meine mein noch schon "
    "bestellung immer warum kann können bin heute wochen tage keine kein mich mir uns euch hier jetzt "
    "gibt liefern versand paket bekommen vielen toll essen mittagessen abendessen frühstück lecker perfekt "
    "köstlich glückwunsch tisch reservierung gericht sonntag ausgezeichnet hervorragend freundlich kellner",
    "it": "il lo la gli le che di e un una è non per con del della ma molto grazie ciao questo questa sono come "
    "quando dove perché anche ho ha io tu noi voi bene spedite spedizione ordine mille ancora niente "
    "posso potete abbiamo mio mia vostro vostra tutto oggi domani settimane giorni arrivato pacco pranzo "
    "colazione cibo piatto piatti buonissimo buonissima ottimo ottima perfetto perfetta fantastico fantastica "
    "complimenti squadra cucina delizioso deliziosa tutta tutti agnello domenica servizio personale tavolo "
    "prenotazione gentilissimi",
    "nl": "de het een en is niet ik jij je hij zij wij met voor op maar heel dank bedankt hallo deze dit zijn "
    "hoe wanneer waar omdat ook heb heeft van te goed wel bestelling nog waarom mijn jullie kunnen kan "
    "heerlijk lekker vandaag weken dagen pakket bezorgd",
    "pl": "nie jest się że czy jak ale dla przez jestem jesteś jesteśmy są był była było będzie bardzo dziękuję "
    "dzięki proszę dzień dobry cześć mam macie możecie można gdzie kiedy dlaczego który która które tylko "
    "jeszcze już tak też zamówienie zamówiłem zamówiłam dostawa wczoraj dzisiaj jutro niedziela "
    "moja mój moje wasz wasza państwo pieczeń smaczne pyszne",
    "sv": "och är det att inte jag du vi ni för med som på har var kan inte tack hej mycket bra också",
}
# Words of those lists that English text uses too often to count as a vote against it: each is in
# more than 1 English text in 2,000 of the training files (SemEval, TweetAct and DailyDialog train),
# e.g. "a", "do", "as" (pt), "come" (it), "die" (de), "is" (nl), "son", "y" (es).
_ENGLISH_TOO = frozenset("a do as o e um com come le per ma non ha die hat is met son y la yo los".split())
STOPWORDS = {
    lang: frozenset(words.split()) - (_ENGLISH_TOO if lang != "en" else frozenset()) for lang, words in _STOP.items()
}
# Letters and marks that only some of these languages write: each one present is a vote.
_MARKS = {
    "¿": ("es",),
    "¡": ("es",),
    "ñ": ("es",),
    "ã": ("pt",),
    "õ": ("pt",),
    "ç": ("pt", "fr"),
    "ß": ("de",),
    "ä": ("de",),
    "ö": ("de",),
    "ü": ("de",),
    "œ": ("fr",),
    "ê": ("fr", "pt"),
    "è": ("fr", "it"),
    "ò": ("it",),
    "ì": ("it",),
    "ij": ("nl",),
    "ą": ("pl",),
    "ę": ("pl",),
    "ł": ("pl",),
    "ś": ("pl",),
    "ź": ("pl",),
    "ż": ("pl",),
    "ń": ("pl",),
    "å": ("sv",),
}
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
# The vote's confidence when no word or mark voted (or one foreign word in a longer text): undecided.
UNDECIDED = 0.3
# How sure py3langid must be to name an undecided text's language. On 148,000 English texts (SemEval, TweetAct
# and DailyDialog, train and validation) it called none foreign at this bar; at 0.9 it called two (one of them
# was Tagalog).
SURE = 0.95


# Every wording a draft tries is read again for its language, and a burst's drafts repeat: each text is read once.
@lru_cache(maxsize=8192)
def detect_lang(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code or "und", confidence in [0, 1]): the vote, or py3langid where the vote is undecided."""
    code, confidence = vote_lang(text)
    if confidence > UNDECIDED:
        return code, confidence
    words = HANDLE.sub(" ", URL.sub(" ", text)) if "@" in text or "http" in text or "www." in text else text
    if _LETTER.search(words) is None:
        return code, confidence  # emoji, a link or a handle: nothing to read, and no model to load
    found, sure = _identifier().classify(words)
    return (str(found), float(sure)) if sure >= SURE else (code, confidence)


@cache
def _identifier() -> LanguageIdentifier:
    """py3langid's model (142 languages, in its package), loaded once: 0.4 s and about 75 MB."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def vote_lang(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code or "und", confidence) from scripts, function words and marks alone."""
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
    if not is_ascii:
        lowered = text.lower()
        for mark, langs in _MARKS.items():
            if mark in lowered:
                for lang in langs:
                    counts[lang] += 1
    best = max(counts, key=lambda k: (counts[k], k == "en"))  # ties go to English, the commonest here
    # One foreign vote in a longer text is more often a name or a loan word ("de", "merci") in English.
    if counts[best] == 0 or (best != "en" and counts[best] == 1 and len(words) > 3):
        # No clear function words: short English-looking ASCII ("great stuff!!") is far likelier than anything else.
        return ("en", UNDECIDED) if is_ascii else ("und", 0.0)
    second = sorted(counts.values())[-2]
    return best, (counts[best] - second + 1) / (counts[best] + 1)
