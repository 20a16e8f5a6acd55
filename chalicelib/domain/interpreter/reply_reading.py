"""Reading replies about the order on the table: accept, cancel, alternatives, edits, additions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from chalicelib.domain.catalogue import Term, normalise
from chalicelib.domain.interpretation import (
    Context,
    ContextLine,
    CustomerDecision,
    Decision,
    ItemRequest,
    Language,
    Unit,
)
from chalicelib.domain.interpreter.lexicon import (
    ALTERNATIVE_NOUNS,
    DECISION_CUES,
    DOOSRA,
    KIND_CUES,
    ORDINAL_SUFFIXES,
    ORDINALS,
    Cue,
)
from chalicelib.domain.interpreter.message import Message, Reading
from chalicelib.domain.interpreter.numbers import is_digits
from chalicelib.domain.interpreter.order_reading import read_order
from chalicelib.domain.interpreter.quantities import WrittenQuantity, read_quantity
from chalicelib.domain.interpreter.questions import amount_text, ask, line_name, term_name
from chalicelib.domain.interpreter.tokens import Token, split
from chalicelib.domain.money import format_meters


@dataclass
class _Reply:
    """One decision's worth of a reply: what it names (targets) and what it says about them (cues, quantity)."""

    tokens: list[Token] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    bare: list[Decimal] = field(default_factory=list)  # numerals with no unit: line numbers or unit-less amounts
    colors: list[Term] = field(default_factory=list)
    materials: list[Term] = field(default_factory=list)
    rest: bool = False
    cues: set[Cue] = field(default_factory=set)
    quantity: WrittenQuantity | None = None
    leftover: list[str] = field(default_factory=list)
    verb_after_name: bool = False  # "blue le lunga": the next name starts the next reply
    unit_from_line: bool = False  # "2 kam kar do": the number is in the line's own unit

    @property
    def names_something(self) -> bool:
        return bool(self.refs or self.bare or self.colors or self.materials or self.rest)

    @property
    def says_something(self) -> bool:
        return bool(self.cues - {Cue.FILLER} or self.quantity)


def read_replies(message: Message, context: Context) -> Reading:
    reading = Reading()
    parts = split(message.tokens)
    if not _has_kind_cues(message, parts):
        order = read_order(message, parts)
        if order.items and not order.questions and not order.unclear:
            cues = _cues_in(message.words)
            for item in order.items:
                adds = bool(cues & {Cue.ADD, Cue.MORE}) or any(w in ("aur", "और") for w in message.words)
                reading.decisions.append(_item_decision(item, context, add=adds, edit=Cue.EDIT in cues))
            return reading
    if _read_reference(message, context, reading):
        return reading
    replies = [reply for part in parts for reply in _read_reply_parts(message, part)]
    for reply in replies:
        _settle_numbers(reply)
    kinds = [_reply_kind(r) for r in replies]
    _inherit_kinds(replies, kinds)
    named: set[int] = set()
    rests: list[tuple[_Reply, CustomerDecision]] = []
    for reply, kind in zip(replies, kinds, strict=True):
        raw = message.raw(reply.tokens)
        if reply.leftover:
            reading.not_read(" ".join(reply.leftover))
        if kind is None:
            _explain_unread_reply(message, reply, reading, raw)
            continue
        if kind in _INHERITABLE and reply.rest and not (reply.refs or reply.colors or reply.materials):
            rests.append((reply, kind))
            continue
        for decision in _decide(message, reply, kind, context, reading, raw):
            reading.decisions.append(decision)
            if decision.target and decision.target.isdigit():
                named.add(int(decision.target))
    for reply, kind in rests:
        raw = message.raw(reply.tokens)
        if not context.lines:
            reading.ask(ask("rest_which", message.language))
            reading.not_read(raw)
            continue
        for line in context.lines:
            if line.number not in named:
                reading.decisions.append(Decision(kind=kind, target=str(line.number), raw=raw))
    return reading


def _cues_in(words: Sequence[str]) -> set[Cue]:
    cues, i = set(), 0
    while i < len(words):
        cue = DECISION_CUES.match(words, i)
        if cue is None:
            i += 1
        else:
            cues.add(cue[0])
            i = cue[1]
    return cues


def _has_kind_cues(message: Message, parts: list[list[Token]]) -> bool:
    for part in parts:
        words = [t.word for t in part]
        i = 0
        while i < len(words):
            quantity = read_quantity(words, i)
            if quantity is not None:
                i = quantity.end
                continue
            term = message.lexicon.match(words, i)
            if term is not None:
                i = term[1]
                continue
            cue = DECISION_CUES.match(words, i)
            if cue is not None and cue[0] in KIND_CUES | {Cue.REF, Cue.REST}:
                return True
            if ORDINALS.match(words, i) is not None:
                return True
            i = cue[1] if cue else i + 1
    return False


def _item_decision(item: ItemRequest, context: Context, *, add: bool, edit: bool) -> Decision:
    """A fully read item in a reply: a change to the line it names, else a new line."""
    matches = [line for line in context.lines if _names(line) == (item.color, item.material)]
    if not add and len(matches) == 1:
        return Decision(
            kind=CustomerDecision.EDIT_ITEM,
            target=str(matches[0].number),
            quantity=item.quantity,
            unit=item.unit,
            raw=item.raw,
        )
    if edit and not add and not context.lines:
        target = f"{item.color} {item.material}"
        return Decision(
            kind=CustomerDecision.EDIT_ITEM, target=target, quantity=item.quantity, unit=item.unit, raw=item.raw
        )
    return Decision(kind=CustomerDecision.ADD_ITEM, item=item, raw=item.raw)


def _names(line: ContextLine) -> tuple[str, str]:
    return normalise(line.color), normalise(line.material)


def _read_reply_parts(message: Message, tokens: list[Token]) -> list[_Reply]:
    """Read one separated part; naming a new line after a verb starts the next reply ("blue le lo red cancel")."""
    words = [t.word for t in tokens]
    replies = [_Reply()]
    i = 0
    while i < len(words):
        current = replies[-1]
        _, names, _ = _read_reply_word(message, words, i, current, probe=True)
        if names and current.verb_after_name:
            current = _Reply()
            replies.append(current)
        named_before = current.names_something
        end, _, says = _read_reply_word(message, words, i, current, probe=False)
        current.verb_after_name = current.verb_after_name or (says and named_before)
        current.tokens.extend(tokens[i:end])
        i = end
    return [r for r in replies if r.tokens]


def _read_reply_word(
    message: Message, words: Sequence[str], i: int, reply: _Reply, *, probe: bool
) -> tuple[int, bool, bool]:
    """Read what starts at ``words[i]`` into ``reply`` (unless probing); return (end, names a line, says a verb)."""
    quantity = read_quantity(words, i)
    if quantity is not None and quantity.range:
        if not probe:
            reply.leftover.extend(words[i : quantity.end])
        return quantity.end, False, False
    if quantity is not None and quantity.unit is not None:
        if not probe:
            if quantity.amount > 0:
                reply.quantity = quantity
            else:  # "0m": nothing to set a line to
                reply.leftover.extend(words[i : quantity.end])
        return quantity.end, False, True
    if quantity is not None:
        end = quantity.end
        if end < len(words) and words[end] in ORDINAL_SUFFIXES:  # "2nd"
            if not probe:
                reply.refs.append(int(quantity.number))
            return end + 1, True, False
        if not probe:
            reply.bare.append(quantity.number)
        return end, True, False
    ordinal = ORDINALS.match(words, i)
    asks_other = i + 1 < len(words) and words[i + 1] in ALTERNATIVE_NOUNS and words[i] in DOOSRA
    if ordinal is not None and not asks_other:
        if not probe:
            reply.refs.append(ordinal[0])
        return ordinal[1], True, False
    term = message.lexicon.match(words, i)
    if term is not None:
        if not probe:
            (reply.colors if term[0].kind == "color" else reply.materials).append(term[0])
        return term[1], True, False
    if words[i] in ("aur", "और"):  # kept as a word only where it means "more" (see tokens)
        if not probe:
            reply.cues.add(Cue.MORE)
        return i + 1, False, True
    cue = DECISION_CUES.match(words, i)
    if cue is not None and cue[0] is Cue.REF and cue[1] < len(words) and is_digits(words[cue[1]]):
        if not probe:
            reply.refs.append(int(Decimal(words[cue[1]].replace(",", ""))))
        return cue[1] + 1, True, False
    if cue is not None:
        if not probe:
            reply.cues.add(cue[0])
            reply.rest = reply.rest or cue[0] is Cue.REST
        return cue[1], cue[0] is Cue.REST, cue[0] not in (Cue.FILLER, Cue.REF, Cue.REST)
    if not probe:
        reply.leftover.append(words[i])
    return i + 1, False, False


def _settle_numbers(reply: _Reply) -> None:
    """Numerals without a unit name lines when the reply says what to do with them: "2 cancel", "1 ko 25 m"."""
    if reply.bare and (reply.quantity is not None or reply.cues & KIND_CUES):
        _bare_to_refs(reply)


def _bare_to_refs(reply: _Reply) -> None:
    reply.refs.extend(int(n) for n in reply.bare if n == n.to_integral_value())
    reply.bare = [n for n in reply.bare if n != n.to_integral_value()]


def _reply_kind(reply: _Reply) -> CustomerDecision | None:
    """What one reply says, strongest first: cancel, alternative, a quantity, confirm, accept."""
    named = bool(reply.refs or reply.colors or reply.materials or reply.rest)
    if Cue.CANCEL in reply.cues:
        if not named and reply.leftover:
            return None  # "1-2 cancel": cancelling the whole order on a half-read reply would be a guess
        return CustomerDecision.CANCEL_ITEM if named else CustomerDecision.CANCEL_ORDER
    if Cue.REMOVE in reply.cues or (Cue.NEGATION in reply.cues and named):
        return CustomerDecision.CANCEL_ITEM
    if Cue.ALTERNATIVE in reply.cues:
        return CustomerDecision.REQUEST_ALTERNATIVE
    relative = reply.cues & {Cue.MORE, Cue.LESS, Cue.ADD}
    if reply.quantity is None and relative and len(reply.bare) == 1 and reply.bare[0] > 0:  # "2 kam kar do"
        reply.quantity = WrittenQuantity(reply.bare.pop(), "m", Decimal(1), False, 0)
        reply.unit_from_line = True
    if reply.quantity is not None:
        if reply.leftover and not named:
            return None  # "tweed 5 meter": a quantity beside an unread word is no edit of a line (a silent change)
        if reply.colors and reply.materials and len(reply.colors) == len(reply.materials) == 1:
            return CustomerDecision.ADD_ITEM  # becomes an edit when it names an existing line, see _decide
        if Cue.LESS in reply.cues:
            return CustomerDecision.REDUCE_QUANTITY
        if relative:
            return CustomerDecision.ADD_QUANTITY
        return CustomerDecision.EDIT_ITEM
    if reply.bare:
        return None
    if Cue.CONFIRM in reply.cues:
        return CustomerDecision.CONFIRM
    if Cue.ACCEPT in reply.cues:
        return CustomerDecision.ACCEPT_AVAILABLE
    return None


_INHERITABLE = frozenset(
    {CustomerDecision.CANCEL_ITEM, CustomerDecision.ACCEPT_AVAILABLE, CustomerDecision.REQUEST_ALTERNATIVE}
)


def _inherit_kinds(replies: list[_Reply], kinds: list[CustomerDecision | None]) -> None:
    """A reply that only names a line takes the verb of its neighbour: "red aur blue cancel"."""
    for index, (reply, kind) in enumerate(zip(replies, kinds, strict=True)):
        if kind is not None or reply.leftover or not reply.names_something or reply.says_something:
            continue
        after = [k for k in kinds[index + 1 :] if k is not None]
        before = [k for k in kinds[:index] if k is not None]
        for candidate in after[:1] + before[-1:]:
            if candidate in _INHERITABLE:
                kinds[index] = candidate
                _bare_to_refs(reply)  # "2 aur 3 cancel"
                break


def _explain_unread_reply(message: Message, reply: _Reply, reading: Reading, raw: str) -> None:
    language = message.language
    if reply.bare:
        reading.ask(ask("bare_unit", language, n=format_meters(reply.bare[0])))
        reading.not_read(raw)
    elif reply.says_something or reply.names_something or reply.leftover:
        reading.not_read(raw)


def _decide(
    message: Message, reply: _Reply, kind: CustomerDecision, context: Context, reading: Reading, raw: str
) -> list[Decision]:
    language = message.language
    if kind is CustomerDecision.CANCEL_ORDER or kind is CustomerDecision.CONFIRM:
        return [Decision(kind=kind, raw=raw)]
    if kind is CustomerDecision.ADD_ITEM:
        assert reply.quantity is not None and reply.quantity.unit is not None
        item = ItemRequest(
            material=reply.materials[0].name,
            color=reply.colors[0].name,
            quantity=reply.quantity.amount,
            unit=reply.quantity.unit,
            raw=raw,
        )
        adds = bool(reply.cues & {Cue.ADD, Cue.MORE})
        return [_item_decision(item, context, add=adds, edit=Cue.EDIT in reply.cues)]
    targets = _targets(message, reply, context, reading, raw)
    if targets is None:
        return []
    if kind in (CustomerDecision.EDIT_ITEM, CustomerDecision.ADD_QUANTITY, CustomerDecision.REDUCE_QUANTITY):
        assert reply.quantity is not None and reply.quantity.unit is not None
        open_lines = [line for line in context.lines if line.open]
        if not targets:
            if len(context.lines) == 1:
                targets = [str(context.lines[0].number)]
            elif len(open_lines) == 1:  # "4 meter le lo" while one line is still open: that line
                targets = [str(open_lines[0].number)]
            elif context.lines:
                reading.ask(_which_to_change(kind, reply.quantity, language))
                reading.not_read(raw)
                return []
            else:
                targets = [None]
        if kind is not CustomerDecision.EDIT_ITEM and targets == [None]:
            reading.ask(_which_to_change(kind, reply.quantity, language))
            reading.not_read(raw)
            return []
        return [
            Decision(kind=kind, target=t, quantity=reply.quantity.amount, unit=_unit(reply, context, t), raw=raw)
            for t in targets
        ]
    if kind is CustomerDecision.CANCEL_ITEM and not targets:
        if len(context.lines) == 1:
            return [Decision(kind=kind, target=str(context.lines[0].number), raw=raw)]
        reading.ask(ask("remove_which", language))
        reading.not_read(raw)
        return []
    return [Decision(kind=kind, target=t, raw=raw) for t in targets or [None]]


def _targets(message: Message, reply: _Reply, context: Context, reading: Reading, raw: str) -> list[str | None] | None:
    """The lines a reply names, as line numbers when the order is known; None when they cannot be told apart."""
    language = message.language
    if reply.refs:
        targets: list[str | None] = []
        for ref in dict.fromkeys(reply.refs):
            if context.lines and all(line.number != ref for line in context.lines):
                reading.ask(ask("no_line", language, t=f"item {ref}" if language != "hi" else f"आइटम {ref}"))
                reading.not_read(raw)
                return None
            targets.append(str(ref))
        return targets
    colors, materials = reply.colors, reply.materials
    if not colors and not materials:
        return []
    if len(colors) > 1 and len(materials) > 1:
        reading.not_read(raw)
        reading.ask(ask("which_line", language, options=_options(message, context.lines, language)))
        return None
    pairs: list[tuple[Term | None, Term | None]]
    if len(colors) > 1:
        pairs = [(c, materials[0] if materials else None) for c in colors]
    else:
        pairs = [(colors[0] if colors else None, m) for m in materials] or [(colors[0], None)]
    targets = []
    for color, material in pairs:
        if not context.lines:
            targets.append(" ".join(t.name for t in (color, material) if t is not None))
            continue
        matches = [
            line
            for line in context.lines
            if (color is None or _names(line)[0] == color.name)
            and (material is None or _names(line)[1] == material.name)
        ]
        if len(matches) == 1:
            targets.append(str(matches[0].number))
            continue
        reading.not_read(raw)
        if matches:
            reading.ask(ask("which_line", language, options=_options(message, matches, language)))
        else:
            named = " ".join(term_name(t, language) for t in (color, material) if t is not None)
            reading.ask(ask("no_line", language, t=named))
        return None
    return targets


def _options(message: Message, lines: Sequence[ContextLine], language: Language) -> str:
    return ", ".join(line_name(line, message.vocabulary, language) for line in lines)


def _unit(reply: _Reply, context: Context, target: str | None) -> Unit:
    """The unit of a change: as written, or the line's own for a bare number ("2 kam kar do" on a line of rolls)."""
    assert reply.quantity is not None and reply.quantity.unit is not None
    if reply.unit_from_line and target is not None and target.isdigit():
        for line in context.lines:
            if line.number == int(target):
                return line.unit
    return reply.quantity.unit


def _which_to_change(kind: CustomerDecision, quantity: WrittenQuantity, language: Language) -> str:
    key = {CustomerDecision.ADD_QUANTITY: "add_which", CustomerDecision.REDUCE_QUANTITY: "reduce_which"}
    return ask(key.get(kind, "edit_which"), language, q=amount_text(quantity, language))


# --- "same in green", "cotton ki jagah rayon" -----------------------------------------------------------------


@dataclass
class _Named:
    """The colours and materials a message names (with their word positions), the lines it points at, its cues."""

    terms: list[tuple[Term, int]] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    quantity: WrittenQuantity | None = None
    cues: list[tuple[Cue, tuple[str, ...], int]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    @property
    def cue_kinds(self) -> set[Cue]:
        return {cue for cue, _, _ in self.cues}


# "rayon instead of cotton", "replace cotton with rayon": the old one follows these words ...
_OLD_AFTER = frozenset({("instead",), ("instead", "of"), ("in", "place", "of"), ("replace",), ("replace", "with")})
# ... and only these make "black kar do" (one new colour, no old one named) a change of the line's colour
_MAKE = frozenset(
    {("kar", "do"), ("kardo",), ("karo",), ("kar", "dijiye"), ("make", "it"), ("make",), ("change",),
     ("change", "to"), ("change", "it", "to"), ("badal",), ("badlo",), ("badal", "do"), ("कर", "दो"), ("करो",),
     ("कर", "दीजिए"), ("बदल",), ("बदलो",), ("बदल", "दो")}
)  # fmt: skip


def _read_reference(message: Message, context: Context, reading: Reading) -> bool:
    """A copy of a line in another colour or material, or one colour or material instead of another.

    "same in green", "wahi maroon mein bhi", "red bhi 5m" copy a line (its quantity unless one is written) into a
    colour or material no line has. "cotton ki jagah rayon", "rayon instead of cotton", "change red to green" and,
    with one line on the table, "black kar do" replace the colour or material a line has by another. Returns False
    when the message is neither.
    """
    if not context.lines:
        return False
    named = _scan(message)
    kinds = named.cue_kinds if named is not None else set()
    if named is None or named.other or kinds & (KIND_CUES | {Cue.MORE, Cue.LESS, Cue.REST}):
        return False
    if kinds & {Cue.INSTEAD, Cue.EDIT}:
        return _replace(message, context, reading, named)
    if kinds & {Cue.SAME, Cue.ADD}:
        return _copy(message, context, reading, named)
    return False


def _replace(message: Message, context: Context, reading: Reading, named: _Named) -> bool:
    terms = named.terms
    if not terms or len(terms) > 3:
        return False
    old: Term | None
    if len(terms) == 1:  # "black kar do": the line's colour becomes black
        if not any(words in _MAKE for _, words, _ in named.cues):
            return False
        if any(_has(line, terms[0][0]) for line in context.lines):
            return False  # "make the blue one 30m" names a line; it changes no colour
        old, new = None, terms[0][0]
    else:
        same_kind = [(term, at) for term, at in terms if term.kind == terms[-1][0].kind]
        others = [term for term, _ in terms if term.kind != terms[-1][0].kind]
        if len(same_kind) != 2 or len(others) > 1:
            return False
        (first, _), (second, _) = same_kind
        instead = [at for cue, words, at in named.cues if cue is Cue.INSTEAD]
        old_after = any(words in _OLD_AFTER for cue, words, _ in named.cues if cue is Cue.INSTEAD)
        if instead and old_after and same_kind[0][1] < instead[0] < same_kind[1][1]:
            old, new = second, first  # "rayon instead of cotton"
        else:
            old, new = first, second  # "cotton ki jagah rayon", "replace cotton with rayon", "red ko green kar do"
    lines = _pointed(context, named.refs)
    if old is not None:
        lines = [line for line in lines if _has(line, old)]
    lines = [line for line in lines if all(_has(line, t) for t, _ in terms if t.kind != new.kind)]
    if not lines and old is not None:
        name = " ".join(term_name(t, message.language) for t in (old,))
        reading.ask(ask("no_line", message.language, t=name))
        reading.not_read(message.source.strip())
        return True
    return _decided(message, context, reading, lines, new, named, CustomerDecision.REPLACE_ITEM)


def _copy(message: Message, context: Context, reading: Reading, named: _Named) -> bool:
    on_lines = [t for t, _ in named.terms if any(_has(line, t) for line in context.lines)]
    new = [t for t, _ in named.terms if t not in on_lines]
    if len(new) != 1:
        return False
    lines = [line for line in _pointed(context, named.refs) if all(_has(line, t) for t in on_lines)]
    return _decided(message, context, reading, lines, new[0], named, CustomerDecision.ADD_ITEM)


def _decided(
    message: Message,
    context: Context,
    reading: Reading,
    lines: list[ContextLine],
    new: Term,
    named: _Named,
    kind: CustomerDecision,
) -> bool:
    raw = message.source.strip()
    if len(lines) != 1:
        options = _options(message, lines or list(context.lines), message.language)
        reading.ask(ask("which_line", message.language, options=options))
        reading.not_read(raw)
        return True
    line = lines[0]
    quantity = named.quantity
    item = ItemRequest(
        material=new.name if new.kind == "material" else normalise(line.material),
        color=new.name if new.kind == "color" else normalise(line.color),
        quantity=quantity.amount if quantity and quantity.unit else line.quantity,
        unit=quantity.unit if quantity and quantity.unit else line.unit,
        raw=raw,
    )
    target = str(line.number) if kind is CustomerDecision.REPLACE_ITEM else None
    reading.decisions.append(Decision(kind=kind, target=target, item=item, raw=raw))
    return True


def _scan(message: Message) -> _Named | None:
    words = message.words
    named, i = _Named(), 0
    while i < len(words):
        quantity = read_quantity(words, i)
        if quantity is not None:
            if named.quantity is not None or quantity.range or quantity.unit is None:
                return None
            named.quantity, i = quantity, quantity.end
            continue
        term = message.lexicon.match(words, i)
        if term is not None:
            named.terms.append((term[0], i))
            i = term[1]
            continue
        ordinal = ORDINALS.match(words, i)
        if ordinal is not None:
            named.refs.append(ordinal[0])
            i = ordinal[1]
            continue
        cue = DECISION_CUES.match(words, i)
        if cue is not None and cue[0] is Cue.REF and cue[1] < len(words) and is_digits(words[cue[1]]):
            named.refs.append(int(Decimal(words[cue[1]].replace(",", ""))))
            i = cue[1] + 1
            continue
        if cue is not None:
            named.cues.append((cue[0], tuple(words[i : cue[1]]), i))
            i = cue[1]
            continue
        if words[i] in _REFERENCE_FILLER:
            i += 1
            continue
        named.other.append(words[i])
        i += 1
    return named


_REFERENCE_FILLER = frozenset(
    "to with of in too wala wali wale waala mein me ka ki ke from into as में का की के से".split()
)


def _has(line: ContextLine, term: Term) -> bool:
    """The line has this colour or material."""
    return normalise(line.color if term.kind == "color" else line.material) == term.name


def _pointed(context: Context, refs: list[int]) -> list[ContextLine]:
    if not refs:
        return list(context.lines)
    return [line for line in context.lines if line.number in refs]
