"""Consent: whether a reply to the final summary is an explicit yes, and if not, what it is instead.

The rule: a reply confirms only when every word in it is an affirmative ("ok", "haan ji", "pakka", "confirm karo",
"ठीक है भेज दो") or a courtesy ("ji", "please", "thanks"), with at least one affirmative. Any question (a "?" or a
question word), negation, hedge ("ruko", "hold on", "sochta hoon"), condition ("par", "but", "agar"), change to the
order (a quantity, colour, material or line) or word this module does not know makes it something else. A wrong
"yes" hands an order over the customer did not agree to; a wrong "not yet" costs one more tap on Confirm.

The kinds are checked strongest first: QUESTION, EDIT, CANCEL, NEGATION, WAIT, CONDITION, then CONFIRM or OTHER.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from enum import Enum

from chalicelib.domain.catalogue import Vocabulary, normalise
from chalicelib.domain.interpretation import Consent, ConsentKind
from chalicelib.domain.interpreter.lexicon import Lexicon
from chalicelib.domain.interpreter.numbers import is_digits
from chalicelib.domain.interpreter.quantities import read_quantity
from chalicelib.domain.interpreter.tokens import Phrases, Token, prepare, tokenise


class _Sign(Enum):
    YES = "yes"
    COURTESY = "courtesy"
    QUESTION = "question"
    NEGATION = "negation"
    WAIT = "wait"
    CONDITION = "condition"
    CANCEL = "cancel"
    CHANGE = "change"


_YES = (
    "yes|yess|yesss|yeah|yea|yep|yup|ya|yaa|ok|okay|okk|okkk|okey|okie|oki|k|kk|sure|fine|alright|all right|correct|"
    "right|perfect|done|confirm|confirmed|confirming|cnfrm|cnfm|confrm|conform|go ahead|proceed|place order|"
    "place the order|place it|place kar do|place karo|order place kar do|order place karo|order book karo|"
    "order book kar do|book it|book karo|book kar do|send|send it|send them|please send|ship it|dispatch|"
    "dispatch karo|dispatch kar do|haan|haa|han|ha|hn|hm haan|hanji|haanji|haan ji|han ji|ji haan|ji han|jee haan|"
    "theek|thik|theek hai|thik hai|theek h|thik h|tik hai|thk hai|chalega|chalegi|chalo|sahi|sahi hai|sab sahi hai|"
    "bilkul|bilkul sahi|pakka|pakka hai|final|final hai|final karo|final kar do|confirm karo|confirm kar do|"
    "confirm kardo|confirm kijiye|confirm hai|bhej do|bhejdo|bhej dijiye|bhej dena|bhejiye|bhejo|order kar do|"
    "order karo|order kardo|order kar dijiye|order confirm|order confirm karo|kar do|kardo|kar dijiye|de do|dedo|"
    "manjoor|manzoor|looks good|sounds good|all good|good to go|go|agreed|agree|accepted|accept|approved|"
    "हाँ|हां|हा|हाँ जी|हां जी|जी हाँ|जी हां|ठीक|ठीक है|सही|सही है|सब सही है|बिल्कुल|बिलकुल|पक्का|कन्फर्म|कंफर्म|"
    "कन्फर्म करो|कन्फर्म कर दो|फाइनल|भेज दो|भेज दीजिए|भेजिए|भेजो|ऑर्डर कर दो|आर्डर कर दो|ऑर्डर करो|चलेगा|मंजूर|"
    "मंज़ूर|स्वीकार|ओके|ओक"
)
_COURTESY = (
    "ji|jee|sir|sirji|madam|maam|bhai|bhaiya|bhaiyya|bhaisahab|sahab|saab|boss|dear|please|pls|plz|plzz|kindly|"
    "thanks|thank|thank you|thankyou|thanku|thx|ty|tq|dhanyavad|dhanyawad|shukriya|it|is|the|this|that|order|"
    "my|all|everything|sab|good|great|nice|accha|acha|achha|achcha|hai|h|hain|now|abhi|jaldi|asap|fast|quickly|"
    "to|then|toh|to fir|phir|fir|so|yes sir|no problem|no issue|no worries|koi baat nahi|koi dikkat nahi|kar|karo|"
    "do|please do|it's|its|that's|thats|ahead|ko|isko|ise|ye|yeh|wo|woh|mera|meri|ka|ki|ke|"
    "जी|सर|भाई|भैया|साहब|कृपया|धन्यवाद|शुक्रिया|है|हैं|सब|अच्छा|ऑर्डर|आर्डर|अभी|जल्दी|तो|फिर|इसे|इसको|ये|यह|"
    "मेरा|मेरी|का|की|के|को|कोई बात नहीं"
)
_QUESTION = (
    "kya|kyaa|kab|kitna|kitne|kitni|kaise|kese|kaisa|kyun|kyu|kyon|kyo|kaun|kaunsa|kaunse|kaunsi|konsa|konse|kon|"
    "kahan|kaha|kidhar|what|when|how|why|which|where|who|whom|whose|is it|are you|will it|will you|will the|can you|"
    "can i|could you|do you|does it|did you|should i|shall i|would it|any|ki nahi|ya nahi|or not|"
    "क्या|कब|कितना|कितने|कितनी|कैसे|कैसा|क्यों|क्यूँ|कौन|कौनसा|कौन सा|कहाँ|कहां|कि नहीं|या नहीं"
)
_NEGATION = (
    "no|nope|nah|naa|na|not|nahi|nahin|nahii|nai|nhi|nahi nahi|mat|dont|don't|do not|never|not yet|abhi nahi|"
    "nahi chahiye|mat bhejo|mat bhejna|galat|wrong|incorrect|नहीं|नही|ना|न|मत|गलत|ग़लत|अभी नहीं|मत भेजो"
)
_WAIT = (
    "wait|wait a|wait a minute|hold|hold on|hold it|hang on|one minute|one min|a minute|a min|one sec|a sec|sec|"
    "second|a second|moment|a moment|minute|min|mins|ruko|ruk|rukiye|rukie|rukna|ruko zara|ruk jao|ruko ji|thehro|"
    "tehro|ek minute|ek min|ek second|ek sec|do minute|baad mein|baad me|bad me|baad|later|sochta|sochti|sochenge|"
    "soch|sochke|soch ke|sochkar|think|thinking|let me|let me think|let me check|check|checking|check karke|"
    "check karta|puchh|puch|poochh|pooch|puchke|puchhke|puchta|poochta|ask|asking|maybe|may be|perhaps|shayad|"
    "dekhta|dekhte|dekh|dekhenge|dekhke|hmm|hmmm|hmmmm|umm|ummm|hm|kal batata|batata|bataunga|bataungi|batayenge|"
    "bata dunga|1 min|1 minute|2 min|2 minute|5 min|5 minute|10 min|"
    "not sure|pata nahi|sure nahi|confuse|confused|pause|stop|abhi ruko|zara|"
    "रुको|रुकिए|रुक|रुकें|रुक जाओ|ठहरो|सोच|सोचता|सोचती|सोचके|बाद|बाद में|शायद|एक मिनट|मिनट|देखता|देखते|बताता|"
    "बताऊंगा|बताऊँगा|बताएंगे|पता नहीं|हम्म"
)
_CONDITION = (
    "but|par|pr|per|lekin|magar|if|agar|only if|unless|provided|however|except|bas|sirf|only|jab|tab|after|before|"
    "kal|tomorrow|parso|aaj|today|tonight|shaam|subah|evening|morning|week|monday|tuesday|wednesday|thursday|"
    "friday|saturday|sunday|tak|till|until|by|deliver|delivery|discount|kam|less|cheaper|rate|price|gst|bill|"
    "invoice|payment|pay|cash|credit|udhaar|udhar|advance|cod|पर|लेकिन|मगर|अगर|बशर्ते|सिर्फ|बस|कल|परसों|आज|तक|"
    "डिलीवरी|छूट|डिस्काउंट|बिल|पेमेंट|उधार"
)
_CANCEL = (
    "cancel|cancelled|canceled|cancle|cancal|cansel|kansal|radd|rehne do|rehne dijiye|chhodo|chodo|chhod do|"
    "chod do|forget it|leave it|रद्द|कैंसिल|कैंसल|कैन्सल|रहने दो|छोड़ो|छोड़ दो"
)
_CHANGE = (
    "make it|make|change|change to|badal|badlo|badal do|instead|jagah|ki jagah|add|jodo|jod do|plus|extra|remove|"
    "hata|hatao|hata do|nikal|nikalo|more|zyada|jyada|aur|another|other|alternative|option|"
    "बदल|बदलो|बदल दो|जगह|की जगह|जोड़ो|जोड़ दो|हटा|हटाओ|हटा दो|निकालो|ज़्यादा|ज्यादा|और"
)

_ORDER = [
    (_Sign.QUESTION, ConsentKind.QUESTION),
    (_Sign.CHANGE, ConsentKind.EDIT),
    (_Sign.CANCEL, ConsentKind.CANCEL),
    (_Sign.NEGATION, ConsentKind.NEGATION),
    (_Sign.WAIT, ConsentKind.WAIT),
    (_Sign.CONDITION, ConsentKind.CONDITION),
]
_PUNCTUATION = frozenset(",;.!:।॥\n&/+")


def _words(phrase: str) -> tuple[str, ...]:
    """Every word of a phrase, separator words ("but", "aur") included."""
    return tuple(t.word for t in tokenise(prepare(normalise(phrase))) if t.word not in _PUNCTUATION)


def _table(*groups: tuple[str, _Sign]) -> Phrases[_Sign]:
    # keys keep separator words ("but", "par"), which the order tables drop
    return Phrases(((phrase, sign) for text, sign in groups for phrase in text.split("|")), key_of=_words)


# Later groups win for the same phrase: a courtesy word that is also a hedge ("abhi") stays a courtesy only when
# nothing else claims it, so the stronger signs come last.
_SIGNS = _table(
    (_COURTESY, _Sign.COURTESY),
    (_YES, _Sign.YES),
    (_CONDITION, _Sign.CONDITION),
    (_WAIT, _Sign.WAIT),
    (_CHANGE, _Sign.CHANGE),
    (_CANCEL, _Sign.CANCEL),
    (_NEGATION, _Sign.NEGATION),
    (_QUESTION, _Sign.QUESTION),
    ("no problem|no issue|no worries|koi baat nahi|koi dikkat nahi|कोई बात नहीं", _Sign.COURTESY),
    ("ok|okay|yes|haan|theek hai|yes sir|हाँ जी", _Sign.YES),
    ("kar do|kardo|karo|de do|dedo|bhej do", _Sign.YES),
    ("abhi nahi|not yet|अभी नहीं", _Sign.NEGATION),
)


def classify_consent(text: str, vocabulary: Vocabulary) -> Consent:
    """Read ``text`` as a reply to the final summary. Only ``ConsentKind.CONFIRM`` may hand the order over."""
    tokens = tokenise(prepare(unicodedata.normalize("NFC", text or "")))
    return consent_of(tokens, Lexicon.of(vocabulary))


def consent_of(tokens: Sequence[Token], lexicon: Lexicon) -> Consent:
    """As ``classify_consent``, for a message already tokenised."""
    words = [t.word for t in tokens if t.word not in _PUNCTUATION]
    signs: dict[_Sign, str] = {}
    unknown: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "?":
            signs.setdefault(_Sign.QUESTION, "?")
            i += 1
            continue
        sign = _SIGNS.match(words, i)
        if sign is not None:
            signs.setdefault(sign[0], " ".join(words[i : sign[1]]))
            i = sign[1]
            continue
        quantity = read_quantity(words, i)
        if quantity is not None or is_digits(word):
            end = quantity.end if quantity else i + 1
            signs.setdefault(_Sign.CHANGE, " ".join(words[i:end]))
            i = end
            continue
        term = lexicon.match(words, i)
        if term is not None:
            signs.setdefault(_Sign.CHANGE, " ".join(words[i : term[1]]))
            i = term[1]
            continue
        unknown.append(word)
        i += 1
    for sign, kind in _ORDER:
        if sign in signs:
            return Consent(kind=kind, reason=signs[sign])
    if unknown:
        return Consent(kind=ConsentKind.OTHER, reason=" ".join(unknown))
    if _Sign.YES in signs:
        return Consent(kind=ConsentKind.CONFIRM, reason=signs[_Sign.YES])
    return Consent(kind=ConsentKind.OTHER)
