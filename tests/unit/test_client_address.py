"""Which address a request is counted against: X-Forwarded-For is believed only from a
trusted proxy, or from another ehd process that proves it with the shared key."""

from __future__ import annotations

from ipaddress import ip_network

from ehd.web.client_address import FORWARDED_FOR, PEER_PROOF, client_address, peer_proof

KEY = b"k" * 32
PROXY = (ip_network("10.0.0.0/24"),)


def test_without_a_header_the_peer_is_the_client() -> None:
    assert client_address("203.0.113.5", {}, PROXY, KEY) == "203.0.113.5"


def test_a_header_from_an_untrusted_peer_is_not_believed() -> None:
    headers = {FORWARDED_FOR: "198.51.100.1"}
    assert client_address("203.0.113.5", headers, PROXY, KEY) == "203.0.113.5"
    assert client_address("203.0.113.5", headers, (), KEY) == "203.0.113.5"


def test_through_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    # the client forged the first entry; the two proxies each added the address they saw
    headers = {FORWARDED_FOR: "192.0.2.66, 198.51.100.1, 10.0.0.7"}
    assert client_address("10.0.0.2", headers, PROXY, KEY) == "198.51.100.1"


def test_a_garbled_hop_ends_the_trust() -> None:
    headers = {FORWARDED_FOR: "198.51.100.1, not-an-address"}
    assert client_address("10.0.0.2", headers, PROXY, KEY) == "not-an-address"


def test_another_ehd_process_names_the_client_with_a_proof() -> None:
    proven = {FORWARDED_FOR: "198.51.100.1", PEER_PROOF: peer_proof(KEY, "198.51.100.1")}
    assert client_address("127.0.0.1", proven, (), KEY) == "198.51.100.1"
    forged = {FORWARDED_FOR: "198.51.100.2", PEER_PROOF: peer_proof(KEY, "198.51.100.1")}
    assert client_address("127.0.0.1", forged, (), KEY) == "127.0.0.1"
    other_key = {FORWARDED_FOR: "198.51.100.1", PEER_PROOF: peer_proof(b"x" * 32, "198.51.100.1")}
    assert client_address("127.0.0.1", other_key, (), KEY) == "127.0.0.1"
