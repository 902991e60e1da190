"""Vendor -> integrator evidence pack: a folder whose signed manifest lists every file's SHA-256.

The vendor packs its OSCAL component definition (which controls it provides, which it leaves to
the customer), the evidence files behind them, and a manifest `pack.json` signed with an offline
EC key (OpenSSF model-signing, the scanner's signature format, so no network is ever needed).
The integrator verifies the signature with the vendor's public key it already trusts, then every
file's hash; any change, missing or added file is named. Only a fully verified pack lets the
supplier's controls count as "provided by supplier - evidence verified"; otherwise they are
"claimed, unverified" and the reason says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from aisec.common.errors import InputError, MissingExtraError
from aisec.common.fileio import atomic_write_bytes, atomic_write_text
from aisec.system.assessment import Assessment, ControlState

FORMAT = "aisec-pack/1"
MANIFEST = "pack.json"
SIGNATURE = "pack.sig"
PUBLIC_KEY = "vendor-key.pub.pem"
COMPONENT = "component-definition.json"
MAX_MANIFEST = 8 * 1024 * 1024
MAX_FILE = 512 * 1024 * 1024
VERIFIED = "provided by supplier - evidence verified"
CLAIMED = "claimed, unverified"


@dataclass(frozen=True)
class PackControl:
    id: str
    responsibility: str  # provided | shared | customer
    status: str
    evidence: tuple[str, ...] = ()


@dataclass
class PackVerification:
    """What checking one pack established; `problems` name every file that fails."""

    path: str
    vendor: str = ""
    system_id: str = ""
    signature_valid: bool = False
    key_fingerprint: str | None = None
    key_trusted: bool = False
    problems: list[str] = field(default_factory=list)
    controls: list[PackControl] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.signature_valid and self.key_trusted and not self.problems

    @property
    def why_not(self) -> str:
        if self.verified:
            return ""
        if not self.signature_valid:
            return "manifest signature not valid"
        if self.problems:
            return "; ".join(self.problems[:3])
        return "signed by a key you did not pin (pass the vendor's public key)"

    @property
    def provided(self) -> list[PackControl]:
        return [c for c in self.controls if c.responsibility == "provided"]


def key_fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the public key's DER encoding (what an integrator compares out of band)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_pem)
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def generate_key_pair(folder: Path) -> tuple[Path, Path]:
    """A new EC P-256 key pair: private key file mode 0600, public key beside it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = folder / "aisec-pack-key.pem"
    public = folder / "aisec-pack-key.pub.pem"
    for p in (private, public):
        if p.exists():
            raise InputError("exists; a key is never overwritten", source=str(p))
    key = ec.generate_private_key(ec.SECP256R1())
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    atomic_write_bytes(
        public,
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    return private, public


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _public_pem(private_key: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(private_key.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"not an unencrypted PEM private key: {exc}", source=str(private_key)
        ) from None
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def create_pack(
    out: Path,
    *,
    vendor: str,
    system_id: str,
    component_definition: str,
    controls: Sequence[PackControl],
    evidence: Sequence[Path],
    private_key: Path,
    created: datetime,
    aisec_version: str,
) -> Path:
    """Write the pack folder (must not exist yet) and sign its manifest; returns the manifest."""
    try:
        from model_signing import signing
    except ImportError as exc:
        raise MissingExtraError("scan", "model_signing") from exc
    if out.exists():
        raise InputError("exists; a pack is written to a new folder", source=str(out))
    names = [p.name for p in evidence]
    if len(set(names)) != len(names):
        raise InputError("two evidence files share a name", field="--evidence")
    public_pem = _public_pem(private_key)
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "evidence").mkdir(parents=True)
    try:
        atomic_write_text(staging / COMPONENT, component_definition)
        atomic_write_bytes(staging / PUBLIC_KEY, public_pem)
        for source in evidence:
            shutil.copyfile(source, staging / "evidence" / source.name)
        files = sorted(p for p in staging.rglob("*") if p.is_file())
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "vendor": vendor,
            "system_id": system_id,
            "created": created.isoformat(),
            "aisec_version": aisec_version,
            "key_fingerprint": key_fingerprint(public_pem),
            "controls": [
                {
                    "id": c.id,
                    "responsibility": c.responsibility,
                    "status": c.status,
                    "evidence": list(c.evidence),
                }
                for c in controls
            ],
            "files": [
                {
                    "path": p.relative_to(staging).as_posix(),
                    "sha256": _sha256(p),
                    "size": p.stat().st_size,
                }
                for p in files
            ],
        }
        atomic_write_text(staging / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        signing.Config().use_elliptic_key_signer(  # type: ignore[no-untyped-call]
            private_key=private_key
        ).sign(staging / MANIFEST, staging / SIGNATURE)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / MANIFEST


def _load_manifest(pack: Path) -> dict[str, Any]:
    path = pack / MANIFEST
    if not pack.is_dir():
        raise InputError(
            "not a pack folder", source=str(pack), hint="give the folder 'aisec pack create' wrote"
        )
    if not path.is_file():
        raise InputError(f"{MANIFEST} missing: not an aisec evidence pack", source=str(pack))
    if path.stat().st_size > MAX_MANIFEST:
        raise InputError("manifest too large", source=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"manifest is not JSON: {exc}", source=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"manifest format must be {FORMAT!r}", source=str(path), field="format")
    return data


def _check_signature(pack: Path, keys: Sequence[Path], result: PackVerification) -> None:
    try:
        from model_signing import verifying
    except ImportError as exc:
        raise MissingExtraError("scan", "model_signing") from exc
    if not (pack / SIGNATURE).is_file():
        result.problems.append(f"{SIGNATURE}: missing (the manifest is not signed)")
        return
    candidates = [(k, True) for k in keys] or [(pack / PUBLIC_KEY, False)]
    for key, pinned in candidates:
        if not key.is_file():
            continue
        try:
            verifying.Config().use_elliptic_key_verifier(  # type: ignore[no-untyped-call]
                public_key=key
            ).verify(pack / MANIFEST, pack / SIGNATURE)
        except Exception:  # noqa: BLE001, S112  (wrong key or changed manifest: try the next key)
            continue
        result.signature_valid = True
        result.key_trusted = pinned
        result.key_fingerprint = key_fingerprint(key.read_bytes())
        return
    result.problems.append(
        f"{MANIFEST}: signature does not verify with "
        + ("the given public key(s)" if keys else f"the pack's own {PUBLIC_KEY}")
        + " (manifest changed or signed by another key)"
    )


def _safe(pack: Path, name: object) -> Path | None:
    if not isinstance(name, str) or not name:
        return None
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    return pack.joinpath(*rel.parts)


def _check_files(pack: Path, manifest: dict[str, Any], result: PackVerification) -> None:
    listed: set[Path] = set()
    for entry in manifest.get("files", []):
        path = _safe(pack, entry.get("path") if isinstance(entry, dict) else None)
        if path is None:
            result.problems.append(f"manifest entry {entry!r}: unsafe or missing path")
            continue
        listed.add(path)
        name = path.relative_to(pack).as_posix()
        if path.is_symlink():
            result.problems.append(f"{name}: is a symbolic link (a pack holds plain files)")
        elif not path.is_file():
            result.problems.append(f"{name}: listed in the manifest but missing")
        elif path.stat().st_size > MAX_FILE:
            result.problems.append(f"{name}: larger than the pack limit")
        elif _sha256(path) != entry.get("sha256"):
            result.problems.append(f"{name}: SHA-256 differs from the manifest (file changed)")
    for path in sorted(p for p in pack.rglob("*") if p.is_file() or p.is_symlink()):
        if path.name in (MANIFEST, SIGNATURE) and path.parent == pack:
            continue
        if path not in listed:
            result.problems.append(
                f"{path.relative_to(pack).as_posix()}: not in the manifest (file added)"
            )


def verify_pack(pack: Path, trusted_keys: Sequence[Path] = ()) -> PackVerification:
    """Check signature and every hash; never raises for tampering, it records it by name."""
    manifest = _load_manifest(pack)
    result = PackVerification(
        path=str(pack),
        vendor=str(manifest.get("vendor", "")),
        system_id=str(manifest.get("system_id", "")),
    )
    _check_signature(pack, trusted_keys, result)
    _check_files(pack, manifest, result)
    for entry in manifest.get("controls", []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            result.controls.append(
                PackControl(
                    id=entry["id"],
                    responsibility=str(entry.get("responsibility", "")),
                    status=str(entry.get("status", "")),
                    evidence=tuple(str(e) for e in entry.get("evidence", [])),
                )
            )
    return result


IN_PLACE = ("implemented", "verified")


def supplier_label(check: PackVerification, control: PackControl) -> str:
    """How one provided control stands after checking the pack, in the report's words."""
    where = f"pack {Path(check.path).name}"
    if not check.verified:
        return f"{CLAIMED}: {check.why_not} ({where})"[:1000]
    if control.status not in IN_PLACE:
        return f"supplier's open item: the vendor reports status {control.status} ({where})"
    files = ", ".join(control.evidence) or COMPONENT
    return f"{VERIFIED}: {files} ({where}, key {check.key_fingerprint})"[:500]


def describe(check: PackVerification) -> str:
    """One line for the report notes: which pack, from whom, and whether it verified."""
    state = "verified" if check.verified else f"NOT verified ({check.why_not})"
    return (
        f"supplier pack {Path(check.path).name} from {check.vendor or 'unknown vendor'}: "
        f"{state}; {len(check.provided)} control(s) provided by the supplier"
    )


def apply_packs(
    assessment: Assessment | None,
    system_id: str,
    packs: Sequence[Path],
    trusted_keys: Sequence[Path] = (),
) -> tuple[Assessment, list[PackVerification]]:
    """Mark every control a pack says the supplier provides as supplier-provided. Only a
    verified pack whose vendor reports the control in place adds supplier evidence (which makes
    it count); otherwise the note says "claimed, unverified" or names the supplier's open item.
    Our own claims stay as they were."""
    base = assessment or Assessment(system=system_id)
    controls: dict[str, ControlState] = dict(base.controls)
    checks = []
    for pack in packs:
        check = verify_pack(pack, trusted_keys)
        checks.append(check)
        for control in check.provided:
            state = controls.get(control.id, ControlState())
            label = supplier_label(check, control)
            update: dict[str, Any] = {"supplier_provided": True}
            update["supplier"] = check.vendor or state.supplier
            if label.startswith(VERIFIED):  # only a verified, in-place claim attests the control
                update["supplier_evidence"] = [*state.supplier_evidence, label]
            else:
                update["notes"] = "; ".join(n for n in (state.notes, label) if n)[:4000]
            controls[control.id] = state.model_copy(update=update)
    return base.model_copy(update={"controls": controls}), checks
