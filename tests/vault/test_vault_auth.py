"""The vault's request signatures: an officer's own key, the chain proven to the agency CA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.vault.auth import authenticate, sign_headers
from forensics.errors import AuthError
from forensics.identity import Profile
from tests.conftest import AGENCY, PASSPHRASE, World

BODY = "ab" * 32


def test_an_officer_certified_by_the_agency_ca_is_accepted(world: World) -> None:
    policy = world.ids.trust_policy()
    headers = sign_headers(world.lead, "GET", "/v1/packages?party=x", BODY)
    caller, nonce = authenticate(headers, "GET", "/v1/packages?party=x", BODY, policy)
    assert caller.key_fp == world.lead.officer.key_fp
    assert caller.badge == world.lead.officer.profile.badge
    assert nonce == headers["X-Quzheng-Nonce"]


@pytest.mark.parametrize(
    ("method", "path", "body", "match"),
    [
        ("POST", "/v1/packages?party=x", BODY, "signature does not verify"),
        ("GET", "/v1/packages?party=y", BODY, "signature does not verify"),
        ("GET", "/v1/packages?party=x", "cd" * 32, "signature does not verify"),
    ],
)
def test_what_was_not_signed_is_refused(
    world: World, method: str, path: str, body: str, match: str
) -> None:
    headers = sign_headers(world.lead, "GET", "/v1/packages?party=x", BODY)
    with pytest.raises(AuthError, match=match):
        authenticate(headers, method, path, body, world.ids.trust_policy())


def test_stale_unsigned_and_untrusted_requests_are_refused(world: World) -> None:
    policy = world.ids.trust_policy()
    old = sign_headers(world.lead, "GET", "/", BODY, now=datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(AuthError, match="away from the vault's clock"):
        authenticate(old, "GET", "/", BODY, policy)
    with pytest.raises(AuthError, match="not signed by an officer"):
        authenticate({}, "GET", "/", BODY, policy)
    # A self-signed officer of the same agency name is not proven to the agency CA.
    world.ids.init_officer(Profile("冒名", "31000777", AGENCY), PASSPHRASE)
    impostor = world.ids.unlock("31000777", PASSPHRASE)
    headers = sign_headers(impostor, "GET", "/", BODY)
    with pytest.raises(AuthError, match="not proven to the agency's CA"):
        authenticate(headers, "GET", "/", BODY, policy)
    # Headers of one officer with another's chain: the signature does not verify.
    mixed = {
        **sign_headers(world.second, "GET", "/", BODY),
        "X-Quzheng-Chain": sign_headers(world.lead, "GET", "/", BODY)["X-Quzheng-Chain"],
    }
    with pytest.raises(AuthError, match="signature does not verify"):
        authenticate(mixed, "GET", "/", BODY, policy)
