"""The ordered list of format handlers the engine routes content to.

Order matters only where two detectors could both claim the same bytes: strong magic numbers
come first, the protocol 0/1 pickle heuristic and the loose zlib/protobuf detectors last.
An explicit list (no plugin discovery) so that nothing outside this file decides what runs.
"""

from __future__ import annotations

from aisec.probes.artifacts.containers.compressed import CompressedHandler
from aisec.probes.artifacts.containers.sevenzip import SevenZipHandler
from aisec.probes.artifacts.containers.tar import TarHandler
from aisec.probes.artifacts.containers.zip import ZipHandler
from aisec.probes.artifacts.formats.gguf import GgufHandler
from aisec.probes.artifacts.formats.hdf5 import Hdf5Handler
from aisec.probes.artifacts.formats.hf_config import HfConfigHandler
from aisec.probes.artifacts.formats.keras import KerasConfigHandler
from aisec.probes.artifacts.formats.onnx import OnnxHandler
from aisec.probes.artifacts.formats.safetensors import SafetensorsHandler
from aisec.probes.artifacts.formats.savedmodel import SavedModelHandler
from aisec.probes.artifacts.formats.torchscript import TorchScriptHandler
from aisec.probes.artifacts.interface import FormatHandler
from aisec.probes.artifacts.numpy_npy import NpyHandler
from aisec.probes.artifacts.pickle.handler import PickleHandler
from aisec.probes.artifacts.skops_schema import SkopsSchemaHandler


def default_handlers() -> list[FormatHandler]:
    """A fresh, ordered handler list (handlers are stateless but cheap to build)."""
    return [
        ZipHandler(),
        SevenZipHandler(),
        NpyHandler(),
        GgufHandler(),
        SafetensorsHandler(),
        Hdf5Handler(),
        TarHandler(),
        PickleHandler(),
        CompressedHandler(),
        SkopsSchemaHandler(),
        KerasConfigHandler(),
        HfConfigHandler(),
        OnnxHandler(),
        SavedModelHandler(),
        TorchScriptHandler(),
    ]
