"""Which readings of a blob the engine must try: the handlers that claim its content, and the
handlers a real loader would pick from its name.

Loaders choose by name as often as by content (`safetensors.safe_open("x.safetensors")`,
`torch.load("x.pt")`, `joblib.load("x.joblib")`), so a file named like a model format is judged
as that format even when its bytes say otherwise, and a file named like a model format that no
handler can parse is an `error`, never a silent "not recognised".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.interface import FormatHandler, Limits

# name suffix -> handlers one of which a loader would use for a file so named (first = fallback)
STRONG_NAMES: dict[str, tuple[str, ...]] = {
    ".safetensors": ("safetensors",),
    ".gguf": ("gguf",),
    ".onnx": ("onnx",),
    ".npy": ("numpy",),
    ".npz": ("zip",),
    ".pkl": ("pickle", "compressed"),
    ".pickle": ("pickle", "compressed"),
    ".dill": ("pickle",),
    ".joblib": ("pickle", "compressed", "zip"),
    ".pt": ("pickle", "zip", "tar"),
    ".pth": ("pickle", "zip", "tar"),
    ".ckpt": ("pickle", "zip", "tar"),
    ".h5": ("hdf5",),
    ".hdf5": ("hdf5",),
    ".keras": ("zip", "hdf5"),
    ".skops": ("zip",),
}
# Names a loader opens but which are generic enough that a failed reading is reported without
# forcing one format's parser on the bytes.
WEAK_NAMES: dict[str, str] = {
    ".bin": "torch.load / transformers",
    ".pb": "TensorFlow",
    ".dat": "pickle/joblib",
    ".data": "pickle/joblib",
    ".tar": "torch.load (legacy tar)",
}


def leaf_name(location: str) -> str:
    """The last path component of a location such as 'dir/a.zip!inner/model.pt'."""
    tail = location.rsplit("!", 1)[-1]
    return tail.replace("\\", "/").rsplit("/", 1)[-1]


def suffix_of(location: str) -> str:
    name = leaf_name(location).lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


Detector = tuple[FormatHandler, Callable[[bytes, int], bool], Callable[[Blob, Limits], bool] | None]


def detectors(handlers: Sequence[FormatHandler]) -> list[Detector]:
    """Each handler with its bound `detect` and optional `detect_full`, looked up once per scan
    rather than once per file and handler."""
    return [(h, h.detect, getattr(h, "detect_full", None)) for h in handlers]


def claims(
    found: Sequence[Detector], head: bytes, blob: Blob, limits: Limits
) -> list[FormatHandler]:
    """Every handler that recognises the content, in registry order."""
    out = []
    size = blob.size
    for handler, detect, full in found:
        try:
            if detect(head, size) or (full is not None and full(blob, limits)):
                out.append(handler)
        except Exception:  # noqa: S112  (a detector that crashes does not claim the file)
            continue
    return out


def named_handler(
    handlers: Sequence[FormatHandler], location: str, claimed: Sequence[FormatHandler]
) -> FormatHandler | None:
    """The handler a loader would use because of the name, when no content claim covers it."""
    wanted = STRONG_NAMES.get(suffix_of(location))
    if not wanted or any(h.name in wanted for h in claimed):
        return None
    return next((h for h in handlers if h.name == wanted[0]), None)


def weak_loader(location: str) -> str | None:
    """The loader a generic model name (e.g. '.bin') suggests, for the not-recognised case."""
    suffix = suffix_of(location)
    if suffix in STRONG_NAMES:
        return STRONG_NAMES[suffix][0]
    return WEAK_NAMES.get(suffix)
