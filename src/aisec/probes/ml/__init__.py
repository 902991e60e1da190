"""Classic-ML robustness and privacy tests (`aisec mltest`): evasion, membership inference,
model extraction and training-data poisoning screening, with IBM ART as the attack engine.

Nothing here imports numpy, scikit-learn or ART at import time; they load when a test runs.
"""

from aisec.probes.ml.interface import TOOL, MLTest, OutputKind, Target
from aisec.probes.ml.runner import Job, run
from aisec.probes.ml.settings import Settings, Split
from aisec.probes.ml.setup import DemoModel, Request, prepare

__all__ = [
    "TOOL",
    "DemoModel",
    "Job",
    "MLTest",
    "OutputKind",
    "Request",
    "Settings",
    "Split",
    "Target",
    "prepare",
    "run",
]
