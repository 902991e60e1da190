"""Model signature verification with OpenSSF `model-signing`, offline only.

Key-based signatures (an elliptic-curve public key in PEM) verify without any network access,
so they are supported. Sigstore (keyless) verification needs the Sigstore trust root and
transparency log online, so aisec does not offer it rather than pretend to.
"""

from __future__ import annotations

from pathlib import Path

from aisec.common.errors import InputError, MissingExtraError
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Finding, Severity, Verdict


def verify_key_signature(model: Path, signature: Path, public_key: Path) -> Finding:
    """Verify `signature` over `model` (file or folder) with an EC public key; one finding."""
    for p, what in ((model, "model"), (signature, "signature"), (public_key, "public key")):
        if not p.exists():
            raise InputError(f"{what} not found", source=str(p))
    try:
        from model_signing import verifying
    except ImportError as exc:
        raise MissingExtraError("scan", "model_signing") from exc
    try:
        config = verifying.Config().use_elliptic_key_verifier(  # type: ignore[no-untyped-call]
            public_key=public_key
        )
    except Exception as exc:  # bad key file: the user's input
        raise InputError(f"unusable public key: {exc}", source=str(public_key)) from None
    try:
        config.verify(model, signature)
    except ValueError as exc:
        return finding(
            Rule.SIGNATURE_INVALID,
            Verdict.FAIL,
            Severity.HIGH,
            str(model),
            f"signature does not match the model: {exc}"[:600],
            details={"signature": str(signature), "method": "elliptic-key"},
        )
    except Exception as exc:  # unreadable bundle, wrong format
        return finding(
            Rule.SIGNATURE_ERROR,
            Verdict.ERROR,
            Severity.MEDIUM,
            str(model),
            f"signature could not be checked: {type(exc).__name__}: {exc}"[:600],
            details={"signature": str(signature)},
        )
    return finding(
        Rule.SIGNATURE_VALID,
        Verdict.PASS,
        Severity.INFO,
        str(model),
        "model-signing signature verified with the given public key",
        details={"signature": str(signature), "method": "elliptic-key"},
    )
