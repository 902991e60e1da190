"""The pre-validated catalogue cache (aisec.catalog.trusted): only the pristine bundled data
takes the fast path; modified data, damaged caches and overlays are validated in full."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from aisec.catalog import loader, trusted
from aisec.catalog.loader import build_catalog
from aisec.cli import main
from aisec.common.errors import AisecError


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AISEC_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files the loader validates with pydantic (bundled and overlays)."""
    seen: list[str] = []
    real = loader.validate_located

    def counting(model: Any, located: Any, **kw: Any) -> Any:
        seen.append(located.source.rsplit("/", 1)[-1])
        return real(model, located, **kw)

    monkeypatch.setattr(loader, "validate_located", counting)
    return seen


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("catalog-*.json"))


def test_second_load_comes_from_the_cache_and_equals_the_validated_one(
    cache: Path, validations: list[str]
) -> None:
    validated = build_catalog()
    assert len(validations) == 5 and len(_files(cache)) == 1
    validations.clear()
    cached = build_catalog()
    assert validations == []  # no pydantic validation of the bundled files
    assert cached == validated
    # Same classes, enum members, field sets and nesting, not just equal values.
    for name in ("threats", "controls", "practices", "rules", "categories"):
        for key, model in getattr(validated, name).items():
            other = getattr(cached, name)[key]
            assert trusted._encode(other) == trusted._encode(model)
    assert cached.effects == validated.effects and cached.mitigations == validated.mitigations


def test_modified_bundled_data_is_validated_not_served_from_the_cache(
    cache: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_catalog()  # warm cache for the pristine data
    real = loader._bundled_text

    def edited(name: str) -> tuple[str, str]:
        text, source = real(name)
        if name == "threats.yaml":
            text = text.replace("base_likelihood:", "base_likelihood_typo:", 1)
        return text, source

    monkeypatch.setattr(loader, "_bundled_text", edited)
    validations.clear()
    with pytest.raises(AisecError) as caught:
        build_catalog()
    assert "threats.yaml" in validations
    message = str(caught.value)
    assert "aisec/catalog/data/threats.yaml" in message and "base_likelihood_typo" in message


def test_valid_edit_gets_its_own_cache_entry(
    cache: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_catalog()
    first = _files(cache)
    real = loader._bundled_text

    def edited(name: str) -> tuple[str, str]:
        text, source = real(name)
        return (text + "\n# local note\n", source) if name == "controls.yaml" else (text, source)

    monkeypatch.setattr(loader, "_bundled_text", edited)
    validations.clear()
    build_catalog()
    assert len(validations) == 5  # the new key had no cache: everything validated
    assert _files(cache) != first and len(_files(cache)) == 1  # the stale entry is removed


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: text.replace('"$m": "Threat"', '"$m": "Nope"', 1),  # unknown class
        lambda text: text.replace('"key": "', '"key": "x', 1),  # another catalogue's file
        lambda text: "[]",
    ],
)
def test_damaged_cache_file_is_ignored(
    cache: Path, validations: list[str], damage: Callable[[str], str]
) -> None:
    expected = build_catalog()
    (path,) = _files(cache)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    validations.clear()
    assert build_catalog() == expected
    assert len(validations) == 5


def test_overlays_are_always_validated(
    cache: Path,
    validations: list[str],
    tmp_path: Path,
    control_overlay: Callable[[str], str],
) -> None:
    build_catalog()
    bad = tmp_path / "bad.yaml"
    bad.write_text(control_overlay("prompt-injection").replace("kind: technical", "kind: magic"))
    validations.clear()
    with pytest.raises(AisecError) as caught:
        build_catalog([bad])
    assert validations == ["bad.yaml"]  # bundled from cache, the overlay validated
    assert f"{bad}:" in str(caught.value) and "kind" in str(caught.value)


def test_error_on_a_bundled_record_names_the_same_line_with_or_without_cache(
    cache: Path, tmp_path: Path
) -> None:
    """An overlay that leaves a bundled threat unmitigated: the message points into
    threats.yaml, whose lines the cached path parses only for this message."""
    controls = yaml.safe_load(loader._bundled_text("controls.yaml")[0])["controls"]
    by_threat: dict[str, list[dict[str, Any]]] = {}
    for control in controls:
        for effect in control["effects"]:
            by_threat.setdefault(effect["threat"], []).append(control)
    threat, mitigating = min(by_threat.items(), key=lambda kv: len(kv[1]))
    replaced = []
    for control in mitigating:
        kept = [e for e in control["effects"] if e["threat"] != threat]
        if not kept:
            pytest.skip("every control mitigating the rarest threat mitigates only it")
        replaced.append({**control, "effects": kept})
    overlay = tmp_path / "weaken.yaml"
    overlay.write_text(yaml.safe_dump({"version": "1", "controls": replaced}, sort_keys=False))

    messages = []
    for trust in (False, True):  # the first run also writes the cache the second one uses
        with pytest.raises(AisecError) as caught:
            build_catalog([overlay], trust_cache=trust)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "aisec/catalog/data/threats.yaml:" in messages[0] and threat in messages[0]


def test_empty_cache_dir_setting_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validations: list[str]
) -> None:
    monkeypatch.setenv("AISEC_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    build_catalog()
    build_catalog()
    assert len(validations) == 10
    assert not list(tmp_path.rglob("catalog-*.json"))


def test_unwritable_cache_dir_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AISEC_CACHE_DIR", str(blocker / "cache"))
    assert build_catalog().threats


def test_catalog_validate_revalidates_the_bundled_files(
    cache: Path, validations: list[str]
) -> None:
    build_catalog()
    validations.clear()
    assert main(["catalog", "validate"]) == 0
    assert sorted(validations) == sorted(loader._BUNDLED_FILES)


def test_only_catalogue_classes_are_cached() -> None:
    class Other(BaseModel):
        x: int = 1

    with pytest.raises(TypeError):
        trusted.dumps("k", {"threats.yaml": Other()})


def test_no_home_folder_means_no_cache_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory")

    monkeypatch.delenv("AISEC_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert trusted.cache_dir() is None
    assert build_catalog().threats
