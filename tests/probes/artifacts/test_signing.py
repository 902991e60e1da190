"""Offline model-signing verification: a valid key signature is a pass for model-signing,
a tampered model a fail; Sigstore (online) is refused rather than faked."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.cli import main
from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

pytest.importorskip("model_signing")
pytest.importorskip("OpenSSL")


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from model_signing import signing

    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.pkl").write_bytes(b"\x80\x02}.")
    key = ec.generate_private_key(ec.SECP256R1())
    priv, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    priv.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pub.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    sig = tmp_path / "model.sig"
    signing.Config().use_elliptic_key_signer(private_key=priv).sign(model, sig)
    return model, sig, pub


def test_valid_signature_is_a_pass(signed: tuple[Path, Path, Path]) -> None:
    model, sig, pub = signed
    result = scan_paths([model], signature=(sig, pub))
    (check,) = result.integrity
    assert check.rule_id == "signature.valid" and check.verdict == "pass"
    assert "model-signing" in check.control_ids
    assert result.verdict is FileVerdict.CLEAN


def test_tampered_model_fails(signed: tuple[Path, Path, Path]) -> None:
    model, sig, pub = signed
    (model / "weights.pkl").write_bytes(b"\x80\x02].")
    result = scan_paths([model], signature=(sig, pub))
    assert result.integrity[0].rule_id == "signature.invalid"
    assert result.verdict is FileVerdict.SUSPICIOUS
    assert main(["scan", str(model), "--signature", str(sig), "--public-key", str(pub), "-q"]) == 1


def test_signature_without_key_is_a_usage_error(signed: tuple[Path, Path, Path]) -> None:
    model, sig, _ = signed
    assert main(["scan", str(model), "--signature", str(sig)]) == 2
