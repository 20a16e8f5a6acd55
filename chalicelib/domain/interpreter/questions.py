"""The questions the interpreter asks back, in the customer's language and script."""

from __future__ import annotations

from chalicelib.domain.catalogue import Term, Vocabulary
from chalicelib.domain.interpretation import ContextLine, Language
from chalicelib.domain.interpreter.quantities import WrittenQuantity
from chalicelib.domain.money import format_meters

_UNIT_NAMES = {
    "en": {"m": "m", "roll": "rolls"},
    "hinglish": {"m": "meter", "roll": "than"},
    "hi": {"m": "मीटर", "roll": "थान"},
}
_QUESTIONS = {
    "what": {
        "en": "{q}: which material and colour?",
        "hinglish": "{q}: kaunsa kapda aur kaunsa colour?",
        "hi": "{q}: कौन सा कपड़ा और कौन सा रंग?",
    },
    "color": {
        "en": "Which colour of {m}?",
        "hinglish": "{m} kis colour mein chahiye?",
        "hi": "{m} किस रंग में चाहिए?",
    },
    "material": {
        "en": "Which material in {c}?",
        "hinglish": "{c} mein kaunsa kapda chahiye?",
        "hi": "{c} में कौन सा कपड़ा चाहिए?",
    },
    "quantity": {
        "en": "How many meters of {c} {m}?",
        "hinglish": "{c} {m} kitne meter chahiye?",
        "hi": "{c} {m} कितने मीटर चाहिए?",
    },
    "unit": {
        "en": "{n} meters or {n} rolls of {c} {m}?",
        "hinglish": "{c} {m}: {n} meter ya {n} than?",
        "hi": "{c} {m}: {n} मीटर या {n} थान?",
    },
    "bare_unit": {
        "en": "{n} meters or {n} rolls?",
        "hinglish": "{n} meter ya {n} than?",
        "hi": "{n} मीटर या {n} थान?",
    },
    "which_line": {
        "en": "Which item do you mean: {options}?",
        "hinglish": "Kaunsa item: {options}?",
        "hi": "कौन सा आइटम: {options}?",
    },
    "no_line": {
        "en": "There is no {t} in your order. Which item do you mean?",
        "hinglish": "Order mein {t} nahi hai. Kaunsa item?",
        "hi": "ऑर्डर में {t} नहीं है। कौन सा आइटम?",
    },
    "edit_which": {
        "en": "Which item should be {q}?",
        "hinglish": "Kaunsa item {q} karna hai?",
        "hi": "कौन सा आइटम {q} करना है?",
    },
    "add_which": {
        "en": "Which item should get {q} more?",
        "hinglish": "Kis item mein {q} aur?",
        "hi": "किस आइटम में {q} और?",
    },
    "reduce_which": {
        "en": "Which item should be {q} less?",
        "hinglish": "Kis item mein {q} kam?",
        "hi": "किस आइटम में {q} कम?",
    },
    "remove_which": {
        "en": "Which item should I remove?",
        "hinglish": "Kaunsa item hatana hai?",
        "hi": "कौन सा आइटम हटाना है?",
    },
    "rest_which": {
        "en": "Which items do you mean by the rest?",
        "hinglish": "Baaki mein kaunse items?",
        "hi": "बाकी में कौन से आइटम?",
    },
    "range": {
        "en": "{lo} or {hi} {u} of {c} {m}?",
        "hinglish": "{c} {m}: {lo} ya {hi} {u}?",
        "hi": "{c} {m}: {lo} या {hi} {u}?",
    },
    "not_carried": {
        "en": 'We don\'t carry "{w}".',
        "hinglish": '"{w}" hamare paas nahi hai.',
        "hi": '"{w}" हमारे पास नहीं है।',
    },
    "did_you_mean": {
        "en": "Did you mean {t}?",
        "hinglish": "Kya aapka matlab {t} hai?",
        "hi": "क्या आपका मतलब {t} है?",
    },
    "unread": {
        "en": 'Sorry, I could not understand "{f}". Please write it like: 20m blue cotton.',
        "hinglish": 'Maaf kijiye, "{f}" samajh nahi aaya. Aise likhiye: 20 meter neela suti.',
        "hi": 'माफ़ कीजिए, "{f}" समझ नहीं आया। ऐसे लिखिए: 20 मीटर नीला सूती।',
    },
}


def ask(key: str, language: Language, **parts: str) -> str:
    return _QUESTIONS[key][language].format(**parts)


def term_name(term: Term | None, language: Language) -> str:
    return term.display(language) if term is not None else ""


def unit_name(unit: str, language: Language) -> str:
    return _UNIT_NAMES[language][unit]


def amount_text(quantity: WrittenQuantity, language: Language) -> str:
    if quantity.range and quantity.high is not None:
        unit = f" {_UNIT_NAMES[language][quantity.unit]}" if quantity.unit else ""
        return f"{format_meters(quantity.number)}-{format_meters(quantity.high)}{unit}"
    if quantity.unit is None:
        return format_meters(quantity.number)
    return f"{format_meters(quantity.amount)} {_UNIT_NAMES[language][quantity.unit]}"


def line_name(line: ContextLine, vocabulary: Vocabulary, language: Language) -> str:
    color, material = vocabulary.color(line.color), vocabulary.material(line.material)
    color_name = color.display(language) if color else line.color
    material_name = material.display(language) if material else line.material
    return f"{line.number} ({color_name} {material_name})"
