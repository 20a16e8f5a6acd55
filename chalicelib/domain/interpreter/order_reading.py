"""Reading new items: quantities, colours and materials, shared quantities ("10m each")."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.catalogue import Term
from chalicelib.domain.interpretation import ItemRequest, Language
from chalicelib.domain.interpreter.lexicon import ORDER_CUES, Cue
from chalicelib.domain.interpreter.message import Message, Reading
from chalicelib.domain.interpreter.quantities import WrittenQuantity, read_quantity
from chalicelib.domain.interpreter.questions import amount_text, ask, term_name
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

    @property
    def complete(self) -> bool:
        return bool(self.quantity and self.quantity.unit and self.color and self.material)

    @property
    def read_anything(self) -> bool:
        return bool(self.quantity or self.color or self.material)


def read_order(message: Message, parts: list[list[Token]]) -> Reading:
    fragments = [f for part in parts for f in _read_fragments(message, part)]
    _share_each(message, fragments)
    reading = Reading()
    seen: set[tuple[str, str, int]] = set()
    for fragment in fragments:
        raw = message.raw(fragment.tokens)
        if fragment.header:
            continue
        if fragment.negated:
            reading.not_read(raw)
        elif fragment.complete:
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
        elif fragment.read_anything:
            reading.ask(_missing_question(fragment, message.language))
            reading.not_read(raw)
        elif fragment.leftover:
            reading.not_read(raw)
    return reading


def _read_fragments(message: Message, tokens: list[Token]) -> list[_Fragment]:
    """Read one separated part; a second quantity, colour or material starts the next item ("20m blue 6m red")."""
    words = [t.word for t in tokens]
    fragments = [_Fragment(tokens=[])]
    i = 0
    while i < len(words):
        current = fragments[-1]
        quantity = read_quantity(words, i)
        term = None if quantity else message.lexicon.terms.match(words, i)
        slot = "quantity" if quantity and not quantity.range else (term[0].kind if term else None)
        if slot is not None and getattr(current, slot) is not None:
            current = _Fragment(tokens=[])
            fragments.append(current)
        if quantity is not None and quantity.range:
            current.leftover.extend(words[i : quantity.end])
            end = quantity.end
        elif quantity is not None:
            current.quantity, current.each, end = quantity, current.each or quantity.each, quantity.end
        elif term is not None:
            setattr(current, term[0].kind, term[0])
            end = term[1]
        else:
            cue = ORDER_CUES.match(words, i)
            if cue is None:
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


def _missing_question(fragment: _Fragment, language: Language) -> str:
    color, material = term_name(fragment.color, language), term_name(fragment.material, language)
    if fragment.color is None and fragment.material is None:
        assert fragment.quantity is not None
        return ask("what", language, q=amount_text(fragment.quantity, language))
    if fragment.color is None:
        return ask("color", language, m=material)
    if fragment.material is None:
        return ask("material", language, c=color)
    if fragment.quantity is None:
        return ask("quantity", language, c=color, m=material)
    return ask("unit", language, n=format_meters(fragment.quantity.number), c=color, m=material)
