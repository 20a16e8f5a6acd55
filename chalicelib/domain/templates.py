"""WhatsApp message templates as data: their declaration (``chalicelib/templates/*.json``), Meta's rules for them,
and the send payload of one with its parameters.

A template file holds the name, the category (UTILITY), the names of its parameters in order (``body`` for
``{{1}}, {{2}}…`` of the body, ``buttons`` for each URL button's dynamic suffix, ``header`` = "document" when the
header is a document) and, per language (en, hi), Meta's ``components`` exactly as
``POST /{waba_id}/message_templates`` takes them. ``{PUBLIC_BASE_URL}`` and ``{DOCUMENT_HANDLE}`` in a file are
filled in at sync time (the link base is the stage's; a document header's example needs an upload handle).

Meta's rules checked by ``problems`` (Meta's template docs: components, parameter syntax, buttons):
- name: lowercase letters, digits and underscores, at most 512 characters; category UTILITY;
- one BODY (at most 1024 characters), at most one HEADER (TEXT at most 60 characters and one variable, or
  IMAGE/VIDEO/DOCUMENT/LOCATION with an example), at most one FOOTER (at most 60 characters, no variable);
- variables ``{{1}}…{{n}}`` numbered in order without gaps, not at the very start or end of the body, never two
  side by side, and an example value for each;
- at most 10 buttons, at most 2 URL and 1 PHONE_NUMBER; a button's text at most 25 characters; a URL at most 2000
  characters with at most one variable, at its end, and an example;
- sent parameters must not hold a newline or tab or more than four spaces in a row (``clean_parameter``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = re.compile(r"[a-z0-9_]{1,512}")
VARIABLE = re.compile(r"\{\{(\d+)\}\}")
LANGUAGES = ("en", "hi")
BODY_MAX, HEADER_TEXT_MAX, FOOTER_MAX = 1024, 60, 60
BUTTONS_MAX, URL_BUTTONS_MAX, PHONE_BUTTONS_MAX = 10, 2, 1
BUTTON_TEXT_MAX, URL_MAX = 25, 2000
MEDIA_HEADERS = {"IMAGE", "VIDEO", "DOCUMENT"}
HEADER_FORMATS = MEDIA_HEADERS | {"TEXT", "LOCATION"}
BUTTON_TYPES = {"URL", "PHONE_NUMBER", "QUICK_REPLY"}
PARAMETER_MAX = 1024  # a body parameter can never be longer than the body itself
# Utility templates must not promote anything (Meta recategorises them as MARKETING).
PROMOTIONAL = re.compile(r"\b(offer|discount|sale|deal|free|cashback|coupon|% off)\b", re.IGNORECASE)


class TemplateError(ValueError):
    """A template send cannot be built (unknown template or language, wrong number of parameters)."""


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    category: str
    body: tuple[str, ...]
    buttons: tuple[str, ...]
    header: str | None
    languages: dict  # language -> {"components": [...]}

    @classmethod
    def from_dict(cls, data: dict) -> TemplateSpec:
        parameters = data.get("parameters") or {}
        return cls(
            name=data["name"],
            category=data.get("category", ""),
            body=tuple(parameters.get("body", ())),
            buttons=tuple(parameters.get("buttons", ())),
            header=parameters.get("header"),
            languages=dict(data.get("languages") or {}),
        )

    def components(self, language: str, substitutions: dict[str, str] | None = None) -> list[dict]:
        """Meta's components for ``language`` with ``{PUBLIC_BASE_URL}``-style placeholders filled in."""
        import json

        raw = json.dumps(self.languages[language]["components"], ensure_ascii=False)
        for key, value in (substitutions or {}).items():
            raw = raw.replace("{" + key + "}", value)
        return json.loads(raw)

    def create_request(self, language: str, substitutions: dict[str, str] | None = None) -> dict:
        """The body of ``POST /{waba_id}/message_templates`` for one language."""
        return {
            "name": self.name,
            "language": language,
            "category": self.category,
            "components": self.components(language, substitutions),
        }

    def payload(
        self,
        to: str,
        language: str,
        values: dict[str, str],
        document: dict | None = None,
    ) -> dict:
        """The Graph send payload of this template to ``to``: body parameters by name from ``values``, each URL
        button's suffix from ``values`` (by the button parameter's name), and ``document`` ({"id" or "link",
        "filename"}) as the header. Raises TemplateError for an unknown language or a missing value."""
        if language not in self.languages:
            language = "en"
        if language not in self.languages:
            raise TemplateError(f"{self.name} has no language {language}")
        missing = [name for name in (*self.body, *self.buttons) if name not in values]
        if missing:
            raise TemplateError(f"{self.name} needs {', '.join(missing)}")
        if self.header == "document" and not document:
            raise TemplateError(f"{self.name} needs a document header")
        components: list[dict] = []
        if self.header == "document" and document:
            components.append({"type": "header", "parameters": [{"type": "document", "document": dict(document)}]})
        if self.body:
            components.append(
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": clean_parameter(values[n])} for n in self.body],
                }
            )
        for index, name in enumerate(self.buttons):
            components.append(
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": str(index),
                    "parameters": [{"type": "text", "text": str(values[name])}],
                }
            )
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {"name": self.name, "language": {"code": language}, "components": components},
        }


def clean_parameter(value: object) -> str:
    """A body parameter as Meta accepts it: no newline or tab, at most four spaces in a row, never empty."""
    text = re.sub(r"[\r\n\t]+", " · ", str(value)).strip(" ·")
    text = re.sub(r" {5,}", "    ", text)
    if len(text) > PARAMETER_MAX:
        text = text[: PARAMETER_MAX - 1] + "…"
    return text or "-"


def problems(spec: TemplateSpec) -> list[str]:
    """Every way ``spec`` breaks Meta's documented rules (empty when it is valid)."""
    found = []
    if not NAME.fullmatch(spec.name):
        found.append(f"name {spec.name!r}: lowercase letters, digits and underscores, at most 512")
    if spec.category != "UTILITY":
        found.append(f"category {spec.category!r}: the shop sends UTILITY templates only")
    if set(spec.languages) != set(LANGUAGES):
        found.append(f"languages {sorted(spec.languages)}: expected {list(LANGUAGES)}")
    for language, variant in spec.languages.items():
        for problem in _variant_problems(spec, variant.get("components") or []):
            found.append(f"{language}: {problem}")
    return found


def _variant_problems(spec: TemplateSpec, components: list[dict]) -> list[str]:
    found: list[str] = []
    by_type: dict[str, list[dict]] = {}
    for component in components:
        by_type.setdefault(str(component.get("type", "")).upper(), []).append(component)
    unknown = set(by_type) - {"HEADER", "BODY", "FOOTER", "BUTTONS"}
    if unknown:
        found.append(f"unknown component types {sorted(unknown)}")
    for kind in ("HEADER", "FOOTER", "BUTTONS"):
        if len(by_type.get(kind, [])) > 1:
            found.append(f"more than one {kind}")
    if len(by_type.get("BODY", [])) != 1:
        found.append("exactly one BODY is required")
    else:
        found += _body_problems(by_type["BODY"][0], len(spec.body))
    for header in by_type.get("HEADER", [])[:1]:
        found += _header_problems(header, spec.header)
    for footer in by_type.get("FOOTER", [])[:1]:
        text = str(footer.get("text", ""))
        if not text or len(text) > FOOTER_MAX or VARIABLE.search(text):
            found.append(f"footer must be 1 to {FOOTER_MAX} characters without variables")
    buttons = by_type.get("BUTTONS", [{}])[0].get("buttons", []) if by_type.get("BUTTONS") else []
    found += _buttons_problems(buttons, len(spec.buttons))
    return found


def _body_problems(body: dict, declared: int) -> list[str]:
    text = str(body.get("text", ""))
    found = []
    if not text or len(text) > BODY_MAX:
        found.append(f"body must be 1 to {BODY_MAX} characters (is {len(text)})")
    numbers = [int(n) for n in VARIABLE.findall(text)]
    if sorted(set(numbers)) != list(range(1, len(set(numbers)) + 1)):
        found.append(f"body variables {numbers} are not numbered 1..n without gaps")
    if len(set(numbers)) != declared:
        found.append(f"body has {len(set(numbers))} variables but declares {declared} parameters")
    stripped = text.strip()
    if numbers and (VARIABLE.match(stripped) or re.search(r"\{\{\d+\}\}$", stripped)):
        found.append("body must not start or end with a variable")
    if re.search(r"\}\}\s*\{\{", text):
        found.append("body has two variables side by side")
    examples = (body.get("example") or {}).get("body_text") or []
    if numbers and (len(examples) != 1 or len(examples[0]) != len(set(numbers))):
        found.append("body example must give one value per variable")
    if PROMOTIONAL.search(text):
        found.append("body reads as promotional; a UTILITY template must not promote")
    return found


def _header_problems(header: dict, declared: str | None) -> list[str]:
    found = []
    fmt = str(header.get("format", "")).upper()
    if fmt not in HEADER_FORMATS:
        found.append(f"header format {fmt!r} unknown")
    if fmt == "TEXT":
        text = str(header.get("text", ""))
        if not text or len(text) > HEADER_TEXT_MAX or len(VARIABLE.findall(text)) > 1:
            found.append(f"text header must be 1 to {HEADER_TEXT_MAX} characters with at most one variable")
    if fmt in MEDIA_HEADERS and not (header.get("example") or {}).get("header_handle"):
        found.append(f"{fmt} header needs an example header_handle")
    if (declared == "document") != (fmt == "DOCUMENT"):
        found.append("the declared header parameter and the header format disagree")
    return found


def _buttons_problems(buttons: list[dict], declared: int) -> list[str]:
    found = []
    if len(buttons) > BUTTONS_MAX:
        found.append(f"{len(buttons)} buttons; at most {BUTTONS_MAX}")
    kinds = [str(b.get("type", "")).upper() for b in buttons]
    if set(kinds) - BUTTON_TYPES:
        found.append(f"button types {sorted(set(kinds) - BUTTON_TYPES)} not allowed in a UTILITY template")
    if kinds.count("URL") > URL_BUTTONS_MAX:
        found.append(f"{kinds.count('URL')} URL buttons; at most {URL_BUTTONS_MAX}")
    if kinds.count("PHONE_NUMBER") > PHONE_BUTTONS_MAX:
        found.append(f"{kinds.count('PHONE_NUMBER')} phone buttons; at most {PHONE_BUTTONS_MAX}")
    dynamic = 0
    for button in buttons:
        text = str(button.get("text", ""))
        if not text or len(text) > BUTTON_TEXT_MAX:
            found.append(f"button text {text!r} must be 1 to {BUTTON_TEXT_MAX} characters")
        if str(button.get("type", "")).upper() != "URL":
            continue
        url = str(button.get("url", ""))
        variables = VARIABLE.findall(url)
        if not url.startswith(("https://", "http://", "{PUBLIC_BASE_URL}")) or len(url) > URL_MAX:
            found.append(f"button URL {url[:40]!r} must be an http(s) URL of at most {URL_MAX} characters")
        if len(variables) > 1 or (variables and not url.endswith("{{1}}")):
            found.append(f"button URL {url[:40]!r} may hold one variable, {{{{1}}}}, at its end")
        if variables:
            dynamic += 1
            if not button.get("example"):
                found.append(f"button {text!r} has a variable but no example")
    if dynamic != declared:
        found.append(f"{dynamic} dynamic URL buttons but {declared} button parameters declared")
    return found
