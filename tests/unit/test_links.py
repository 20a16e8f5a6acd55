import pytest

from chalicelib.domain.links import LinkExpired, LinkTampered, WrongAction, sign_link, verify_link

SECRET = "link-secret"
NOW = 1_800_000_000


def test_a_signed_link_verifies_to_its_order_action_and_nonce():
    token = sign_link("ord-1", "approve", NOW + 60, SECRET, nonce="n1")
    claims = verify_link(token, SECRET, NOW, "approve")
    assert (claims.order_id, claims.action, claims.nonce) == ("ord-1", "approve", "n1")


def test_changing_any_character_of_the_claims_breaks_the_signature():
    token = sign_link("ord-1", "approve", NOW + 60, SECRET)
    body, mac = token.split(".")
    forged = sign_link("ord-2", "approve", NOW + 60, "attacker-secret").split(".")[0]
    with pytest.raises(LinkTampered):
        verify_link(f"{forged}.{mac}", SECRET, NOW)
    with pytest.raises(LinkTampered):
        verify_link(body + "x." + mac, SECRET, NOW)


def test_a_link_signed_with_another_secret_is_tampered():
    with pytest.raises(LinkTampered):
        verify_link(sign_link("ord-1", "approve", NOW + 60, "other"), SECRET, NOW)


def test_an_expired_link_is_refused():
    with pytest.raises(LinkExpired):
        verify_link(sign_link("ord-1", "approve", NOW - 1, SECRET), SECRET, NOW)


def test_a_reject_link_cannot_approve():
    with pytest.raises(WrongAction):
        verify_link(sign_link("ord-1", "reject", NOW + 60, SECRET), SECRET, NOW, "approve")


@pytest.mark.parametrize("token", ["", "abc", "a.b", "..", "eyJ9.x"])
def test_garbage_is_tampered_not_a_crash(token):
    with pytest.raises(LinkTampered):
        verify_link(token, SECRET, NOW)


def test_every_link_gets_a_fresh_nonce():
    a = verify_link(sign_link("o", "approve", NOW + 9, SECRET), SECRET, NOW)
    b = verify_link(sign_link("o", "approve", NOW + 9, SECRET), SECRET, NOW)
    assert a.nonce != b.nonce
