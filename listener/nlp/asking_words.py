"""Words and stock phrases that show how an English sentence asks: openers, auxiliaries, offers and asks.

"Question" means *information-seeking*. A request, offer, invitation or suggestion phrased as a question
("could you pass the salt?", "would you like some tea?", "how about Friday?", "can I pay by card?") asks for
action, not information; these lists let the sentence rules (`clauses.py`, `cues.py`) tell the two apart.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """Split a space-separated word list into a set."""
    return frozenset(text.split())


WH = word_set(
    "what why how where when who whom whose which wat wut what's whats where's how's who's when's why's "
    "what're where're how're who're"
)
AUX = word_set(
    "do does did is are was were am can could would will should shall may might must have has "
    "had dont doesnt didnt isnt arent wasnt cant couldnt wouldnt wont shouldnt havent hasnt r "
    "don't doesn't didn't isn't aren't wasn't weren't can't couldn't wouldn't won't shouldn't haven't hasn't"
)
SUBJECT = word_set(
    "i you u ya he she it we they there this that these those the a an my your ur his her our "
    "their its anyone anybody someone somebody everyone everybody anything something people "
    "y'all yall n't not any some he's it's you're ya"
)
# Words that open a clause without carrying its mood: greetings, discourse markers, handles.
SKIP = word_set(
    "@user <url> http rt hey hi hello ok okay so well but and also btw oh um uh lol yeah yes no sir "
    "madam guys then now anyway seriously honestly just quick question q : - ... wait actually sorry "
    "hmm ah ahh plus also or dear"
)
YOU = word_set("you u ya ye")
SEEK = (
    "anyone know",
    "anybody know",
    "does anyone",
    "does anybody",
    "anyone have",
    "anyone got",
    "anyone tried",
    "wondering if",
    "wondering whether",
    "wondering how",
    "wondering what",
    "i wonder",
    "want to know",
    "like to know",
    "love to know",
    "need to know",
    "any idea",
    "any ideas",
    "any advice",
    "any tips",
    "any recommendations",
    "can someone",
    "can anyone",
    "could someone",
    "could anyone",
    "how do i",
    "how can i",
    "is there a way",
    "please explain",
    "please tell",
    "tell me how",
    "let me know if",
    "not sure if",
    "not sure how",
    "no idea how",
    "curious if",
    "curious how",
    "curious what",
)
# The asks that mean "please answer me" even without a question mark; the rest of SEEK only hints.
STRONG_SEEK = (
    "anyone know",
    "anybody know",
    "does anyone",
    "does anybody",
    "anyone have",
    "anyone tried",
    "wondering if",
    "wondering whether",
    "wonder if",
    "wonder whether",
    "any idea",
    "any ideas",
    "any advice",
    "any tips",
    "any recommendations",
    "can someone",
    "can anyone",
    "could someone",
    "could anyone",
    "how do i",
    "how can i",
    "is there a way",
    "is there any way",
    "do you know",
    "curious if",
    "curious whether",
)
SUGGEST = (
    "how about",
    "what about",
    "why don't we",
    "why don't you",
    "why not",
    "would you like",
    "let's",
    "shall we",
    "would you mind",
    "do you mind",
    "you know what",
    "guess what",
    "who cares",
    "who knows",
)
# Openings that ask for action (offers, invitations, suggestions), never for information.
OFFER = (
    "why don't we",
    "would you like",
    "would you care",
    "would you mind",
    "do you mind",
    "shall we",
    "shall i",
    "let's",
    "lets",
    "let us",
    "wanna",
    "want to",
    "what do you say",
    "would it be ok",
    "would it be okay",
    "would it be alright",
    "would it be all right",
    "would it be possible",
    "is it ok if",
    "is it okay if",
    "is it alright if",
    "is it all right if",
)
OFFER_OPENINGS = tuple(o + " " for o in OFFER)
# Openings that are set phrases, neither a question nor a request: a greeting, an exclamation.
NOT_ASKING = ("how do you do", "who cares", "who knows", "guess what", "you know what", "were i ")
PARDON = ("pardon", "beg your pardon", "i beg your pardon", "come again")  # "please say that again"
MODAL = word_set("can could would will may might shall should")
MODAL_ASK = word_set("can could would will won't can't couldn't wouldn't cant couldnt wouldnt wont")
ADDRESSED = word_set("you u ya the there it your")  # after "@brand does/is…", these mean we are being asked
DETERMINERS = word_set("the this that my your our")
PRONOUN = word_set("i you u we they he she it there") | DETERMINERS
PERSONAL = word_set("i you u we they ya")
# Without "?", a past or perfect auxiliary before "the/my…" opens a statement whose subject was dropped.
DROPPED_SUBJECT = word_set("had was were did has have")
# Without "?", "is/do/can… + <noun> + …" still asks ("is Didsbury open tomorrow", "do gift vouchers expire") when the
# word after the auxiliary can be its subject. These words cannot: they follow an auxiliary whose subject was
# dropped ("is so good", "can confirm", "will be back", "have to say") or open a statement ("is what it is").
NOUN_AUX = word_set("is are do does did can will has")
NOT_SUBJECT = word_set(
    "a an not no so very really just always never also such still being going getting gonna worth what why how "
    "when where who which whom all too more most much one here now back on off in out up down over done gone made "
    "been be get got go come good great bad best better worse amazing awesome lovely brilliant fab perfect right "
    "wrong true ok okay sure definitely literally honestly probably actually absolutely totally officially finally "
    "to for with like about every ever only even confirm recommend vouch wait believe see say try do had agree "
    "admit love hate think know want need feel guess hope miss enjoy highly defo def deffo tell vs at by from of "
    "as if or and but then than because lunch dinner brunch breakfast homework yoga something nothing everything "
    "anything someone everyone anyone nobody somebody it's its his her him them me us our your their my this that "
    "remember put give sit keep take make let mind check please pop drop call "
    "these those there the i you u we they he she it"
)
# "can you tell me whether…", "may I ask where…": an indirect question still asks for information.
ASK_VERBS = word_set("tell confirm explain clarify let advise say ask know")
INDIRECT = word_set("what why how where when who whom whose which if whether about")
# "can you speak French?", "will you be there?": ability, perception and future state, not a request.
STATE_VERBS = word_set(
    "be speak see hear believe imagine remember recall read swim drive ride cook understand afford guess name "
    "ever still really also actually"
)
# "why don't you like it?" asks for a reason; "why don't you try it?" suggests.
STATIVE = word_set("like love know think believe understand care trust agree remember want see hate mind")
# "how about you?", "what about your brother?", "how about in Japan?": the same question back, or about someone
# or somewhere else; otherwise a suggestion.
ABOUT_WHO = word_set("you u yours your yourself him her his its them their theirs us me mine my the in")
# After "what about", words that propose something (an item, a time, an amount, a plan) rather than raise a topic.
PROPOSED = word_set(
    "this that these those a an some another any one we i if us today tomorrow tonight next morning afternoon "
    "evening noon weekend monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december two three four five six seven eight nine ten "
    "eleven twelve fifteen twenty thirty forty fifty hundred half noon midnight"
)
ADVERBS = word_set("just possibly perhaps maybe also please kindly pls plz")
NEGATION = word_set("no not never don't didn't doesn't without can't haven't nor")
# Openings of a suggestion, which may list options without asking to choose ("how about tea or coffee?").
SUGGESTING = word_set("how what why let's lets let shall maybe perhaps")
VAGUE = word_set("something anything so whatever anywhere somewhere someone anyone two")  # "…or something?"
ANY_ASKS = word_set("chance idea ideas update updates news word eta plans")
AGREED = frozenset(["ok", "okay", "alright", "all right", "k", "kk"])
ECHO = word_set("really seriously sure right true")  # "really?": checking what was just said
ELLIPTIC = word_set("anything anyone anybody something someone somebody any")  # "(is there) anything else?"
TAGS = word_set("right eh huh yeah yes no correct true innit")
