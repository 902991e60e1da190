"""Non-pickle model-format handlers (one module per format) for the artifact scan engine."""

from aisec.probes.artifacts.formats.gguf import GgufHandler
from aisec.probes.artifacts.formats.hdf5 import Hdf5Handler
from aisec.probes.artifacts.formats.hf_config import HfConfigHandler
from aisec.probes.artifacts.formats.keras import KerasConfigHandler
from aisec.probes.artifacts.formats.onnx import OnnxHandler
from aisec.probes.artifacts.formats.safetensors import SafetensorsHandler
from aisec.probes.artifacts.formats.savedmodel import SavedModelHandler

__all__ = [
    "GgufHandler",
    "Hdf5Handler",
    "HfConfigHandler",
    "KerasConfigHandler",
    "OnnxHandler",
    "SafetensorsHandler",
    "SavedModelHandler",
]
