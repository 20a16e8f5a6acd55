"""Shop questions and small talk: rate, availability, repeat order, discount, delivery date, statement, opt-out.

None of these starts or changes an order. A discount request or a delivery date written beside items ("20m blue
cotton, parso tak chahiye") is kept as a ``Note`` on the reading instead, so the items are still read.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.catalogue import normalise
from chalicelib.domain.interpretation import ConsentKind, Intent, Interpretation, Note, NoteKind, Subject, Unfamiliar
from chalicelib.domain.interpreter.consent import consent_of
from chalicelib.domain.interpreter.lexicon import POLITE
from chalicelib.domain.interpreter.message import Message, Reading, result_of
from chalicelib.domain.interpreter.quantities import read_quantity
from chalicelib.domain.interpreter.tokens import Token, prepare, tokenise


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(t.word for t in tokenise(prepare(normalise(phrase))) if t.word.strip(",;.!:।॥\n&/+?"))


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    """Each '|'-separated phrase as its words, separator words ("aur", "but") kept."""
    return frozenset(
        tuple(t.word for t in tokenise(prepare(normalise(p))) if t.word not in ",;.!:।॥\n&/+?") for p in text.split("|")
    )


_RATE = _phrases(
    "rate|rates|price|prices|pricing|cost|costs|bhav|bhaav|bhaw|bhao|daam|dam|daum|keemat|kimat|qeemat|kitne ka|"
    "kitne ki|kitne ke|kitna ka|per meter|how much|kitne rupaye|kitne rupay|rate list|price list|"
    "भाव|दाम|कीमत|क़ीमत|रेट|प्राइस|कितने का|कितने की|कितने के|कितने रुपये"
)
_DISCOUNT = _phrases(
    "discount|disc|dis|chhoot|chhut|chut|concession|kam karo|kam kar do|kam kardo|kam kijiye|kam kariye|"
    "kam karna|thoda kam|kuch kam|rate kam|kam rate|best price|best rate|last price|last rate|final price|"
    "final rate|less karo|sasta|saste|sasti|kam mein|kam me|छूट|डिस्काउंट|कम करो|कम कर दो|कम कीजिए|थोड़ा कम|कुछ कम|"
    "सस्ता|सस्ते"
)
_AVAILABILITY = _phrases(
    "available|availability|avail|stock|in stock|do you have|you have|have you got|do you carry|carry|kya hai|"
    "hai kya|h kya|milega|milegi|milenge|milta|milti|milte|mil jayega|mil jaega|kaunse colour|kaun se colour|"
    "konse colour|kon se colour|kaunsa colour|which colour|which colours|which color|which colors|what colours|"
    "what colors|what colour|what color|stock list|list|catalogue|"
    "catalog|what do you have|kya kya|kaun kaun|kaunse|kaun se|konse|kitna stock|kitne meter hai|"
    "kaunse rang|kaun se rang|कौन से|कौनसे|कौन सा|उपलब्ध|स्टॉक|मिलेगा|मिलेगी|मिलता|है क्या|क्या क्या|कौन कौन"
)
_REPEAT = _phrases(
    "repeat|again|fir se|phir se|firse|phirse|fir|phir|dobara|dubara|dobaara|once more|wahi|vahi|wohi|same|"
    "फिर से|दोबारा|वही|वैसा ही|same as|jaisa|jaise|jaisa hi|jaise hi|jaisa hi bhejna|wala hi|जैसा|जैसा ही"
)
_PREVIOUS = _phrases(
    "pichla|pichhla|pichli|pichhli|pichle|pichhle|previous|last|last time|last order|pehle wala|pehle jaisa|"
    "pehle jaise|pehli baar|pichli baar|pichhli baar|pichli bar|before|earlier|पिछला|पिछली|पिछले|पहले वाला|"
    "पिछली बार|पहले जैसा"
)
_REPEAT_ALONE = _phrases("repeat|repeat order|repeat my order|order repeat|same order|same order again|रिपीट")
_STATEMENT = _phrases(
    "hisaab|hisab|hisaab kitaab|hisab kitab|statement|account statement|balance|mera balance|bakaya|bakaaya|"
    "bakaya kitna|baaki paisa|baki paisa|outstanding|dues|due|due amount|ledger|khata|khaata|kitna dena hai|"
    "kitna baki hai|kitna baaki hai|kitna bacha hai|kitne paise baki|payment pending|pending payment|"
    "how much do i owe|what do i owe|paisa baki|paise baki|baki paise|baaki paise|kitna paisa|kitne paise|"
    "udhaar|udhar|due hai|my dues|उधार|पैसे बाकी|बकाया|बक़ाया|हिसाब|बैलेंस|खाता|स्टेटमेंट|कितना बाकी|कितना देना|कितना बाक़ी"
)
_OPT_OUT = _phrases(
    "stop|unsubscribe|opt out|optout|band karo|band kar do|band kardo|band kijiye|message band|messages band|"
    "msg band|mat bhejo message|message mat bhejo|messages mat bhejo|msg mat bhejo|no more messages|"
    "stop messages|stop sending|stop sending messages|stop sending me messages|dont send messages|"
    "don't send messages|do not send messages|dont message me|don't message me|do not message me|"
    "बंद करो|बंद कर दो|बंद कीजिए|मैसेज बंद|मैसेज मत भेजो"
)
_OPT_IN = _phrases(
    "start|subscribe|opt in|optin|resume|unstop|shuru karo|shuru|chalu karo|chaalu karo|शुरू करो|चालू करो|शुरू"
)
_THANKS = _phrases(
    "thanks|thank you|thank u|thankyou|thanku|thx|ty|tq|thanks a lot|many thanks|dhanyavad|dhanyawad|"
    "dhanyavaad|shukriya|bahut shukriya|धन्यवाद|शुक्रिया|बहुत धन्यवाद|so much|very much|a lot|bahut|very|"
    "बहुत|thanks a ton|tysm"
)
_NO = _phrases(
    "no|nope|nah|nahi|nahin|nhi|nai|na|not now|no thanks|no thank you|nahi chahiye|nahin chahiye|not needed|"
    "dont want|don't want|no need|नहीं|नही|ना|नहीं चाहिए"
)
_TIME = _phrases(
    "kal|parso|parson|aaj|today|tomorrow|day after tomorrow|day after|tonight|next week|this week|is hafte|"
    "agle hafte|hafte|week|monday|tuesday|wednesday|thursday|friday|saturday|sunday|somvar|mangalvar|budhvar|"
    "guruvar|shukravar|shanivar|ravivar|tarikh|tareekh|date|jan|january|feb|february|march|april|june|july|aug|"
    "august|sept|september|oct|october|nov|november|dec|december|diwali|holi|eid|shaam tak|subah tak|urgent|asap|"
    "jaldi chahiye|jaldi bhejo|jaldi bhejna|din mein|din me|dino mein|days|din|ghante mein|hafte mein|"
    "delivery|deliver|dispatch|shipping|courier|transport|डिलीवरी|"
    "कल|परसों|आज|हफ्ते|हफ़्ते|तारीख|तारीख़|दिवाली|होली|सोमवार|मंगलवार|बुधवार|"
    "गुरुवार|शुक्रवार|शनिवार|रविवार|जल्दी चाहिए|जल्दी भेजो"
)
_DATE_WORDS = frozenset(
    _words(
        "st nd rd th tarikh tareekh tarik date ko jan january feb february mar march apr april may jun june jul july "
        "aug august sep sept september oct october nov november dec december तारीख तारीख़ को"
    )
)
_COUNTED_TIME = frozenset(_words("din dino days day ghante hours hafte weeks"))
_TIME_LEADS = frozenset(_words("by till until before within upto up to latest"))
_FILLER = _phrases(
    "kya|hai|h|hain|he|ka|ki|ke|ko|me|mein|main|se|aap|aapke|apke|paas|pass|ke paas|mere|mera|meri|my|i|we|you|"
    "the|a|an|of|for|in|is|are|it|what|which|how|much|please|pls|plz|ji|bhai|sir|batao|bataiye|bata|bata do|"
    "bataye|tell|me|us|know|let|per|meter|metre|mtr|m|abhi|current|today's|aaj ka|aaj ki|colour|color|colours|"
    "colors|rang|kapda|kapde|cloth|fabric|material|maal|mal|wala|wali|wale|order|do|dijiye|dena|de|sakte|sakta|"
    "can|could|will|would|there|any|all|sab|sabhi|hume|mujhe|chahiye|jo|hota|hoga|milega|ok|okay|and|aur|or|ya|"
    "बताओ|बताइए|क्या|है|हैं|का|की|के|को|में|आप|आपके|पास|मेरा|मेरी|कृपया|जी|भाई|रंग|कपड़ा|माल|वाला|वाली|सब|मुझे|"
    "चाहिए|कितना|कितने|कितनी|kitna|kitne|kitni|abhi ka|all the|also|bhi|भी|hello|hi|namaste|नमस्ते|messages|"
    "message|msg|msgs|whatsapp|reminders|reminder|notifications|sending|send|me|bhejo|bhej do|share|dikhao|"
    "भेजो|दिखाओ"
)


def _find(words: Sequence[str], table: frozenset[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Spans (start, end) of the phrases of ``table`` in ``words``, longest first at each position."""
    longest = max(len(p) for p in table)
    spans, i = [], 0
    while i < len(words):
        for length in range(min(longest, len(words) - i), 0, -1):
            if tuple(words[i : i + length]) in table:
                spans.append((i, i + length))
                i += length
                break
        else:
            i += 1
    return spans


def _only(words: Sequence[str], *tables: frozenset[tuple[str, ...]]) -> bool:
    """Every word is covered by a phrase of ``tables`` (or is a courtesy)."""
    covered = set()
    for table in tables:
        for start, end in _find(words, table):
            covered.update(range(start, end))
    return all(i in covered or word in POLITE for i, word in enumerate(words))


def _all_words(message: Message) -> list[str]:
    """The words with separator words ("aur", "but") kept, punctuation dropped."""
    return [t.word for t in message.tokens if t.word not in ",;.!:।॥\n&/+?"]


def read_shop_question(message: Message, *, has_items: bool) -> Interpretation | None:
    """A shop question or small talk, unless the message holds items (then it is an order, maybe with notes)."""
    words = _all_words(message)
    if not words or has_items:
        return None
    has_quantity = any(read_quantity(words, i) is not None for i in range(len(words)))
    if _only(words, _OPT_OUT, _FILLER) and _find(words, _OPT_OUT):
        return _answer(message, Intent.OPT_OUT)
    if _only(words, _OPT_IN, _FILLER) and _find(words, _OPT_IN):
        return _answer(message, Intent.OPT_IN)
    if _find(words, _STATEMENT) and not has_quantity and not _subject(message).material:
        return _answer(message, Intent.STATEMENT)
    again = _find(words, _REPEAT) and _find(words, _PREVIOUS)
    if again or (_find(words, _REPEAT_ALONE) and _only(words, _REPEAT_ALONE, _PREVIOUS, _FILLER)):
        return _answer(message, Intent.REPEAT_ORDER)
    if _find(words, _DISCOUNT) and not has_quantity:
        return _answer(message, Intent.DISCOUNT, subject=_subject(message), notes=[_note(message, NoteKind.DISCOUNT)])
    if _find(words, _RATE):
        return _answer(message, Intent.RATE, subject=_subject(message))
    subject = _subject(message)
    asks = any(t.word == "?" for t in message.tokens) or _find(words, _AVAILABILITY)
    if asks and not has_quantity and (subject.material or subject.color or subject.unfamiliar):
        if _only(words, _AVAILABILITY, _FILLER, _term_phrases(message), _unfamiliar_words(subject)):
            return _answer(message, Intent.AVAILABILITY, subject=subject)
    if _find(words, _AVAILABILITY) and _only(words, _AVAILABILITY, _FILLER) and not has_quantity:
        return _answer(message, Intent.AVAILABILITY, subject=subject)
    if _only(words, _THANKS, _FILLER) and _find(words, _THANKS):
        return _answer(message, Intent.THANKS)
    return None


def read_small_talk(message: Message) -> Interpretation | None:
    """What a message that read as nothing else is: a wait, a no, a delivery date or discount, a question."""
    words = _all_words(message)
    if not words:
        return None
    if _only(words, _NO, _THANKS) and _find(words, _NO):
        return _answer(message, Intent.NO)
    consent = consent_of(message.tokens, message.lexicon)
    if consent.kind is ConsentKind.WAIT:
        return _answer(message, Intent.WAIT)
    if _find(words, _TIME):
        return _answer(message, Intent.DELIVERY, notes=[_note(message, NoteKind.DELIVERY)])
    if consent.kind is ConsentKind.QUESTION:
        subject = _subject(message)
        return _answer(message, Intent.QUESTION, subject=subject if subject != Subject() else None)
    return None


def take_notes(message: Message) -> tuple[list[Note], list[Token]]:
    """Delivery dates and discount requests written beside items, and the tokens left for reading the items.

    A note is the run of words around a time word ("parso tak chahiye") or a discount word ("thoda discount
    dena") that holds no quantity, colour or material.
    """
    notes: list[Note] = []
    tokens = list(message.tokens)
    words = [t.word for t in tokens]
    removed: set[int] = set()
    for table, kind in ((_TIME, NoteKind.DELIVERY), (_DISCOUNT, NoteKind.DISCOUNT)):
        for start, end in _find(words, table):
            if start in removed:
                continue
            if kind is NoteKind.DISCOUNT and any(read_quantity(words, i) for i in range(len(words))):
                if any(w in ("kam", "कम") for w in words[start:end]):
                    continue  # "2 kam kar do" takes 2 m off a line; it asks for no discount
            first, last = start, end
            while first > 0 and _plain(message, tokens, first - 1):
                first -= 1
            while last < len(tokens) and _plain(message, tokens, last):
                last += 1
            if first > 0 and not tokens[first - 1].sep and words[first - 1] in _TIME_LEADS:
                first -= 1
            if first > 0 and words[first - 1].isdigit() and words[first] in _COUNTED_TIME:  # "2 din mein"
                first -= 1
            span = [t for t in tokens[first:last] if not t.sep]
            if not span:
                continue
            removed.update(range(first, last))
            notes.append(Note(kind=kind, text=message.raw(span)))
    return notes, [t for i, t in enumerate(tokens) if i not in removed]


def _plain(message: Message, tokens: Sequence[Token], i: int) -> bool:
    """A word that can belong to a note: no separator, quantity, colour or material ("5th", "5 tarikh" can)."""
    token = tokens[i]
    if token.sep:
        return False
    words = [t.word for t in tokens]
    if token.word.isdigit() and i + 1 < len(words) and words[i + 1] in _DATE_WORDS:
        return True
    return read_quantity(words, i) is None and message.lexicon.match(words, i) is None and not token.word.isdigit()


def _term_phrases(message: Message) -> frozenset[tuple[str, ...]]:
    words = _all_words(message)
    found, i = set(), 0
    while i < len(words):
        term = message.lexicon.match(words, i)
        if term is None:
            i += 1
        else:
            found.add(tuple(words[i : term[1]]))
            i = term[1]
    return frozenset(found) or frozenset({("\x00",)})


def _unfamiliar_words(subject: Subject) -> frozenset[tuple[str, ...]]:
    return frozenset((u.word,) for u in subject.unfamiliar) or frozenset({("\x00",)})


def _subject(message: Message) -> Subject:
    words = _all_words(message)
    material = color = None
    unfamiliar: list[Unfamiliar] = []
    i = 0
    while i < len(words):
        term = message.lexicon.match(words, i)
        if term is not None:
            if term[0].kind == "material" and material is None:
                material = term[0].name
            elif term[0].kind == "color" and color is None:
                color = term[0].name
            i = term[1]
            continue
        strange = message.lexicon.unfamiliar(words[i])
        if strange is not None and not _find([words[i]], _FILLER) and not _find([words[i]], _RATE):
            unfamiliar.append(strange)
        i += 1
    return Subject(material=material, color=color, unfamiliar=tuple(unfamiliar))


def _note(message: Message, kind: NoteKind) -> Note:
    return Note(kind=kind, text=message.source.strip() or "-")


def _answer(
    message: Message, intent: Intent, *, subject: Subject | None = None, notes: list[Note] | None = None
) -> Interpretation:
    reading = Reading(notes=list(notes or []))
    return result_of(message, intent, reading).model_copy(update={"subject": subject})
