"""Outbound messages render as Meta's exact JSON and refuse what Meta would refuse."""

import pytest

from chalicelib.domain.messages import (
    ELLIPSIS,
    Button,
    Document,
    InvalidMessageError,
    ListRow,
    ListSection,
    OutboundMessage,
    button_title,
    mask_phone,
    shorten,
)

TO = "919812345678"


def a_list(rows: int = 2, button: str | None = "Choose colour") -> OutboundMessage:
    section = ListSection("Cotton", tuple(ListRow(f"color:{n}", f"Colour {n}", "in stock") for n in range(rows)))
    return OutboundMessage(TO, "Which colour?", list_button=button, list_sections=(section,))


# --- payload shapes -------------------------------------------------------------------------------------------------


def test_a_text_message_renders_as_meta_text_with_previews_off():
    assert OutboundMessage(TO, "Namaste! 40 m sky blue cotton is ready.").to_graph_payload() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "text": {"body": "Namaste! 40 m sky blue cotton is ready.", "preview_url": False},
    }


def test_reply_buttons_render_as_an_interactive_button_message():
    message = OutboundMessage(
        TO, "Confirm 40 m at ₹180/m?", buttons=(Button("confirm:7", "Confirm"), Button("no:7", "No"))
    )

    assert message.to_graph_payload() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Confirm 40 m at ₹180/m?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "confirm:7", "title": "Confirm"}},
                    {"type": "reply", "reply": {"id": "no:7", "title": "No"}},
                ]
            },
        },
    }


def test_header_and_footer_go_into_the_interactive_object():
    message = OutboundMessage(TO, "Confirm?", buttons=(Button("y", "Yes"),), header="Order #7", footer="Shah Textiles")

    interactive = message.to_graph_payload()["interactive"]

    assert interactive["header"] == {"type": "text", "text": "Order #7"}
    assert interactive["footer"] == {"text": "Shah Textiles"}


def test_a_list_renders_with_its_button_label_sections_and_rows():
    payload = a_list(rows=2).to_graph_payload()

    assert payload["type"] == "interactive"
    assert payload["interactive"] == {
        "type": "list",
        "body": {"text": "Which colour?"},
        "action": {
            "button": "Choose colour",
            "sections": [
                {
                    "title": "Cotton",
                    "rows": [
                        {"id": "color:0", "title": "Colour 0", "description": "in stock"},
                        {"id": "color:1", "title": "Colour 1", "description": "in stock"},
                    ],
                }
            ],
        },
    }


def test_a_row_without_description_and_an_untitled_single_section_leave_those_keys_out():
    message = OutboundMessage(TO, "Pick", list_button="Pick", list_sections=(ListSection(rows=(ListRow("a", "A"),)),))

    assert message.to_graph_payload()["interactive"]["action"]["sections"] == [{"rows": [{"id": "a", "title": "A"}]}]


def test_a_document_renders_with_link_filename_and_caption():
    invoice = Document("https://example.com/inv/INV-12.pdf", "INV-12.pdf", "Invoice INV-12")

    assert OutboundMessage(TO, "", document=invoice).to_graph_payload() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "document",
        "document": {
            "link": "https://example.com/inv/INV-12.pdf",
            "filename": "INV-12.pdf",
            "caption": "Invoice INV-12",
        },
    }


def test_a_document_without_its_own_caption_uses_the_message_text():
    message = OutboundMessage(TO, "Your invoice", document=Document("https://x.test/a.pdf", "a.pdf"))

    assert message.to_graph_payload()["document"]["caption"] == "Your invoice"


def test_a_leading_plus_on_the_recipient_is_dropped():
    assert OutboundMessage("+919812345678", "hi").to == TO


# --- limits ---------------------------------------------------------------------------------------------------------


def test_a_fourth_button_is_refused():
    buttons = tuple(Button(str(n), f"Option {n}") for n in range(4))

    with pytest.raises(InvalidMessageError, match="at most 3"):
        OutboundMessage(TO, "Choose", buttons=buttons)


def test_a_button_title_over_twenty_characters_is_refused_but_twenty_fit():
    Button("ok", "x" * 20)
    with pytest.raises(InvalidMessageError, match="at most 20"):
        Button("ok", "x" * 21)


def test_a_button_id_over_256_characters_is_refused():
    with pytest.raises(InvalidMessageError, match="at most 256"):
        Button("i" * 257, "Yes")


def test_two_buttons_with_the_same_id_are_refused():
    with pytest.raises(InvalidMessageError, match="twice"):
        OutboundMessage(TO, "Choose", buttons=(Button("a", "Yes"), Button("a", "No")))


@pytest.mark.parametrize(
    ("row", "limit"),
    [(lambda: ListRow("a", "t" * 25), "at most 24"), (lambda: ListRow("a", "ok", "d" * 73), "at most 72")],
    ids=["title", "description"],
)
def test_list_row_labels_over_the_limit_are_refused(row, limit):
    with pytest.raises(InvalidMessageError, match=limit):
        row()


def test_more_than_ten_rows_in_a_list_are_refused():
    with pytest.raises(InvalidMessageError, match="at most 10"):
        a_list(rows=11)


def test_a_list_needs_its_button_label():
    with pytest.raises(InvalidMessageError, match="list button"):
        a_list(button=None)


def test_two_sections_each_need_a_title():
    sections = (ListSection("Cotton", (ListRow("a", "A"),)), ListSection("", (ListRow("b", "B"),)))

    with pytest.raises(InvalidMessageError, match="title"):
        OutboundMessage(TO, "Pick", list_button="Pick", list_sections=sections)


def test_buttons_and_a_list_cannot_share_a_message():
    with pytest.raises(InvalidMessageError, match="not both"):
        OutboundMessage(
            TO, "Pick", buttons=(Button("y", "Yes"),), list_button="Pick", list_sections=a_list().list_sections
        )


def test_an_empty_text_message_is_refused():
    with pytest.raises(InvalidMessageError, match="empty"):
        OutboundMessage(TO, "  ")


def test_a_header_on_a_plain_text_message_is_refused():
    with pytest.raises(InvalidMessageError, match="header"):
        OutboundMessage(TO, "hi", header="Order #7")


def test_a_recipient_that_is_not_a_phone_number_is_refused():
    with pytest.raises(InvalidMessageError, match="neither a WhatsApp number"):
        OutboundMessage("98123-45678", "hi")


def test_a_text_body_over_4096_characters_is_truncated_with_an_ellipsis():
    body = OutboundMessage(TO, "word " * 1000).to_graph_payload()["text"]["body"]

    assert len(body) <= 4096
    assert body.endswith("word" + ELLIPSIS)


def test_an_interactive_body_over_1024_characters_is_truncated():
    message = OutboundMessage(TO, "a" * 2000, buttons=(Button("y", "Yes"),))

    body = message.to_graph_payload()["interactive"]["body"]["text"]

    assert len(body) == 1024
    assert body == "a" * 1023 + ELLIPSIS


# --- shortening and masking -----------------------------------------------------------------------------------------


def test_button_title_leaves_a_short_label_alone():
    assert button_title("Confirm") == "Confirm"


def test_button_title_cuts_a_long_label_at_a_word():
    assert button_title("Cotton  Cambric Sky Blue") == "Cotton Cambric Sky" + ELLIPSIS


def test_button_title_hard_cuts_one_long_word_to_twenty_characters():
    title = button_title("Supercalifragilisticexpialidocious")

    assert title == "Supercalifragilistic"[:19] + ELLIPSIS
    assert len(title) == 20


def test_shortening_never_detaches_a_devanagari_vowel_sign():
    # a cut after the 8th code point would split "पा" from its vowel sign "ा"
    assert shorten("कपा" * 20, 9) == "कपाकपाक" + ELLIPSIS


def test_shortening_never_splits_a_conjunct():
    # "क्ष" is क + virama + ष: cutting after the virama would leave a half letter
    assert shorten("क्ष" * 10, 6) == "क्ष" + ELLIPSIS


def test_mask_phone_keeps_the_country_code_and_the_last_four_digits():
    assert mask_phone("919812345678") == "91******5678"


def test_mask_phone_keeps_a_leading_plus_and_hides_most_of_a_short_number():
    assert mask_phone("+919812345678") == "+91******5678"
    assert mask_phone("12345") == "***45"
