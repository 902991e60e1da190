"""TensorFlow operations that reach outside the tensor computation, with a verdict each.

A SavedModel or frozen graph runs whatever ops its graph names when served. Most ops are pure
tensor maths; the ones below run Python, touch the file system or the network. Checkpoint
save/restore ops are normal inside the saver's own scopes and are judged by context in
`savedmodel`.
"""

from __future__ import annotations

from enum import Enum

from aisec.probes.finding import Severity, Verdict


class OpRisk(Enum):
    CODE = (Verdict.MALICIOUS, Severity.CRITICAL, "runs Python code embedded by the producer")
    WRITE = (Verdict.MALICIOUS, Severity.HIGH, "writes files")
    READ = (Verdict.SUSPICIOUS, Severity.HIGH, "reads or lists files on the serving host")
    SAVER = (Verdict.SUSPICIOUS, Severity.MEDIUM, "checkpoint I/O outside the saver graph")

    def __init__(self, verdict: Verdict, severity: Severity, what: str) -> None:
        self.verdict = verdict
        self.severity = severity
        self.what = what


_GROUPS = {
    OpRisk.CODE: "PyFunc PyFuncStateless EagerPyFunc",
    OpRisk.WRITE: "WriteFile DatasetToTFRecord SaveDataset SaveDatasetV2 "
    "ExperimentalDatasetToTFRecord CreateSummaryFileWriter CreateSummaryDbWriter "
    "WriteSummary WriteRawProtoSummary WriteScalarSummary WriteHistogramSummary "
    "WriteImageSummary WriteAudioSummary WriteGraphSummary ImportEvent DebugIdentityV3",
    OpRisk.READ: "ReadFile MatchingFiles MatchingFilesDataset ExperimentalMatchingFilesDataset "
    "ImmutableConst FixedLengthRecordDataset FixedLengthRecordDatasetV2 TextLineDataset "
    "InitializeTableFromTextFile InitializeTableFromTextFileV2 "
    "TFRecordDataset TFRecordDatasetV2 WholeFileReader WholeFileReaderV2 TextLineReader "
    "TextLineReaderV2 TFRecordReader TFRecordReaderV2 FixedLengthRecordReader "
    "FixedLengthRecordReaderV2 LMDBReader LMDBDataset ExperimentalLMDBDataset CSVDataset "
    "CSVDatasetV2 ExperimentalCSVDataset SqlDataset ExperimentalSqlDataset LoadDataset "
    "SnapshotDataset SnapshotDatasetV2 DecodeProtoV2 DebugIdentity DebugIdentityV2 "
    "DebugNanCount DebugNumericSummary DebugNumericSummaryV2",
    OpRisk.SAVER: "Save SaveV2 SaveSlices Restore RestoreV2 RestoreSlice MergeV2Checkpoints",
}
DANGEROUS_OPS: dict[str, OpRisk] = {
    op: risk for risk, names in _GROUPS.items() for op in names.split()
}
