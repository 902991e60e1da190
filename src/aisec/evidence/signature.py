"""Signed evidence: an evidence file with a `<file>.sig` beside it, checked against trusted keys.

The envelope is the one the scanner already verifies for models: an OpenSSF model-signing bundle
made with an elliptic-curve key, offline (`model_signing sign key --private_key KEY.pem
--signature EVIDENCE.json.sig EVIDENCE.json`, or `aisec evidence sign`). A file whose signature
verifies with a key the assessment trusts is "signed"; a signature that verifies with none of
them is "invalid" (the evidence then does not count); no `.sig` is "unsigned" (it counts as a
file someone supplied).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aisec.common.errors import InputError

SIGNATURE_SUFFIX = ".sig"


@dataclass(frozen=True)
class SignatureCheck:
    state: str  # signed | unsigned | invalid
    signer: str | None  # SHA-256 of the trusted key file that verified it
    detail: str


def key_id(key: Path) -> str:
    try:
        return hashlib.sha256(key.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read trusted key: {exc.strerror}", source=str(key)) from None


def signature_path(evidence: Path) -> Path:
    return evidence.with_name(evidence.name + SIGNATURE_SUFFIX)


def check_signature(evidence: Path, keys: Sequence[Path]) -> SignatureCheck:
    """Verify `<evidence>.sig` with each trusted key; the first that verifies is the signer."""
    sig = signature_path(evidence)
    if not sig.is_file():
        return SignatureCheck("unsigned", None, "no signature file")
    if not keys:
        return SignatureCheck(
            "unsigned", None, f"{sig.name} present but no trusted key given (--evidence-key)"
        )
    from aisec.probes.artifacts.signing import verify_key_signature
    from aisec.probes.finding import Verdict

    problems = []
    for key in keys:
        finding = verify_key_signature(evidence, sig, key)
        if finding.verdict is Verdict.PASS:
            return SignatureCheck("signed", key_id(key), f"verified with {key.name}")
        problems.append(f"{key.name}: {finding.message}")
    return SignatureCheck("invalid", None, "; ".join(problems)[:600])


def sign_evidence(evidence: Path, private_key: Path) -> Path:
    """Write `<evidence>.sig` with an EC private key (PEM); returns the signature path."""
    for p, what in ((evidence, "evidence"), (private_key, "private key")):
        if not p.is_file():
            raise InputError(f"{what} not found", source=str(p))
    try:
        from model_signing import signing
    except ImportError as exc:
        from aisec.common.errors import MissingExtraError

        raise MissingExtraError("scan", "model_signing") from exc
    sig = signature_path(evidence)
    try:
        config = signing.Config().use_elliptic_key_signer(  # type: ignore[no-untyped-call]
            private_key=private_key
        )
    except Exception as exc:  # unreadable key: the user's input
        raise InputError(f"unusable private key: {exc}", source=str(private_key)) from None
    config.sign(evidence, sig)
    return sig
