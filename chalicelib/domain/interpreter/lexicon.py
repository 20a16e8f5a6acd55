"""The words the interpreter knows: cue words besides the catalogue, the compiled catalogue, the language."""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from chalicelib.domain.catalogue import SHADES, Shade, Term, Vocabulary, normalise, shade_of
from chalicelib.domain.interpretation import Language, Unfamiliar
from chalicelib.domain.interpreter.numbers import HINGLISH_NUMBER_WORDS
from chalicelib.domain.interpreter.tokens import Phrases, Token, phrases, prepare, tokenise, words_of


class Cue(Enum):
    """What a known word says in an order or a reply."""

    FILLER = "filler"
    EACH = "each"  # 10m each, 5-5 meter, har ek
    NEGATION = "negation"
    CANCEL = "cancel"  # "cancel", "रद्द": alone they cancel the order
    REMOVE = "remove"  # "hata do", "remove": they need an item
    ACCEPT = "accept"
    CONFIRM = "confirm"
    ALTERNATIVE = "alternative"
    EDIT = "edit"
    ADD = "add"
    REST = "rest"  # "baaki": the lines not named elsewhere
    REF = "ref"  # "item", "no", "#": the number after is a line number
    MORE = "more"  # "5 meter aur jodo", "add 5 meters more": the quantity is added to the line
    LESS = "less"  # "2 kam kar do": the quantity is taken off the line
    SAME = "same"  # "same in green", "wahi maroon mein bhi": a copy of a line in another colour or material
    INSTEAD = "instead"  # "cotton ki jagah rayon": one colour or material for another


_FILLER = (
    "i|we|me|my|mine|us|our|need|needed|want|wants|would|like|required|require|please|pls|plz|plzz|kindly|send|"
    "give|get|have|has|can|could|the|a|an|of|for|to|is|it|in|with|some|total|just|this|that|these|those|"
    "sir|madam|maam|bhai|bhaiya|bhaiyya|bhaisahab|ji|sahab|saab|seth|boss|dear|hi|hii|hello|hey|namaste|namaskar|"
    "thanks|thank|you|thx|ty|dhanyavad|dhanyawad|shukriya|colour|color|colours|colors|rang|rung|kapda|kapra|"
    "kapde|kapre|kapdaa|cloth|clothes|fabric|material|qty|quantity|qnty|length|lambai|mal|maal|mujhe|muje|mujhko|hume|humein|hamein|humko|hamko|"
    "aap|aapko|apna|mera|meri|mere|hamara|hamare|chahiye|chahie|chaiye|chahiyee|chahiya|bhejo|bhej|bhejna|"
    "bhejiye|bhejdo|bhej do|dena|dedo|de do|dijiye|dijie|dijiyega|de|do|kar|karo|kardo|krdo|kar do|karna|"
    "kijiye|karwa|ka|ki|ke|ko|se|me|mein|main|hai|hain|he|h|ho|hoga|tha|wala|wali|wale|vala|vali|vale|waala|"
    "bhi|also|add|plus|extra|ye|yeh|wo|woh|vo|order|bas|ek|one|abhi|aaj|jaldi|ke liye|liye|le lo|lelo|le lijiye|"
    "lijiye|lena|take|i'll take|ill take|will take|utna|itna|उतना|इतना|"
    "मुझे|मुझको|हमें|हमको|मेरा|मेरी|मेरे|कृपया|जी|भाई|साहब|का|की|के|को|से|में|है|हैं|हो|वाला|वाली|वाले|रंग|"
    "कपड़ा|कपड़े|कपडा|कपडे|धन्यवाद|शुक्रिया|नमस्ते|नमस्कार|चाहिए|चाहिये|भेजो|भेज|भेजना|भेजिए|भेजिये|भेजें|"
    "दो|दे|देना|दें|दीजिए|दीजिये|कर|करो|करें|करना|कीजिए|ऑर्डर|आर्डर|यह|ये|वो|वह|कुल|बस|भी|एक|अभी|के लिए|लिए"
)
_EACH = (
    "each|each of|each one|har ek|harek|har|pratyek|per colour|per color|dono|both|all|all of|sab|sabhi|sab ke sab|"
    "हर|हरेक|हर एक|प्रत्येक|दोनों|सब|सभी"
)
_NEGATION = "not|no|nahi|nahin|nai|nhi|mat|dont|don't|do not|never|नहीं|नही|मत|न"
_CANCEL = "cancel|cancelled|canceled|cancle|cancal|cansel|kansal|radd|रद्द|कैंसिल|कैंसल|कैन्सल"
_REMOVE = (
    "remove|delete|drop|hata|hatao|hatado|hata do|hta do|htao|nikal do|nikalo|nahi chahiye|nahin chahiye|"
    "nhi chahiye|not needed|no need|dont want|don't want|do not want|mat bhejo|mat bhejna|"
    "हटा|हटाओ|हटा दो|हटाएं|हटाइए|निकाल|निकालो|निकाल दो|नहीं चाहिए|नही चाहिए|मत भेजो|मत भेजना"
)
_ACCEPT = (
    "ok|okay|okk|okey|k|kk|haan|han|haa|ha|hn|hanji|haan ji|yes|yess|yeah|yep|yup|sure|fine|alright|"
    "theek|thik|theek hai|thik hai|tik hai|chalega|chalegi|chalenge|accept|accepted|le lunga|lelunga|le lenge|"
    "le lo|lunga|lenge|jitna|jitna hai|jitna bhi|jo hai|jo bhi hai|available|de do|bhej do|manjoor|manzoor|"
    "हाँ|हां|हा|हाँ जी|ठीक|ठीक है|चलेगा|ले लूंगा|ले लूँगा|ले लेंगे|जितना|जितना है|जो है|मंजूर|मंज़ूर|स्वीकार"
)
_CONFIRM = (
    "confirm|confirmed|cnfrm|confrm|conform|pakka|pakka hai|done|final|finalise|finalize|go ahead|proceed|"
    "place order|order kar do|order karo|order kardo|order kar dijiye|order confirm|book kar do|"
    "पक्का|कन्फर्म|फाइनल|ऑर्डर कर दो|ऑर्डर करो|आर्डर कर दो"
)
_ALTERNATIVE = (
    "alternative|alternatives|alternate|option|options|other|others|another|different|similar|something else|"
    "koi aur|kuch aur|aur koi|aur kya|dusra|doosra|dusre|doosre|dikhao|dikhaiye|dikha do|show|show me|"
    "विकल्प|कोई और|और कोई|कुछ और|और क्या|दूसरा|दूसरे|दिखाओ|दिखाइए|दिखा दो"
)
_EDIT = (
    "kar do|kardo|karo|kar dijiye|make it|make|change|change to|change it to|badal|badlo|badal do|instead|"
    "only|sirf|bas|hi|कर दो|करो|कर दीजिए|बदल|बदलो|बदल दो|सिर्फ|सिर्फ़"
)
_ADD = "add|add karo|also|too|as well|plus|extra|bhi|aur bhi|जोड़ो|जोड़|जोड़ दो|भी"
_MORE = (
    "more|add more|zyada|jyada|zada|badha|badhao|badha do|badhado|badha dijiye|increase|increase by|jodo|jod do|"
    "jod dena|jodna|jod dijiye|ज़्यादा|ज्यादा|बढ़ा|बढ़ाओ|बढ़ा दो|जोड़ दीजिए"
)
_LESS = (
    "less|kam|kam karo|kam kar do|kam kardo|kam kijiye|kam kar dijiye|ghata|ghatao|ghata do|ghatado|reduce|"
    "reduce by|minus|cut|कम|कम करो|कम कर दो|कम कीजिए|घटा|घटाओ|घटा दो"
)
_SAME = (
    "same|same wala|same one|wahi|vahi|wohi|woh hi|yahi|yehi|isi|usi|isi ka|same to same|ditto|वही|यही|ऐसा ही|"
    "वैसा ही|इसी|उसी"
)
_INSTEAD = (
    "instead|instead of|in place of|jagah|ki jagah|ke jagah|ke badle|ki bajaye|ke bajaye|ke bajay|replace|"
    "replace with|badle|की जगह|के बदले|के बजाय|बदले"
)
_REST = "baaki|baki|bachi|bacha|rest|the rest|remaining|others|baaki sab|बाकी|बाक़ी|बाकी सब"
_REF = "item|items|line|no|number|num|#|नंबर|आइटम"

ORDER_CUES: Phrases[Cue] = phrases(
    (_FILLER, Cue.FILLER), (_EACH, Cue.EACH), (_NEGATION, Cue.NEGATION), (_CANCEL, Cue.NEGATION),
    (_REMOVE, Cue.NEGATION),
)  # fmt: skip
DECISION_CUES: Phrases[Cue] = phrases(
    (_FILLER + "|" + _EACH, Cue.FILLER), (_NEGATION, Cue.NEGATION), (_EDIT, Cue.EDIT), (_ADD, Cue.ADD),
    (_ACCEPT, Cue.ACCEPT), (_CONFIRM, Cue.CONFIRM), (_ALTERNATIVE, Cue.ALTERNATIVE), (_REST, Cue.REST),
    (_CANCEL, Cue.CANCEL), (_REMOVE, Cue.REMOVE), (_REF, Cue.REF), (_MORE, Cue.MORE), (_LESS, Cue.LESS),
    (_SAME, Cue.SAME), (_INSTEAD, Cue.INSTEAD),
)  # fmt: skip
KIND_CUES = frozenset({Cue.CANCEL, Cue.REMOVE, Cue.NEGATION, Cue.ACCEPT, Cue.CONFIRM, Cue.ALTERNATIVE})

ORDINALS: Phrases[int] = phrases(
    ("first|1st|pehla|pahla|pehle|pahle|pehli|pahli|पहला|पहले|पहली", 1),
    ("second|2nd|dusra|doosra|dusre|doosre|dusri|doosri|दूसरा|दूसरे|दूसरी", 2),
    ("third|3rd|teesra|tisra|teesre|tisre|teesri|tisri|तीसरा|तीसरे|तीसरी", 3),
    ("fourth|4th|chautha|chauthe|chauthi|चौथा|चौथे|चौथी", 4),
    ("fifth|5th|paanchva|panchva|paanchvi|पांचवा|पाँचवाँ|पांचवी", 5),
)
ORDINAL_SUFFIXES = frozenset("st nd rd th".split())
# "dusra colour dikhao" asks for an alternative; "dusra wala cancel" means line 2.
DOOSRA = frozenset(words_of("dusra doosra dusre doosre dusri doosri दूसरा दूसरे दूसरी"))
ALTERNATIVE_NOUNS = frozenset(
    words_of("colour color colours colors rang option options kapda design shade dikhao dikhaiye batao रंग कपड़ा दिखाओ")
)

POLITE = frozenset(
    words_of(
        "please pls plz kindly ji bhai bhaiya sir madam sahab the my mera meri mere me mujhe ka ki ke ko is it this "
        "karo kar do kardo krdo dijiye kijiye karna karein kare hai hain ho kya batao bataiye bata i need want can "
        "you जी भाई कृपया मेरा मेरी मेरे का की के को करो कर दो दीजिए कीजिए है हैं क्या बताओ बताइए"
    )
)
CANCEL_HEADS = frozenset(words_of(_CANCEL.replace("|", " ")))
WHOLE_ORDER = frozenset(
    words_of(
        "sab sabhi saara sara saari pura poora puraa order all everything whole entire full complete it "
        "सब सभी सारा पूरा ऑर्डर आर्डर"
    )
)
STATUS_HEADS = frozenset(
    words_of("status stithi sthiti track tracking kahan kaha kahaan where kab when update स्थिति कहाँ कहां कब")
)
STATUS_WORDS = STATUS_HEADS | frozenset(
    words_of(
        "order ऑर्डर आर्डर what of check aayega ayega aaega aega milega hua tak pahuncha pahucha dispatch "
        "bheja gaya aaya abhi tak है आएगा मिलेगा पहुंचा भेजा गया तक"
    )
)
POSSESSIVES = frozenset(words_of("mera meri mere my hamara मेरा मेरी मेरे हमारा"))
ORDER_WORDS = frozenset(words_of("order ऑर्डर आर्डर"))
HELP_HEADS = frozenset(words_of("help madad sahayata helpline मदद सहायता"))
HELP_WORDS = HELP_HEADS | frozenset(
    words_of("me need chahiye how to order kaise karu karun kare karein krna chahiye चाहिए कैसे करें करूँ")
)
GREETINGS = frozenset(
    words_of(
        "hi hii hiii hello helo hellow hey hlo namaste namastey namaskar pranam ram jai jay shri shree sri krishna "
        "krishn radhe good morning evening afternoon gm salaam salam assalamualaikum adaab sat akal kaise how are "
        "नमस्ते नमस्कार प्रणाम राम जय श्री राधे कृष्ण"
    )
)
NEW_WORDS = frozenset(words_of("naya nayi naye new fresh another दूसरा नया नई"))

_HINGLISH_MARKERS = frozenset(  # split by hand: words_of would drop "aur" as a separator
    normalise(
        "aur hai hain chahiye chahie chaiye kar karo kardo de dedo bhi wala wali wale mujhe hume bhejo bhejna haan "
        "nahi nahin theek thik ji bhai naya sab hata hatao lunga lenge dikhao pakka madad namaste koi kuch kya ka ki "
        "ke ko mein gaj than thaan baaki baki jitna chalega kitna kitne rang kapda ye yeh wo dijiye kijiye accha "
        "acha lo lijiye lena"
    ).split()
)
_AMBIGUOUS_NUMBER_WORDS = frozenset(words_of("do sat tin tera no"))  # also ordinary words; not a Hinglish sign


# Cloths and colours the trade knows that a shop may not carry: kept as asked so the answer can say so.
_OTHER_MATERIALS = frozenset(
    words_of(
        "tweed lycra spandex jute canvas corduroy fleece flannel taffeta tulle voile poplin twill gabardine "
        "chambray brocade jacquard banarasi tussar tussore kota ikat kalamkari bandhani lawn modal bamboo suede "
        "leather felt seersucker mashru terrycot cashmere pashmina angora mohair acrylic lace chanderi rubia "
        "dupion raw-silk tissue net velour oxford jersey hosiery चंदेरी बनारसी जूट लाइक्रा ट्वीड"
    )
)
_OTHER_COLORS = frozenset(
    words_of(
        "teal aqua mint lime lilac mauve fuchsia indigo khaki coffee chocolate rust wine burgundy plum coral "
        "salmon tan ivory silver copper bronze charcoal ochre cyan sandal chandan kathai badami kapoori dhani"
    )
)
_COMMON_WORDS = (
    "kal aaj parso tak abhi jaldi urgent kab ab fir phir firse same wahi vahi yahi wohi aur bhi sab rate price bhav "
    "daam kitna kitne kaise kya kyun haan nahi ok yes no kam more less jodo kar karo dena lena wala wali wale sath "
    "saath mal maal piece pcs than thaan gaj roll rolls meter metre also only sirf bas pura poora hi total stock "
    "lot dye design print plain new old nayi naya same sale sell buy need want send deliver delivery by till ki ka "
    "ke liye hoga hogi hoge milega milegi chahiye sahi galat bill gst tax paid payment cash upi pichla pichli pichle "
    "pichhla pichhli pichhle jaisa jaise baar bar time last previous repeat dobara dubara paisa paise"
)
_KNOWN_WORDS = frozenset(
    w for group in (_FILLER, _EACH, _NEGATION, _CANCEL, _REMOVE, _ACCEPT, _CONFIRM, _ALTERNATIVE, _EDIT, _ADD, _REST,
              _MORE, _LESS, _SAME, _INSTEAD)
    for w in words_of(group.replace("|", " "))
) | frozenset(_COMMON_WORDS.split())  # fmt: skip

_ANY_WORDS = frozenset(
    "any anything whatever whichever either koi jo kuch bhi sab koibhi kuchbhi कोई जो कुछ भी सब".split()
)  # "koi bhi", "any": no preference, not a colour

_SHADES: Phrases[Shade] = Phrases((alias, shade) for shade in SHADES for alias in (shade.name, *shade.aliases))

# ---------------------------------------------------------------------------------------------------------------
# The vocabulary, compiled for matching
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """The catalogue's aliases as a phrase table, and the aliases that mark Hinglish."""

    terms: Phrases[Term]
    hinglish_words: frozenset[str]
    colors: dict[str, Term]
    aliases: tuple[tuple[str, Term], ...]  # every alias, for "did you mean"

    def unfamiliar(self, word: str) -> Unfamiliar | None:
        """``word`` as a material or colour the catalogue lacks: a near-miss of one it has, or a cloth or colour
        the trade knows ("tweed", "teal"). None for any other word: it is not guessed to be a cloth."""
        if word in _KNOWN_WORDS or not word.isalpha() or len(word) < 3:
            return None
        near = self._nearest(word)
        if near is not None:
            return Unfamiliar(slot="material" if near.kind == "material" else "color", word=word, suggestion=near.name)
        if word in _OTHER_MATERIALS:
            return Unfamiliar(slot="material", word=word)
        if word in _OTHER_COLORS:
            return Unfamiliar(slot="color", word=word)
        return None

    def is_common(self, word: str) -> bool:
        """A word of ordinary speech ("koi", "any", "jaldi"), never the name of a cloth or colour asked for."""
        return word in _KNOWN_WORDS or word in _ANY_WORDS

    def _nearest(self, word: str) -> Term | None:
        cutoff = 0.8 if len(word) >= 5 else 0.85
        best: tuple[float, Term] | None = None
        for alias, term in self.aliases:
            if " " in alias or abs(len(alias) - len(word)) > (2 if len(word) >= 7 else 1):
                continue
            ratio = difflib.SequenceMatcher(None, word, alias).ratio()
            if ratio >= cutoff and (best is None or ratio > best[0]):
                best = (ratio, term)
        return best[1] if best else None

    def match(self, words: Sequence[str], start: int) -> tuple[Term, int] | None:
        """The material or colour named at ``words[start]``; a shade word makes its colour another colour.

        "dark green" is the colour "dark green" (a catalogue term when the shop lists it, else a shade of green
        the stock will not have), never plain green.
        """
        found = self.terms.match(words, start)
        shade = _SHADES.match(words, start)
        if shade is None or (found is not None and found[0].kind == "color"):
            return found
        base = self.terms.match(words, shade[1])
        if base is None or base[0].kind != "color":
            return found
        term = shade_of(shade[0], base[0])
        return self.colors.get(term.name, term), base[1]

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> Lexicon:
        """The compiled lexicon, built once per distinct vocabulary (the owner may extend it at run time)."""
        return _compile(tuple(vocabulary.materials.values()), tuple(vocabulary.colors.values()))


@functools.lru_cache(maxsize=8)
def _compile(materials: tuple[Term, ...], colors: tuple[Term, ...]) -> Lexicon:
    vocabulary = Vocabulary.from_terms([*materials, *colors])
    entries = [(alias, term) for kind in ("color", "material") for alias, term in vocabulary.aliases(kind)]
    return Lexicon(
        terms=Phrases(entries),
        hinglish_words=frozenset(_hinglish_aliases(vocabulary)),
        colors=dict(vocabulary.colors),
        aliases=tuple(entries),
    )


def _hinglish_aliases(vocabulary: Vocabulary) -> Iterable[str]:
    """Roman-script aliases closer to a term's Hinglish name than to its English one ("neela", "suti")."""
    for kind in ("color", "material"):
        for alias, term in vocabulary.aliases(kind):
            hinglish = normalise(term.hinglish)
            if not alias.isascii() or hinglish == term.name:
                continue
            to_hinglish = difflib.SequenceMatcher(None, alias, hinglish).ratio()
            to_english = difflib.SequenceMatcher(None, alias, term.name).ratio()
            if to_hinglish > to_english:
                yield from words_of(alias)


def detect_language(text: str, vocabulary: Vocabulary) -> Language:
    """Any Devanagari is "hi"; Hindi written in Roman script is "hinglish"; anything else "en"."""
    return language_of(tokenise(prepare(unicodedata.normalize("NFC", text))), Lexicon.of(vocabulary))


def language_of(tokens: Sequence[Token], lexicon: Lexicon) -> Language:
    words = [t.word for t in tokens]  # separators too: "aur" is the surest sign of Hinglish
    if any("\u0900" <= ch <= "\u097f" for word in words for ch in word):
        return "hi"
    for word in words:
        if word in _HINGLISH_MARKERS or word in lexicon.hinglish_words:
            return "hinglish"
        if word in HINGLISH_NUMBER_WORDS and word not in _AMBIGUOUS_NUMBER_WORDS:
            return "hinglish"
    return "en"
