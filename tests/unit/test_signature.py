from chalicelib.domain import signature


def test_a_body_signed_with_the_app_secret_is_valid():
    body = b'{"object":"whatsapp_business_account"}'
    assert signature.is_valid(body, signature.sign(body, "s3cret"), "s3cret")


def test_a_signature_over_other_bytes_is_invalid_even_for_the_same_json():
    body = b'{"a": 1}'
    assert not signature.is_valid(b'{"a":1}', signature.sign(body, "s3cret"), "s3cret")


def test_a_missing_signature_or_secret_is_invalid():
    assert not signature.is_valid(b"{}", None, "s3cret")
    assert not signature.is_valid(b"{}", signature.sign(b"{}", ""), "")


def test_a_signature_made_with_another_secret_is_invalid():
    assert not signature.is_valid(b"{}", signature.sign(b"{}", "other"), "s3cret")
