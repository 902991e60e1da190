"""An ONNX classifier run with onnxruntime (optional `onnx` extra), treated as a black box.

ONNX graphs are data, not code, so loading one does not execute the file's author's Python. We
accept the common exporter layouts: a probability tensor output (n×k), or a sequence of
{class: probability} maps (skl2onnx's ZipMap), next to an optional label output.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.common.errors import InputError, MissingExtraError, ProbeError
from aisec.probes.ml.interface import OutputKind

if TYPE_CHECKING:
    import numpy as np

MAX_ONNX_BYTES = 512 * 1024 * 1024


class OnnxTarget:
    """Classifier backed by an onnxruntime CPU session."""

    def __init__(self, path: Path, classes: list[Any]) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingExtraError("onnx", "onnxruntime") from exc
        if not path.is_file():
            raise InputError("model file not found", source=str(path), field="--model")
        if path.stat().st_size > MAX_ONNX_BYTES:
            raise InputError(f"ONNX file above {MAX_ONNX_BYTES} bytes", source=str(path))
        try:
            self._session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise InputError(f"onnxruntime cannot load the model: {exc}", source=str(path)) from exc
        self._input = self._session.get_inputs()[0].name
        self._path = path
        self._classes = list(classes)
        self._queries = 0

    @property
    def description(self) -> str:
        return self._path.name

    @property
    def n_classes(self) -> int:
        return len(self._classes)

    @property
    def classes(self) -> list[Any]:
        return self._classes

    @property
    def output_kind(self) -> OutputKind:
        return OutputKind.PROBABILITIES

    @property
    def estimator(self) -> Any | None:
        return None

    @property
    def queries(self) -> int:
        return self._queries

    def postprocess(self, proba: np.ndarray) -> np.ndarray:
        return proba

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        self._queries += len(x)
        outputs = self._session.run(None, {self._input: x.astype(np.float32)})
        for out in outputs:
            if isinstance(out, list) and out and isinstance(out[0], dict):
                keys = {str(k): k for k in out[0]}
                cols = [keys.get(str(c)) for c in self._classes]
                if any(c is None for c in cols):
                    raise ProbeError(
                        f"{self._path.name}: probability map keys do not match classes"
                    )
                return np.asarray([[row[c] for c in cols] for row in out], dtype=np.float64)
            arr = np.asarray(out)
            if arr.ndim == 2 and arr.shape == (len(x), self.n_classes) and arr.dtype.kind == "f":
                return arr.astype(np.float64)
        raise ProbeError(f"{self._path.name}: no n×{self.n_classes} probability output found")
