"""Reading new items: quantities, colours and materials, shared quantities ("10m each")."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from chalicelib.domain.catalogue import Term
from chalicelib.domain.interpretation import ItemRequest, Language, PartialItem, Slot, Unfamiliar
from chalicelib.domain.interpreter.lexicon import ORDER_CUES, Cue
from chalicelib.domain.interpreter.message import Message, Reading
from chalicelib.domain.interpreter.quantities import WrittenQuantity, read_quantity
from chalicelib.domain.interpreter.questions import amount_text, ask, term_name, unit_name
from chalicelib.domain.interpreter.tokens import Token
from chalicelib.domain.money import format_meters


@dataclass
class _Fragment:
    """One item's worth of a message, as far as it was read."""

    tokens: list[Token]
    quantity: WrittenQuantity | None = None
    color: Term | None = None
    material: Term | None = None
    each: bool = False
    negated: bool = False
    leftover: list[str] = field(default_factory=list)
    shared_raw: str | None = None  # set when "10m each" lent its quantity to this fragment
    group: int | None = None  # which "10m each" it belongs to
    header: bool = False  # "cotton 10m each: blue, red": the fragment that only lends
    range: WrittenQuantity | None = None  # "15-20 m": two amounts, one to choose
    carried: bool = False  # its material came from the item before it ("blue cotton 10m aur red 5m")

    @property
    def complete(self) -> bool:
        return bool(self.quantity and self.quantity.unit and self.color and self.material)

    @property
    def read_anything(self) -> bool:
        return bool(self.quantity or self.color or self.material or self.range)


_MULTIPLIERS = frozenset("x pieces piece pcs pc times nag into पीस".split())  # "2 pieces of 5m", "10m x 2"
_COUNT_NOUNS = frozenset("rang colour colours color colors items item types shades kism रंग आइटम".split())


def read_order(message: Message, parts: list[list[Token]]) -> Reading:
    fragments = []
    for part in parts:
        read = _read_fragments(message, part)
        if any(t.word in _MULTIPLIERS for t in part):  # how much in all is not written: ask, never multiply
            for fragment in read:
                if fragment.complete:
                    fragment.quantity = None
        fragments.extend(read)
    _share_each(message, fragments)
    fragments = _join_halves(message, fragments)
    _carry_material(fragments)
    reading = Reading()
    seen: set[tuple[str, str, int]] = set()
    for fragment in fragments:
        raw = message.raw(fragment.tokens)
        if fragment.header:
            continue
        unfamiliar = [u for u in map(message.lexicon.unfamiliar, fragment.leftover) if u is not None]
        if fragment.negated:
            reading.not_read(raw)
        elif fragment.complete and not unfamiliar:
            assert fragment.quantity and fragment.quantity.unit and fragment.color and fragment.material
            if fragment.quantity.amount <= 0:
                reading.not_read(raw)
                continue
            item = ItemRequest(
                material=fragment.material.name,
                color=fragment.color.name,
                quantity=fragment.quantity.amount,
                unit=fragment.quantity.unit,
                raw=fragment.shared_raw or raw,
            )
            if fragment.group is None:
                reading.items.append(item)
            elif (key := (item.material, item.color, fragment.group)) not in seen:  # "cotton 10m each: blue"
                seen.add(key)
                reading.items.append(item)
            if fragment.leftover:
                reading.not_read(" ".join(fragment.leftover))
        elif fragment.read_anything or unfamiliar:
            reading.partial.append(_partial(fragment, unfamiliar, raw))
            reading.ask(_missing_question(message, fragment, unfamiliar))
            reading.not_read(raw)
        elif fragment.leftover:
            reading.not_read(raw)
    return reading


def _partial(fragment: _Fragment, unfamiliar: list[Unfamiliar], raw: str) -> PartialItem:
    """What was read of an item that is not complete, and what to ask for, in asking order."""
    written = fragment.quantity
    quantity = written if written and written.unit and written.amount > 0 else None
    missing: list[Slot] = []
    if fragment.material is None:
        missing.append("material")
    if fragment.color is None:
        missing.append("color")
    if quantity is None and fragment.range is None:
        missing.append("quantity" if fragment.quantity is None else "unit")
    if fragment.range is not None:
        missing.append("choice")
    options: tuple[Decimal, ...] = ()
    span = fragment.range
    if span is not None and span.high_amount is not None and span.unit is not None and span.amount > 0:
        options = (span.amount, span.high_amount)
    return PartialItem(
        material=fragment.material.name if fragment.material else None,
        color=fragment.color.name if fragment.color else None,
        quantity=quantity.amount if quantity else None,
        unit=quantity.unit if quantity else (fragment.range.unit if fragment.range else None),
        quantity_options=options,
        unfamiliar=tuple(unfamiliar),
        missing=tuple(missing),
        raw=fragment.shared_raw or raw,
    )


def _read_fragments(message: Message, tokens: list[Token]) -> list[_Fragment]:
    """Read one separated part; a second quantity, colour or material starts the next item ("20m blue 6m red")."""
    words = [t.word for t in tokens]
    fragments = [_Fragment(tokens=[])]
    i = 0
    while i < len(words):
        current = fragments[-1]
        quantity = read_quantity(words, i)
        term = None if quantity else message.lexicon.match(words, i)
        slot = "quantity" if quantity else (term[0].kind if term else None)
        taken = slot is not None and getattr(current, slot) is not None
        if taken or (slot == "quantity" and current.range is not None):
            current = _Fragment(tokens=[])
            fragments.append(current)
        if quantity is not None and quantity.unit is None and quantity.end < len(words):
            if words[quantity.end] in _COUNT_NOUNS:  # "3 rang: ...": a count of what follows, not an amount
                current.tokens.extend(tokens[i : quantity.end + 1])
                i = quantity.end + 1
                continue
        if quantity is not None and quantity.range:
            current.range, end = quantity, quantity.end
        elif quantity is not None:
            current.quantity, current.each, end = quantity, current.each or quantity.each, quantity.end
        elif term is not None:
            setattr(current, term[0].kind, term[0])
            end = term[1]
        else:
            cue = ORDER_CUES.match(words, i)
            if cue is None and words[i] in ("aur", "और"):  # "aur 5 meter ..." (see tokens): nothing to read
                end = i + 1
            elif cue is None:
                current.leftover.append(words[i])
                end = i + 1
            else:
                current.each = current.each or cue[0] is Cue.EACH
                current.negated = current.negated or cue[0] is Cue.NEGATION
                end = cue[1]
        current.tokens.extend(tokens[i:end])
        i = end
    return [f for f in fragments if f.tokens]


def _share_each(message: Message, fragments: list[_Fragment]) -> None:
    """Spread "10m each" over the items it covers: "10m each of blue and red cotton", "blue, red cotton 5-5 m"."""
    taken: set[int] = set()
    for index, lender in enumerate(fragments):
        if not (lender.each and lender.quantity and lender.quantity.unit) or index in taken:
            continue
        group = [index]
        for step in (-1, 1):
            k = index + step
            while 0 <= k < len(fragments) and fragments[k].quantity is None and k not in taken:
                group.append(k)
                k += step
        if len(group) == 1:
            continue
        group.sort()
        taken.update(group)
        members = [fragments[k] for k in group]
        raw = message.source[members[0].tokens[0].start : members[-1].tokens[-1].end]
        colors = {m.color.name: m.color for m in members if m.color}
        materials = {m.material.name: m.material for m in members if m.material}
        for member in members:
            member.quantity = member.quantity or lender.quantity
            member.shared_raw, member.group = raw, index
            if member.material is None and member.color is not None and len(materials) == 1:
                member.material = next(iter(materials.values()))
            if member.color is None and member.material is not None and len(colors) == 1:
                member.color = next(iter(colors.values()))
        done = [m for m in members if m.complete]
        done_colors = {m.color.name for m in done if m.color}
        done_materials = {m.material.name for m in done if m.material}
        for member in members:
            if member.complete or member.negated or not done:
                continue
            lent_color = member.color is None or member.color.name in done_colors
            lent_material = member.material is None or member.material.name in done_materials
            if lent_color and lent_material and not member.leftover:
                member.header = True


def _join_halves(message: Message, fragments: list[_Fragment]) -> list[_Fragment]:
    """Parts of one item split by punctuation make the item: "blue cotton: 20 mtrs", "20m,blue,cotton".

    Only parts that share no slot and make a whole item together, with no "aur"/"and" between them.
    """
    joined: list[_Fragment] = []
    i = 0
    while i < len(fragments):
        chain = [fragments[i]]
        while i + len(chain) < len(fragments) and _joins(message, chain, fragments[i + len(chain)]):
            chain.append(fragments[i + len(chain)])
            if _whole(chain):
                break
        if len(chain) > 1 and _whole(chain):
            first = chain[0]
            for part in chain[1:]:
                first.tokens.extend(part.tokens)
                for slot in _SLOTS:
                    if getattr(first, slot) is None:
                        setattr(first, slot, getattr(part, slot))
            joined.append(first)
            i += len(chain)
        else:
            joined.append(fragments[i])
            i += 1
    return joined


_SLOTS = ("quantity", "color", "material")


def _plain(fragment: _Fragment) -> bool:
    return not (
        fragment.complete
        or fragment.negated
        or fragment.leftover
        or fragment.range
        or fragment.each
        or fragment.header
        or fragment.group is not None
        or (fragment.quantity is not None and fragment.quantity.unit is None)
    )


def _joins(message: Message, chain: list[_Fragment], fragment: _Fragment) -> bool:
    if not all(_plain(f) for f in (*chain, fragment)):
        return False
    if any(getattr(fragment, s) is not None and any(getattr(f, s) is not None for f in chain) for s in _SLOTS):
        return False
    between = [t for t in message.tokens if chain[-1].tokens[-1].end <= t.start < fragment.tokens[0].start]
    return all(t.sep and not t.word.isalpha() and t.word != "\n" for t in between) or all(
        t.sep and t.word in (":", "\n") for t in between
    )


def _whole(chain: list[_Fragment]) -> bool:
    return all(any(getattr(f, s) is not None for f in chain) for s in _SLOTS)


def _carry_material(fragments: list[_Fragment]) -> None:
    """An item naming only a colour takes the material of the item just before it: "blue cotton 10m aur red 5m",
    "cotton: blue 10m, red 5m". Only forwards, only materials: "10m blue aur 5m red cotton" is asked about."""
    for before, fragment in itertools.pairwise(fragments):
        lender = before.material if not before.negated and (before.complete or _only_names_material(before)) else None
        if lender is None or fragment.material is not None or fragment.color is None or fragment.negated:
            continue
        if any(word for word in fragment.leftover):
            continue
        fragment.material, fragment.carried = lender, True
        if _only_names_material(before):
            before.header = True


def _only_names_material(fragment: _Fragment) -> bool:
    return (
        fragment.material is not None
        and fragment.color is None
        and fragment.quantity is None
        and fragment.range is None
        and not fragment.leftover
    )


def _missing_question(message: Message, fragment: _Fragment, unfamiliar: list[Unfamiliar]) -> str:
    language = message.language
    suggested = [u for u in unfamiliar if u.suggestion]
    if suggested:
        return ask("did_you_mean", language, t=_named(message, fragment, suggested[0]))
    question = _slot_question(fragment, language)
    if unfamiliar:
        return f"{ask('not_carried', language, w=unfamiliar[0].word)} {question}"
    return question


def _named(message: Message, fragment: _Fragment, unfamiliar: Unfamiliar) -> str:
    """The item as it would be with the suggestion: "blue cotton" for "blue coton"."""
    vocabulary, language = message.vocabulary, message.language
    assert unfamiliar.suggestion is not None
    if unfamiliar.slot == "material":
        color, material = fragment.color, vocabulary.material(unfamiliar.suggestion)
    else:
        color, material = vocabulary.color(unfamiliar.suggestion), fragment.material
    return " ".join(term_name(t, language) for t in (color, material) if t is not None)


def _slot_question(fragment: _Fragment, language: Language) -> str:
    color, material = term_name(fragment.color, language), term_name(fragment.material, language)
    if fragment.color is None and fragment.material is None:
        amount = fragment.quantity or fragment.range
        if amount is None:
            return ask("unread", language, f=" ".join(fragment.leftover))
        return ask("what", language, q=amount_text(amount, language))
    if fragment.color is None:
        return ask("color", language, m=material)
    if fragment.material is None:
        return ask("material", language, c=color)
    if fragment.range is not None and fragment.range.high is not None:
        unit = unit_name(fragment.range.unit or "m", language)
        lo, hi = format_meters(fragment.range.number), format_meters(fragment.range.high)
        return ask("range", language, lo=lo, hi=hi, u=unit, c=color, m=material)
    if fragment.quantity is None:
        return ask("quantity", language, c=color, m=material)
    return ask("unit", language, n=format_meters(fragment.quantity.number), c=color, m=material)
