"""The regression corpus: every public bypass is detected, every benign file is clean, and
scanning never runs, imports or loads anything from the scanned files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from benign import builders
from pickles import call, canary_call, g, s, wrap
from recipes import RECIPES, Recipe

from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

SUSPICIOUS_ONLY = {"ext-opcode", "build-on-callable", "unknown-callable"}
BENIGN = builders()


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.id for r in RECIPES])
def test_bypass_recipe_is_detected(recipe: Recipe, tmp_path: Path) -> None:
    if recipe.needs:
        pytest.importorskip(recipe.needs)
    result = scan_paths([recipe.write(tmp_path)])
    expected = FileVerdict.SUSPICIOUS if recipe.id in SUSPICIOUS_ONLY else FileVerdict.MALICIOUS
    assert result.files[0].verdict is expected, result.files[0].findings
    assert result.verdict is expected


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_file_is_clean(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(BENIGN[name]())
    result = scan_paths([path]).files[0]
    assert result.verdict is FileVerdict.CLEAN, [f for f in result.findings if f.verdict != "pass"]
    assert all(f.verdict == "pass" for f in result.findings)
    assert {"model-artifact-scanning"} <= set(result.findings[0].control_ids)


def test_scanning_never_executes_or_imports(tmp_path: Path) -> None:
    canary = tmp_path / "PWNED"
    module_dir = tmp_path / "mods"
    module_dir.mkdir()
    # a module whose mere import would create the canary
    (module_dir / "aisec_payload_mod.py").write_text(
        f"open({str(canary)!r}, 'w').write('imported')\ndef go(*a): pass\n"
    )
    sys.path.insert(0, str(module_dir))
    try:
        samples = {
            "system.pkl": wrap(call(g("os", "system"), s(f"touch {canary}"))),
            "open.pkl": wrap(call(g("builtins", "open"), s(str(canary)), s("w"))),
            "exec.pkl": wrap(call(g("builtins", "exec"), s(f"open({str(canary)!r},'w')"))),
            "import.pkl": canary_call("aisec_payload_mod", "go", "x"),
            "eval.npy.bin": canary_call("builtins", "eval", f"open({str(canary)!r},'w')"),
        }
        for name, data in samples.items():
            (tmp_path / name).write_bytes(data)
        before = set(sys.modules)
        result = scan_paths([tmp_path])
        assert not canary.exists()
        assert "aisec_payload_mod" not in sys.modules
        assert set(sys.modules) - before <= {m for m in sys.modules if m.startswith("aisec")}
        verdicts = {Path(f.path).name: f.verdict for f in result.files}
        for name in samples:
            assert verdicts[name] in (FileVerdict.MALICIOUS, FileVerdict.SUSPICIOUS), name
    finally:
        sys.path.remove(str(module_dir))


def test_files_written_by_torch_save_are_clean(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from benign import torch_builders

    for name, build in torch_builders().items():
        path = tmp_path / name
        path.write_bytes(build())
        result = scan_paths([path]).files[0]
        assert result.verdict is FileVerdict.CLEAN, (name, result.findings)


def test_models_saved_by_skops_are_clean(tmp_path: Path) -> None:
    sio = pytest.importorskip("skops.io")
    from sklearn.datasets import load_iris
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = load_iris(return_X_y=True)
    for i, model in enumerate(
        [
            make_pipeline(StandardScaler()).fit(x),
            GradientBoostingClassifier(n_estimators=2).fit(x, y),
        ]
    ):
        path = tmp_path / f"m{i}.skops"
        sio.dump(model, path)
        assert scan_paths([path]).files[0].verdict is FileVerdict.CLEAN


def test_bundled_example_skops_model_is_clean() -> None:
    example = Path(__file__).parents[3] / "src" / "aisec" / "examples" / "models" / "fraud.skops"
    if not example.exists():
        pytest.skip("example model not present")
    assert scan_paths([example]).files[0].verdict is FileVerdict.CLEAN
