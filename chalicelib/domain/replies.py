"""Every message a customer reads, in the language and script they write in: English, Hinglish or Devanagari Hindi.

All customer-facing wording is in ``TEXTS`` (one row per message, one column per language); the functions below
only fill it in and shape it into WhatsApp messages. Choices are reply buttons (at most 3, titles cut to 20
characters with ``button_title``) or a list when there are more than 3 (at most 10 rows, titles of 24).

What a customer taps comes back as a ``Choice`` id (see ``Choice``), which the conversation engine reads without
any interpreter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Language
from chalicelib.domain.messages import (
    BUTTONS_MAX,
    INTERACTIVE_BODY_MAX,
    LIST_ROWS_MAX,
    ROW_TITLE_MAX,
    Button,
    ListRow,
    ListSection,
    OutboundMessage,
    button_title,
    shorten,
)
from chalicelib.domain.money import format_inr, format_meters
from chalicelib.domain.order import ItemStatus, Order, OrderLine, OrderState
from chalicelib.domain.stock import Allocation, InventoryStatus

# --------------------------------------------------------------------------------------------------------------
# Button and list ids
# --------------------------------------------------------------------------------------------------------------

CONFIRM = "confirm"
EDIT = "edit"
CANCEL_ORDER = "cancel_order"
TAKE_AVAILABLE = "take_available"
ACCEPT = "accept"
CANCEL_LINE = "cancel"
ALTERNATIVES = "alt"
PICK = "pick"
_ORDER_ACTIONS = frozenset({CONFIRM, EDIT, CANCEL_ORDER, TAKE_AVAILABLE})
_LINE_ACTIONS = frozenset({ACCEPT, CANCEL_LINE, ALTERNATIVES})


@dataclass(frozen=True)
class Choice:
    """Something the customer can tap. Its ``id`` is what WhatsApp sends back:

    ``confirm``, ``edit``, ``cancel_order``, ``take_available`` (the whole order);
    ``accept:L1``, ``cancel:L1``, ``alt:L1`` (one line, by its stable line_id);
    ``pick:L1:<material>:<colour>`` (replace line L1 with that cloth; canonical names, spaces allowed).
    """

    action: str
    line_id: str | None = None
    material: str | None = None
    color: str | None = None

    @property
    def id(self) -> str:
        if self.action == PICK:
            return f"{PICK}:{self.line_id}:{self.material}:{self.color}"
        return f"{self.action}:{self.line_id}" if self.line_id else self.action

    @classmethod
    def parse(cls, choice_id: str) -> Choice | None:
        """The choice an id names, or None for an id this engine never sent."""
        action, _, rest = choice_id.strip().partition(":")
        if action in _ORDER_ACTIONS and not rest:
            return cls(action)
        if action in _LINE_ACTIONS and rest and ":" not in rest:
            return cls(action, rest)
        if action == PICK:
            line_id, material, color = ([*rest.split(":", 2), "", ""])[:3]
            if line_id and material and color:
                return cls(PICK, line_id, material, color)
        return None


# --------------------------------------------------------------------------------------------------------------
# The wording
# --------------------------------------------------------------------------------------------------------------

TEXTS: dict[str, dict[Language, str]] = {
    "example": {
        "en": "20m blue cotton, 6m red polyester",
        "hinglish": "20 meter neela suti aur 6 meter laal polyester",
        "hi": "20 मीटर नीला सूती और 6 मीटर लाल पॉलिएस्टर",
    },
    "welcome": {
        "en": "Namaste{name}! Send your order here, for example:\n{example}\nWe will check the stock and tell you "
        "the price.",
        "hinglish": "Namaste{name}! Apna order yahan bhejiye, jaise:\n{example}\nHum stock check karke rate batayenge.",
        "hi": "नमस्ते{name}! अपना ऑर्डर यहाँ भेजिए, जैसे:\n{example}\nहम स्टॉक देखकर दाम बताएँगे।",
    },
    "welcome_back": {
        "en": "Namaste{name}! Here is your order {id}:",
        "hinglish": "Namaste{name}! Aapka order {id}:",
        "hi": "नमस्ते{name}! आपका ऑर्डर {id}:",
    },
    "help": {
        "en": "How to order: write what you need, for example:\n{example}\nYou can also write:\n"
        "• status – where your order is\n• cancel – cancel your order\n• new order – start again",
        "hinglish": "Order kaise karein: jo chahiye likhiye, jaise:\n{example}\nYe bhi likh sakte hain:\n"
        "• status – order kahan hai\n• cancel – order cancel\n• naya order – naye se shuru",
        "hi": "ऑर्डर कैसे करें: जो चाहिए लिखिए, जैसे:\n{example}\nये भी लिख सकते हैं:\n"
        "• स्थिति – ऑर्डर कहाँ है\n• रद्द – ऑर्डर रद्द करें\n• नया ऑर्डर – फिर से शुरू",
    },
    "did_not_understand": {
        "en": "Sorry, I did not understand that. Please write your order like:\n{example}",
        "hinglish": "Maaf kijiye, samajh nahi aaya. Aise likhiye:\n{example}",
        "hi": "माफ़ कीजिए, समझ नहीं आया। ऐसे लिखिए:\n{example}",
    },
    "unsupported": {
        "en": "Sorry, I can read text orders only, not {what}. Please type your order, like:\n{example}",
        "hinglish": "Maaf kijiye, hum sirf likha hua order padh sakte hain, {what} nahi. "
        "Order type karke bhejiye, jaise:\n{example}",
        "hi": "माफ़ कीजिए, हम सिर्फ़ लिखा हुआ ऑर्डर पढ़ सकते हैं, {what} नहीं। कृपया ऑर्डर लिखकर भेजिए, जैसे:\n{example}",
    },
    "no_open_order": {
        "en": "You have no open order. Send one like:\n{example}",
        "hinglish": "Abhi koi order khula nahi hai. Aise bhejiye:\n{example}",
        "hi": "अभी कोई खुला ऑर्डर नहीं है। ऐसे भेजिए:\n{example}",
    },
    "last_order": {
        "en": "Your last order {id}: {state}.",
        "hinglish": "Aapka pichhla order {id}: {state}.",
        "hi": "आपका पिछला ऑर्डर {id}: {state}।",
    },
    "stale": {
        "en": "That choice is no longer open. Here is your order now:",
        "hinglish": "Ye option ab khula nahi hai. Aapka order abhi aisa hai:",
        "hi": "यह विकल्प अब खुला नहीं है। आपका ऑर्डर अभी ऐसा है:",
    },
    "stale_no_order": {
        "en": "That choice is no longer open.",
        "hinglish": "Ye option ab khula nahi hai.",
        "hi": "यह विकल्प अब खुला नहीं है।",
    },
    "noted": {
        "en": "Noted so far:",
        "hinglish": "Abhi tak likha:",
        "hi": "अब तक लिखा:",
    },
    "go_on": {
        "en": "(Or write ok to go on with these.)",
        "hinglish": "(Ya inhi ke saath aage badhne ke liye ok likhiye.)",
        "hi": "(या इन्हीं के साथ आगे बढ़ने के लिए ठीक है लिखिए।)",
    },
    "report": {
        "en": "Stock for your order {id}:",
        "hinglish": "Order {id} ka stock:",
        "hi": "ऑर्डर {id} का स्टॉक:",
    },
    "report_updated": {
        "en": "Order {id}, updated:",
        "hinglish": "Order {id}, badlav ke baad:",
        "hi": "ऑर्डर {id}, बदलाव के बाद:",
    },
    "partial": {
        "en": "{name}: only {available} of {asked} available",
        "hinglish": "{name}: {asked} mein se sirf {available} available hai",
        "hi": "{name}: {asked} में से सिर्फ़ {available} उपलब्ध है",
    },
    "out_of_stock": {
        "en": "{name} ({asked}): out of stock",
        "hinglish": "{name} ({asked}): stock mein nahi hai",
        "hi": "{name} ({asked}): स्टॉक में नहीं है",
    },
    "below_min_cut": {
        "en": "{name}: we cut at least {minimum}; {asked} is too little",
        "hinglish": "{name}: kam se kam {minimum} katte hain, {asked} bahut kam hai",
        "hi": "{name}: कम से कम {minimum} काटते हैं, {asked} बहुत कम है",
    },
    "asked": {
        "en": "(you asked {asked})",
        "hinglish": "({asked} maanga tha)",
        "hi": "({asked} माँगा था)",
    },
    "lots": {
        "en": "from {n} dye lots: the shade may differ slightly",
        "hinglish": "{n} dye lot se: shade thoda alag ho sakta hai",
        "hi": "{n} डाई लॉट से: रंग में हल्का फ़र्क हो सकता है",
    },
    "ask_partial": {
        "en": "Take {available}, see other options, or remove it? You can also write a new quantity.",
        "hinglish": "{available} le lein, dusre options dekhein, ya hata dein? Nayi quantity bhi likh sakte hain.",
        "hi": "{available} लें, दूसरे विकल्प देखें, या हटा दें? नई मात्रा भी लिख सकते हैं।",
    },
    "ask_partial_no_options": {
        "en": "Take {available} or remove it? You can also write a new quantity.",
        "hinglish": "{available} le lein ya hata dein? Nayi quantity bhi likh sakte hain.",
        "hi": "{available} लें या हटा दें? नई मात्रा भी लिख सकते हैं।",
    },
    "ask_out": {
        "en": "Choose another cloth or remove it:",
        "hinglish": "Dusra kapda chuniye ya hata dijiye:",
        "hi": "दूसरा कपड़ा चुनिए या हटा दीजिए:",
    },
    "ask_out_no_options": {
        "en": "Nothing similar is in stock either. Remove it, or write a different item.",
        "hinglish": "Milta-julta bhi stock mein nahi hai. Hata dijiye ya koi aur item likhiye.",
        "hi": "मिलता-जुलता भी स्टॉक में नहीं है। हटा दीजिए या कोई और आइटम लिखिए।",
    },
    "ask_min_cut": {
        "en": "Write a new quantity or remove it.",
        "hinglish": "Nayi quantity likhiye ya hata dijiye.",
        "hi": "नई मात्रा लिखिए या हटा दीजिए।",
    },
    "alternatives": {
        "en": "Instead of {name} ({asked}) we have:",
        "hinglish": "{name} ({asked}) ki jagah ye hai:",
        "hi": "{name} ({asked}) की जगह ये हैं:",
    },
    "alternative": {
        "en": "• {name}: {rate}/m, {asked} = {amount}",
        "hinglish": "• {name}: {rate}/meter, {asked} = {amount}",
        "hi": "• {name}: {rate}/मीटर, {asked} = {amount}",
    },
    "no_alternatives": {
        "en": "Sorry, nothing similar to {name} is in stock right now.",
        "hinglish": "Maaf kijiye, {name} jaisa abhi kuch stock mein nahi hai.",
        "hi": "माफ़ कीजिए, {name} जैसा अभी कुछ स्टॉक में नहीं है।",
    },
    "bounded": {
        "en": "We have gone back and forth a few times. Take what is available ({items}), or cancel the order?",
        "hinglish": "Kaafi baar baat ho gayi. Jo available hai wo le lein ({items}), ya order cancel karein?",
        "hi": "कई बार बात हो गई। जो उपलब्ध है वो ले लें ({items}), या ऑर्डर रद्द करें?",
    },
    "nothing": {"en": "nothing", "hinglish": "kuch nahi", "hi": "कुछ नहीं"},
    "summary": {
        "en": "Please check your order {id}:",
        "hinglish": "Apna order {id} check kijiye:",
        "hi": "अपना ऑर्डर {id} जाँच लीजिए:",
    },
    "total": {"en": "Total: {total} + GST", "hinglish": "Kul: {total} + GST", "hi": "कुल: {total} + जीएसटी"},
    "confirm_ask": {
        "en": "Confirm to send it to the shop owner.",
        "hinglish": "Confirm karne par order shop owner ke paas jayega.",
        "hi": "पक्का करने पर ऑर्डर दुकान मालिक के पास जाएगा।",
    },
    "edit_help": {
        "en": "Write the change, for example:\n• change 1 to 30m\n• remove 2\n• add 10m green silk",
        "hinglish": "Badlav likhiye, jaise:\n• 1 ko 30 meter kar do\n• 2 hata do\n• 10 meter hara resham bhi",
        "hi": "बदलाव लिखिए, जैसे:\n• 1 को 30 मीटर कर दो\n• 2 हटा दो\n• 10 मीटर हरा रेशम भी",
    },
    "handed_over": {
        "en": "Thank you! Order {id} (total {total}) has been sent to the shop owner for approval. "
        "We will message you as soon as they reply.",
        "hinglish": "Dhanyavaad! Order {id} (kul {total}) shop owner ko approval ke liye bhej diya hai. "
        "Jawab aate hi batayenge.",
        "hi": "धन्यवाद! ऑर्डर {id} (कुल {total}) दुकान मालिक को मंज़ूरी के लिए भेज दिया है। जवाब आते ही बताएँगे।",
    },
    "waiting_owner": {
        "en": "Your order {id} (total {total}) is with the shop owner for approval. "
        "We will message you as soon as they decide.",
        "hinglish": "Aapka order {id} (kul {total}) shop owner ke paas approval ke liye hai. Faisla aate hi batayenge.",
        "hi": "आपका ऑर्डर {id} (कुल {total}) दुकान मालिक के पास मंज़ूरी के लिए है। फ़ैसला आते ही बताएँगे।",
    },
    "waiting_owner_no_change": {
        "en": "Your order {id} (total {total}) is with the shop owner for approval, so it cannot be changed now. "
        "We will message you as soon as they decide.",
        "hinglish": "Aapka order {id} (kul {total}) shop owner ke paas approval ke liye hai, isliye abhi badla nahi "
        "ja sakta. Faisla aate hi batayenge.",
        "hi": "आपका ऑर्डर {id} (कुल {total}) दुकान मालिक के पास मंज़ूरी के लिए है, इसलिए अभी बदला नहीं जा सकता। "
        "फ़ैसला आते ही बताएँगे।",
    },
    "cancel_refused": {
        "en": "Your order {id} is already with the shop owner, so I cannot cancel it here: the owner decides now. "
        "Please call the shop if you need to stop it.",
        "hinglish": "Aapka order {id} shop owner ke paas pahunch chuka hai, isliye yahan se cancel nahi ho sakta: "
        "ab faisla owner karenge. Rokna ho to shop ko call kijiye.",
        "hi": "आपका ऑर्डर {id} दुकान मालिक के पास पहुँच चुका है, इसलिए यहाँ से रद्द नहीं हो सकता: अब फ़ैसला मालिक "
        "करेंगे। रोकना हो तो दुकान पर फ़ोन कीजिए।",
    },
    "new_order_refused": {
        "en": "Your order {id} is with the shop owner for approval. "
        "You can start a new order as soon as the owner decides.",
        "hinglish": "Aapka order {id} shop owner ke paas approval ke liye hai. "
        "Owner ka faisla aane ke baad naya order shuru kar sakte hain.",
        "hi": "आपका ऑर्डर {id} दुकान मालिक के पास मंज़ूरी के लिए है। मालिक का फ़ैसला आने के बाद नया ऑर्डर शुरू कर सकते हैं।",
    },
    "cancelled": {
        "en": "Order {id} is cancelled. Send a new order any time.",
        "hinglish": "Order {id} cancel ho gaya. Naya order kabhi bhi bhejiye.",
        "hi": "ऑर्डर {id} रद्द हो गया। नया ऑर्डर कभी भी भेजिए।",
    },
    "cancelled_empty": {
        "en": "Every item was removed, so order {id} is cancelled. Send a new order any time.",
        "hinglish": "Saare items hat gaye, isliye order {id} cancel ho gaya. Naya order kabhi bhi bhejiye.",
        "hi": "सारे आइटम हट गए, इसलिए ऑर्डर {id} रद्द हो गया। नया ऑर्डर कभी भी भेजिए।",
    },
    "previous_cancelled": {
        "en": "Your previous order {id} is cancelled.",
        "hinglish": "Aapka pichhla order {id} cancel kar diya.",
        "hi": "आपका पिछला ऑर्डर {id} रद्द कर दिया।",
    },
    "send_new_order": {
        "en": "Send your new order, for example:\n{example}",
        "hinglish": "Naya order bhejiye, jaise:\n{example}",
        "hi": "नया ऑर्डर भेजिए, जैसे:\n{example}",
    },
    "expired": {
        "en": "Order {id} has expired because we did not hear back. Send a new order any time.",
        "hinglish": "Jawab nahi aaya, isliye order {id} expire ho gaya. Naya order kabhi bhi bhejiye.",
        "hi": "जवाब नहीं आया, इसलिए ऑर्डर {id} की समय सीमा ख़त्म हो गई। नया ऑर्डर कभी भी भेजिए।",
    },
    "approved": {
        "en": "Good news! The shop owner approved order {id} (total {total}).",
        "hinglish": "Khushkhabri! Shop owner ne order {id} (kul {total}) approve kar diya.",
        "hi": "ख़ुशख़बरी! दुकान मालिक ने ऑर्डर {id} (कुल {total}) मंज़ूर कर दिया।",
    },
    "rejected": {
        "en": "Sorry, the shop owner could not accept order {id}. Reason: {reason}",
        "hinglish": "Maaf kijiye, shop owner order {id} accept nahi kar paaye. Wajah: {reason}",
        "hi": "माफ़ कीजिए, दुकान मालिक ऑर्डर {id} स्वीकार नहीं कर पाए। कारण: {reason}",
    },
    "rejected_no_reason": {
        "en": "Sorry, the shop owner could not accept order {id}. Please call the shop for details.",
        "hinglish": "Maaf kijiye, shop owner order {id} accept nahi kar paaye. "
        "Zyada jaankari ke liye shop ko call kijiye.",
        "hi": "माफ़ कीजिए, दुकान मालिक ऑर्डर {id} स्वीकार नहीं कर पाए। ज़्यादा जानकारी के लिए दुकान पर फ़ोन कीजिए।",
    },
    "stock_moved": {
        "en": "Sorry, the stock has just changed:",
        "hinglish": "Maaf kijiye, stock abhi badal gaya:",
        "hi": "माफ़ कीजिए, स्टॉक अभी बदल गया:",
    },
    "prices_changed": {
        "en": "The prices changed since your last summary; please check again.",
        "hinglish": "Pichhli summary ke baad rate badal gaye; phir se check kijiye.",
        "hi": "पिछले सारांश के बाद दाम बदल गए; फिर से जाँच लीजिए।",
    },
    "nothing_to_take": {
        "en": "{name} is out of stock, so there is nothing to take.",
        "hinglish": "{name} stock mein nahi hai, lene ko kuch nahi hai.",
        "hi": "{name} स्टॉक में नहीं है, लेने को कुछ नहीं है।",
    },
    "replaced": {
        "en": "{old} replaced with {new}.",
        "hinglish": "{old} ki jagah {new}.",
        "hi": "{old} की जगह {new}।",
    },
    "which_item": {
        "en": "Which item do you mean? {options}",
        "hinglish": "Kaunsa item? {options}",
        "hi": "कौन सा आइटम? {options}",
    },
    "whole_rolls": {
        "en": "{name}: rolls come whole. Please write whole rolls or meters.",
        "hinglish": "{name}: than poore hi milte hain. Poore than ya meter mein likhiye.",
        "hi": "{name}: थान पूरे ही मिलते हैं। पूरे थान या मीटर में लिखिए।",
    },
    # Button and list labels: button_title keeps them within 20 characters.
    "btn_take": {"en": "Take {q}", "hinglish": "{q} le lo", "hi": "{q} लें"},
    "btn_options": {"en": "Other options", "hinglish": "Dusre options", "hi": "दूसरे विकल्प"},
    "btn_remove": {"en": "Remove item", "hinglish": "Item hatao", "hi": "आइटम हटाएँ"},
    "btn_confirm": {"en": "Confirm", "hinglish": "Confirm", "hi": "पक्का करें"},
    "btn_edit": {"en": "Edit", "hinglish": "Badlav", "hi": "बदलें"},
    "btn_cancel_order": {"en": "Cancel order", "hinglish": "Order cancel", "hi": "ऑर्डर रद्द करें"},
    "btn_take_available": {"en": "Take available", "hinglish": "Jo hai wo lo", "hi": "जो है वो लें"},
    "list_choose": {"en": "Choose", "hinglish": "Chuniye", "hi": "चुनिए"},
    "list_remove": {"en": "Remove an item", "hinglish": "Item hatayein", "hi": "आइटम हटाएँ"},
}

_STATE_NAMES: dict[OrderState, dict[Language, str]] = {
    OrderState.ORDER_COMPLETED: {
        "en": "approved by the shop",
        "hinglish": "shop ne approve kar diya",
        "hi": "दुकान ने मंज़ूर कर दिया",
    },
    OrderState.ORDER_REJECTED: {
        "en": "not accepted by the shop",
        "hinglish": "shop ne accept nahi kiya",
        "hi": "दुकान ने स्वीकार नहीं किया",
    },
    OrderState.CANCELLED: {"en": "cancelled", "hinglish": "cancel ho gaya", "hi": "रद्द हो गया"},
    OrderState.EXPIRED: {"en": "expired", "hinglish": "expire ho gaya", "hi": "समय सीमा ख़त्म"},
}

_MESSAGE_TYPES: dict[str, dict[Language, str]] = {
    "image": {"en": "photos", "hinglish": "photo", "hi": "फ़ोटो"},
    "audio": {"en": "voice notes", "hinglish": "voice note", "hi": "वॉइस नोट"},
    "voice": {"en": "voice notes", "hinglish": "voice note", "hi": "वॉइस नोट"},
    "video": {"en": "videos", "hinglish": "video", "hi": "वीडियो"},
    "document": {"en": "documents", "hinglish": "document", "hi": "दस्तावेज़"},
    "location": {"en": "locations", "hinglish": "location", "hi": "लोकेशन"},
    "sticker": {"en": "stickers", "hinglish": "sticker", "hi": "स्टिकर"},
    "reaction": {"en": "reactions", "hinglish": "reaction", "hi": "रिएक्शन"},
    "contacts": {"en": "contacts", "hinglish": "contact", "hi": "कॉन्टैक्ट"},
}
_OTHER_TYPE: dict[Language, str] = {"en": "this kind of message", "hinglish": "aisa message", "hi": "ऐसे संदेश"}

_UNITS: dict[Language, tuple[str, str, str]] = {  # meters, one roll, several rolls
    "en": ("{n} m", "{n} roll", "{n} rolls"),
    "hinglish": ("{n} meter", "{n} than", "{n} than"),
    "hi": ("{n} मीटर", "{n} थान", "{n} थान"),
}
_CLOTH: dict[Language, tuple[str, str, str]] = {  # whole rolls, whole rolls of one length, rolls and cut
    "en": ("{m} = {r} ({p})", "{m} = {r} ({p} each)", "{m}: {r} + {c} cut"),
    "hinglish": ("{m} = {r} ({p})", "{m} = {r} ({p} har ek)", "{m}: {r} + {c} cut piece"),
    "hi": ("{m} = {r} ({p})", "{m} = {r} ({p} हर एक)", "{m}: {r} + {c} कटा हुआ"),
}


def text(key: str, language: Language, **parts: object) -> str:
    """One row of ``TEXTS`` in ``language``, filled in."""
    return TEXTS[key][language].format(**parts)


# --------------------------------------------------------------------------------------------------------------
# Naming cloth, quantities and prices
# --------------------------------------------------------------------------------------------------------------


def cloth_name(material: str, color: str, language: Language, vocabulary: Vocabulary) -> str:
    """ "Blue cotton", "Neela suti", "नीला सूती": colour then material, as the customer's language names them."""
    color_term, material_term = vocabulary.color(color), vocabulary.material(material)
    color_name = color_term.display(language) if color_term else color
    material_name = material_term.display(language) if material_term else material
    name = f"{color_name} {material_name}"
    return name if language == "hi" else name[:1].upper() + name[1:]


def line_name(line: OrderLine, language: Language, vocabulary: Vocabulary) -> str:
    return cloth_name(line.material, line.color, language, vocabulary)


def amount(quantity: Decimal, unit: str, language: Language) -> str:
    """ "20 m", "2 rolls", "20 मीटर", "2 थान"."""
    in_meters, one_roll, rolls = _UNITS[language]
    if unit == "roll":
        return (one_roll if quantity == 1 else rolls).format(n=format_meters(quantity))
    return in_meters.format(n=format_meters(quantity))


def cloth(allocation: Allocation, language: Language) -> str:
    """How the meters are made up, where that matters: "40 m = 1 roll (40 m)", "60 m: 1 roll + 20 m cut"."""
    total = amount(allocation.available_meters, "m", language)
    rolls = sum(part.rolls for part in allocation.parts)
    if allocation.unit == "roll":
        return f"{amount(Decimal(rolls), 'roll', language)} ({total})"
    if rolls == 0:
        return total
    whole, whole_each, mixed = _CLOTH[language]
    roll_text = amount(Decimal(rolls), "roll", language)
    pieces = sum((part.loose_meters + part.cut_meters for part in allocation.parts), Decimal(0))
    if pieces:
        return mixed.format(m=total, r=roll_text, c=amount(pieces, "m", language))
    lengths = {part.meters_per_roll for part in allocation.parts if part.rolls}
    if len(lengths) > 1:
        return f"{total} = {roll_text}"
    per_roll = amount(lengths.pop(), "m", language)
    return (whole if rolls == 1 else whole_each).format(m=total, r=roll_text, p=per_roll)


def price(allocation: Allocation, language: Language) -> str:
    """ "20 m × ₹120.00 = ₹2,400.00"; just the amount when the lots used are priced differently."""
    rates = {part.price_per_meter for part in allocation.parts}
    given = amount(allocation.available_meters, "m", language)
    if len(rates) == 1:
        return f"{given} × {format_inr(rates.pop())} = {format_inr(allocation.amount)}"
    return f"{given} = {format_inr(allocation.amount)}"


def line_text(line: OrderLine, language: Language, vocabulary: Vocabulary) -> str:
    """One numbered line of a report or summary: what it is, what can be given, its price and any lot note."""
    name = line_name(line, language, vocabulary)
    asked = amount(line.quantity, line.unit, language)
    head = f"{line.number}. " if line.number else ""
    allocation = line.allocation
    if line.min_cut is not None or allocation is None:
        minimum = amount(line.min_cut or Decimal(0), "m", language)
        return head + text("below_min_cut", language, name=name, minimum=minimum, asked=asked)
    if line.status is ItemStatus.NEGOTIATING and allocation.status is InventoryStatus.OUT_OF_STOCK:
        return head + text("out_of_stock", language, name=name, asked=asked)
    if line.status is ItemStatus.NEGOTIATING and allocation.status is InventoryStatus.PARTIAL_AVAILABLE:
        available = amount(allocation.available_quantity, line.unit, language)
        first = text("partial", language, name=name, available=available, asked=asked)
    else:
        first = f"{name} — {cloth(allocation, language)}"
        if line.status is ItemStatus.ACCEPTED and line.accepted_quantity < line.quantity:
            first += " " + text("asked", language, asked=asked)
    rows = [head + first, f"   {price(allocation, language)}"]
    if allocation.spans_lots:
        rows.append("   " + text("lots", language, n=len(allocation.dye_lots)))
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------------------


def _greeting_name(name: str | None) -> str:
    return f" {name.strip()}" if name and name.strip() else ""


def plain(to: str, body: str) -> OutboundMessage:
    return OutboundMessage(to=to, text=body)


def welcome(to: str, language: Language, name: str | None = None) -> OutboundMessage:
    example = text("example", language)
    return plain(to, text("welcome", language, name=_greeting_name(name), example=example))


def welcome_back(order: Order, name: str | None = None) -> OutboundMessage:
    return plain(
        order.customer_phone, text("welcome_back", order.language, name=_greeting_name(name), id=order.order_id)
    )


def help_message(to: str, language: Language) -> OutboundMessage:
    return plain(to, text("help", language, example=text("example", language)))


def did_not_understand(to: str, language: Language) -> OutboundMessage:
    return plain(to, text("did_not_understand", language, example=text("example", language)))


def unsupported(to: str, language: Language, message_type: str) -> OutboundMessage:
    what = _MESSAGE_TYPES.get(message_type, _OTHER_TYPE)[language]
    return plain(to, text("unsupported", language, what=what, example=text("example", language)))


def no_open_order(to: str, language: Language, last: Order | None = None) -> OutboundMessage:
    body = text("no_open_order", language, example=text("example", language))
    if last is not None and last.state in _STATE_NAMES:
        state = _STATE_NAMES[last.state][language]
        body = text("last_order", language, id=last.order_id, state=state) + "\n" + body
    return plain(to, body)


def stale(to: str, language: Language, has_order: bool) -> OutboundMessage:
    return plain(to, text("stale" if has_order else "stale_no_order", language))


def questions(
    to: str, language: Language, asked: Sequence[str], noted: Order | None, vocabulary: Vocabulary
) -> OutboundMessage:
    """The interpreter's questions, word for word; with the lines already noted when an order is being collected."""
    rows: list[str] = []
    if noted is not None and noted.active_lines:
        rows.append(text("noted", language))
        rows += [_noted_line(line, language, vocabulary) for line in noted.active_lines]
    rows += list(asked)
    if noted is not None and noted.active_lines:
        rows.append(text("go_on", language))
    return plain(to, "\n".join(rows))


def collecting(order: Order, vocabulary: Vocabulary) -> OutboundMessage:
    """Status of an order still being collected: what is noted and how to go on."""
    return questions(order.customer_phone, order.language, [], order, vocabulary)


def _noted_line(line: OrderLine, language: Language, vocabulary: Vocabulary) -> str:
    name = line_name(line, language, vocabulary)
    return f"{line.number}. {name} — {amount(line.quantity, line.unit, language)}"


def notes(order: Order, rows: Sequence[str]) -> OutboundMessage:
    return plain(order.customer_phone, "\n".join(rows))


def report(order: Order, vocabulary: Vocabulary, updated: bool = False) -> OutboundMessage:
    """Every shown line with what the stock can give and its price."""
    language = order.language
    header = text("report_updated" if updated else "report", language, id=order.order_id)
    body = "\n".join([header, *(line_text(line, language, vocabulary) for line in order.active_lines)])
    return plain(order.customer_phone, body)


def line_choice(order: Order, line: OrderLine, vocabulary: Vocabulary) -> OutboundMessage:
    """The question about one unresolved line, with its choices as buttons (or a list of alternatives)."""
    language = order.language
    name = line_name(line, language, vocabulary)
    remove = _button(Choice(CANCEL_LINE, line.line_id), text("btn_remove", language))
    head = f"{line.number}. "
    if line.min_cut is not None or line.allocation is None:
        body = f"{line_text(line, language, vocabulary)}\n{text('ask_min_cut', language)}"
        return OutboundMessage(to=order.customer_phone, text=body, buttons=(remove,))
    if line.allocation.status is InventoryStatus.PARTIAL_AVAILABLE:
        available = amount(line.allocation.available_quantity, line.unit, language)
        asked = amount(line.quantity, line.unit, language)
        key = "ask_partial" if line.alternatives else "ask_partial_no_options"
        body = f"{head}{text('partial', language, name=name, available=available, asked=asked)}{_stop(language)}\n"
        body += text(key, language, available=available)
        buttons = [_button(Choice(ACCEPT, line.line_id), text("btn_take", language, q=available))]
        if line.alternatives:
            buttons.append(_button(Choice(ALTERNATIVES, line.line_id), text("btn_options", language)))
        return OutboundMessage(to=order.customer_phone, text=body, buttons=(*buttons, remove))
    body = head + text("out_of_stock", language, name=name, asked=amount(line.quantity, line.unit, language))
    if not line.alternatives:
        body += _stop(language) + "\n" + text("ask_out_no_options", language)
        return OutboundMessage(to=order.customer_phone, text=body, buttons=(remove,))
    return _alternatives_message(order, line, vocabulary, body + _stop(language) + "\n" + text("ask_out", language))


def alternatives(order: Order, line: OrderLine, vocabulary: Vocabulary) -> OutboundMessage:
    """The cloths that could replace ``line`` (its stored ``alternatives``), each a choice, plus removing it."""
    language = order.language
    name = line_name(line, language, vocabulary)
    if not line.alternatives:
        return plain(order.customer_phone, text("no_alternatives", language, name=name))
    header = text("alternatives", language, name=name, asked=amount(line.quantity, line.unit, language))
    return _alternatives_message(order, line, vocabulary, header)


def _alternatives_message(order: Order, line: OrderLine, vocabulary: Vocabulary, header: str) -> OutboundMessage:
    """The alternatives as buttons when they and "remove" fit in three, else as a list."""
    language = order.language
    asked = amount(line.quantity, line.unit, language)
    rows = [header]
    choices: list[tuple[Choice, str, str]] = []  # choice, title, list row description
    for alt in line.alternatives:
        name = cloth_name(alt.material, alt.color, language, vocabulary)
        rate, total = format_inr(alt.price_per_meter), format_inr(alt.amount)
        rows.append(text("alternative", language, name=name, rate=rate, asked=asked, amount=total))
        choices.append((Choice(PICK, line.line_id, alt.material, alt.color), name, _per_meter(rate, language, total)))
    choices.append((Choice(CANCEL_LINE, line.line_id), text("btn_remove", language), ""))
    body = "\n".join(rows)
    titles = [button_title(title) for _, title, _ in choices]
    if len(choices) <= BUTTONS_MAX and len(set(titles)) == len(titles):
        buttons = tuple(_button(choice, title) for choice, title, _ in choices)
        return OutboundMessage(to=order.customer_phone, text=body, buttons=buttons)
    list_rows = tuple(_row(choice, title, description) for choice, title, description in choices[:LIST_ROWS_MAX])
    return OutboundMessage(
        to=order.customer_phone,
        text=body,
        list_button=button_title(text("list_choose", language)),
        list_sections=(ListSection(rows=list_rows),),
    )


def _per_meter(rate: str, language: Language, total: str) -> str:
    per = {"en": "/m", "hinglish": "/meter", "hi": "/मीटर"}[language]
    return f"{rate}{per} · {total}"


def bounded_choice(order: Order, vocabulary: Vocabulary) -> OutboundMessage:
    """After too many rounds: one clear choice between taking what is available and cancelling the order."""
    language = order.language
    kept = []
    for line in order.active_lines:
        allocation = line.allocation
        if allocation is None or allocation.status is InventoryStatus.OUT_OF_STOCK or line.min_cut is not None:
            continue
        quantity = line.accepted_quantity if line.status is ItemStatus.ACCEPTED else allocation.available_quantity
        kept.append(f"{line_name(line, language, vocabulary)} {amount(quantity, line.unit, language)}")
    items = ", ".join(kept) or text("nothing", language)
    buttons = (
        _button(Choice(TAKE_AVAILABLE), text("btn_take_available", language)),
        _button(Choice(CANCEL_ORDER), text("btn_cancel_order", language)),
    )
    return OutboundMessage(to=order.customer_phone, text=text("bounded", language, items=items), buttons=buttons)


def summary(order: Order, vocabulary: Vocabulary, note: str | None = None) -> list[OutboundMessage]:
    """The final summary: only what the customer will get, each line priced, the total, and Confirm/Edit/Cancel.

    A summary too long for one interactive message goes as text, followed by the buttons on their own.
    """
    language = order.language
    rows = [note] if note else []
    rows.append(text("summary", language, id=order.order_id))
    rows += [line_text(line, language, vocabulary) for line in order.lines_for_summary]
    rows.append(text("total", language, total=format_inr(order.total)))
    ask = text("confirm_ask", language)
    buttons = (
        _button(Choice(CONFIRM), text("btn_confirm", language)),
        _button(Choice(EDIT), text("btn_edit", language)),
        _button(Choice(CANCEL_ORDER), text("btn_cancel_order", language)),
    )
    body = "\n".join([*rows, ask])
    if len(body) <= INTERACTIVE_BODY_MAX:
        return [OutboundMessage(to=order.customer_phone, text=body, buttons=buttons)]
    return [plain(order.customer_phone, "\n".join(rows)), OutboundMessage(order.customer_phone, ask, buttons)]


def edit_help(order: Order, vocabulary: Vocabulary) -> OutboundMessage:
    """How to change the order; with two or more lines, a list to remove one with a tap."""
    language = order.language
    body = text("edit_help", language)
    lines = order.active_lines
    if len(lines) < 2:
        return plain(order.customer_phone, body)
    rows = tuple(
        _row(Choice(CANCEL_LINE, line.line_id), f"{line.number}. {line_name(line, language, vocabulary)}")
        for line in lines[:LIST_ROWS_MAX]
    )
    label = button_title(text("list_remove", language))
    return OutboundMessage(
        to=order.customer_phone, text=body, list_button=label, list_sections=(ListSection(rows=rows),)
    )


def handed_over(order: Order) -> OutboundMessage:
    return _about(order, "handed_over")


def waiting_owner(order: Order, change_refused: bool = False) -> OutboundMessage:
    return _about(order, "waiting_owner_no_change" if change_refused else "waiting_owner")


def cancel_refused(order: Order) -> OutboundMessage:
    return _about(order, "cancel_refused")


def new_order_refused(order: Order) -> OutboundMessage:
    return _about(order, "new_order_refused")


def cancelled(order: Order, every_item_removed: bool = False) -> OutboundMessage:
    return _about(order, "cancelled_empty" if every_item_removed else "cancelled")


def previous_cancelled(previous: Order, language: Language, ask_for_new: bool) -> OutboundMessage:
    body = text("previous_cancelled", language, id=previous.order_id)
    if ask_for_new:
        body += "\n" + text("send_new_order", language, example=text("example", language))
    return plain(previous.customer_phone, body)


def send_new_order(to: str, language: Language) -> OutboundMessage:
    return plain(to, text("send_new_order", language, example=text("example", language)))


def expired(order: Order) -> OutboundMessage:
    return _about(order, "expired")


def approved(order: Order) -> OutboundMessage:
    return _about(order, "approved")


def rejected(order: Order, reason: str | None) -> OutboundMessage:
    if reason and reason.strip():
        return _about(order, "rejected", reason=reason.strip())
    return _about(order, "rejected_no_reason")


def stock_moved(order: Order, lines: Sequence[OrderLine], vocabulary: Vocabulary) -> OutboundMessage:
    """Which lines the stock no longer covers, with what it can give now."""
    language = order.language
    rows = [text("stock_moved", language), *(line_text(line, language, vocabulary) for line in lines)]
    return plain(order.customer_phone, "\n".join(rows))


def which_item(order: Order, vocabulary: Vocabulary) -> str:
    options = ", ".join(f"{line.number}. {line_name(line, order.language, vocabulary)}" for line in order.active_lines)
    return text("which_item", order.language, options=options)


def _about(order: Order, key: str, **parts: str) -> OutboundMessage:
    return plain(
        order.customer_phone, text(key, order.language, id=order.order_id, total=format_inr(order.total), **parts)
    )


def _stop(language: Language) -> str:
    return "।" if language == "hi" else "."


def _button(choice: Choice, title: str) -> Button:
    return Button(id=choice.id, title=button_title(title))


def _row(choice: Choice, title: str, description: str = "") -> ListRow:
    return ListRow(id=choice.id, title=shorten(" ".join(title.split()), ROW_TITLE_MAX), description=description)
