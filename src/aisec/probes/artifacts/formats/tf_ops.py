"""TensorFlow operations graded by what they reach: an allow-list of compute ops, generated from
TensorFlow's own op registry (`tools/gen_tf_op_allowlist.py`, data in `tf_ops_generated`).

A SavedModel or frozen graph runs whatever ops its graph names when served. Compute ops (tensor
maths in memory) pass; ops that run Python, touch the file system or talk to other hosts are
graded by their risk; an op name TensorFlow does not register at all is a custom kernel library
(native code the model needs loaded) or a name crafted to confuse scanners, and is reported as
unknown. Checkpoint save/restore ops are normal inside the saver's own scopes and are judged by
context in `savedmodel`.
"""

from __future__ import annotations

from enum import Enum

from aisec.probes.artifacts.formats import tf_ops_generated as gen
from aisec.probes.record import Severity, Verdict


class OpRisk(Enum):
    CODE = (Verdict.MALICIOUS, Severity.CRITICAL, "runs Python code embedded by the producer")
    WRITE = (Verdict.MALICIOUS, Severity.HIGH, "writes files or event logs")
    READ = (Verdict.SUSPICIOUS, Severity.HIGH, "reads or lists files on the serving host")
    NETWORK = (Verdict.SUSPICIOUS, Severity.HIGH, "talks to other processes or hosts")
    SAVER = (Verdict.SUSPICIOUS, Severity.MEDIUM, "checkpoint I/O outside the saver graph")

    def __init__(self, verdict: Verdict, severity: Severity, what: str) -> None:
        self.verdict = verdict
        self.severity = severity
        self.what = what


TF_VERSION = gen.TF_VERSION
COMPUTE_OPS: frozenset[str] = gen.COMPUTE
DANGEROUS_OPS: dict[str, OpRisk] = {
    op: risk
    for risk, names in (
        (OpRisk.CODE, gen.CODE),
        (OpRisk.WRITE, gen.WRITE),
        (OpRisk.READ, gen.READ),
        (OpRisk.NETWORK, gen.NETWORK),
        (OpRisk.SAVER, gen.SAVER),
    )
    for op in names
}
