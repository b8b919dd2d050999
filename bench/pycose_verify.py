#!/usr/bin/env python3
"""Verifies an EU Disability Card QR with pycose + base45 (PyPI) for a
number of seconds and prints how many verifications per second it made:
the comparison of issue #15 row 5 for attesta's in-process verifier.

Each verification does the whole path from the QR text, as attesta's does:
the `…/C/` URL prefix and its percent-encoding, the `EUDC1:` prefix,
Base45, zlib, the COSE_Sign1 (tag 18, also inside the CWT tag 61) and its
ES256 signature. The public key (SPKI PEM) is loaded once, as a verifier
holds its downloaded key set.

    pycose_verify.py --qr target/bench/card_qr.txt --key target/bench/card_pub.pem --seconds 5
    pycose_verify.py --make-sample DIR   # a QR and key signed by pycose itself (for --quick)

Prints one JSON object: {"verifications": N, "seconds": S, "per_second": R}.
Exits 1 if the signature does not verify.
"""

import argparse
import json
import sys
import time
import urllib.parse
import zlib

if "--pure" in sys.argv:
    # python-ecdsa (pycose's ES256) uses gmpy2 when it can import it; as
    # `pip install pycose` installs it, it cannot (pure-Python arithmetic).
    sys.modules["gmpy2"] = None
    sys.modules["gmpy"] = None

import base45
import cbor2
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

PREFIX = "EUDC1:"


def payload_of(text: str) -> str:
    """The `EUDC1:…` payload of a QR text: itself, or the percent-decoded
    path after `/c/` (any case) of a URL."""
    text = text.strip()
    if text.startswith(PREFIX):
        return text
    at = text.lower().find("/c/")
    if "://" in text and at >= 0:
        rest = text[at + 3 :]
        for end in "?#":
            rest = rest.split(end, 1)[0]
        return urllib.parse.unquote(rest)
    return text


def verify(text: str, key: CoseKey) -> bool:
    payload = payload_of(text)
    if not payload.startswith(PREFIX):
        raise ValueError("no EUDC1: prefix")
    cose = zlib.decompress(base45.b45decode(payload[len(PREFIX) :]))
    value = cbor2.loads(cose)
    if isinstance(value, cbor2.CBORTag) and value.tag == 61:
        value = value.value
    if not isinstance(value, cbor2.CBORTag):
        value = cbor2.CBORTag(18, value)
    message = Sign1Message.decode(cbor2.dumps(value))
    message.key = key
    return message.verify_signature()


def make_sample(directory: str) -> None:
    """A card-shaped QR signed with a fresh P-256 key by pycose, and the key."""
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from pycose.algorithms import Es256
    from pycose.headers import KID, Algorithm

    private = ec.generate_private_key(ec.SECP256R1())
    pem_private = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    pem_public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    claims = {1: "https://attesta.example.it", 4: 2_100_000_000, 6: 1_780_000_000}
    message = Sign1Message(
        phdr={Algorithm: Es256, KID: b"benchkid"},
        payload=cbor2.dumps(claims),
        key=CoseKey.from_pem_private_key(pem_private),
    )
    cose = message.encode()
    payload = PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode()
    safe = "".join({" ": "%20", "%": "%25", "+": "%2B", "/": "%2F"}.get(c, c) for c in payload)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "card_qr.txt"), "w") as f:
        f.write(("https://attesta.example.it/C/" + safe).upper())
    with open(os.path.join(directory, "card_pub.pem"), "w") as f:
        f.write(pem_public)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qr", help="the QR text file")
    parser.add_argument("--key", help="the public key, SPKI PEM")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--make-sample", metavar="DIR")
    parser.add_argument(
        "--pure",
        action="store_true",
        help="without gmpy2: pycose as `pip install pycose` installs it",
    )
    args = parser.parse_args()
    if args.make_sample:
        make_sample(args.make_sample)
        return 0
    if not (args.qr and args.key):
        parser.error("--qr and --key are required")
    text = open(args.qr).read()
    key = CoseKey.from_pem_public_key(open(args.key).read())
    if not verify(text, key):
        print("pycose: the signature does not verify", file=sys.stderr)
        return 1
    count = 0
    start = time.perf_counter()
    deadline = start + args.seconds
    while True:
        if not verify(text, key):
            print("pycose: the signature does not verify", file=sys.stderr)
            return 1
        count += 1
        if count % 16 == 0 and time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    print(json.dumps({"verifications": count, "seconds": elapsed, "per_second": count / elapsed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
