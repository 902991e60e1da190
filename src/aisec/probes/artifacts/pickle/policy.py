"""Which callables a pickle may import: an allow-list first, a deny-list to grade the rest.

The allow-list names exact classes and pure constructors that torch, NumPy, scikit-learn,
joblib and the standard containers put in their pickles: a hand-written core here, and the
names `tools/gen_pickle_allowlists.py` lists from the pinned libraries' public APIs in
`allowlist_generated.py`. pandas objects are allowed when pandas was installed at generation
time (its reconstructors and classes; never `pandas.io`), otherwise they are unknown. Nothing is allowed by module prefix
alone except class names (CapWords, no dots) in a few estimator/layer packages, because a
module prefix also admits any dangerous function that module exposes. Anything not allowed is
at least suspicious; the deny-list only decides whether it is called malicious.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from aisec.common.lazyre import lazy_compile


class Status(Enum):
    ALLOWED = "allowed"
    DANGEROUS = "dangerous"
    UNKNOWN = "unknown"


_TORCH_STORAGES = (
    "Double Float Half Long Int Short Char Byte Bool BFloat16 ComplexDouble ComplexFloat "
    "QUInt8 QInt8 QInt32 QUInt4x2 QUInt2x4"
).split()

ALLOWED: frozenset[str] = frozenset(
    [
        # standard containers and pure constructors
        *(
            f"builtins.{n}"
            for n in "set frozenset list dict tuple bytearray bytes complex slice range int "
            "float str bool object".split()
        ),
        *(
            f"__builtin__.{n}"
            for n in "set frozenset list dict tuple bytearray complex slice int float "
            "str unicode bool object long".split()
        ),
        "collections.OrderedDict",
        "collections.defaultdict",
        "collections.deque",
        "collections.Counter",
        "copyreg._reconstructor",
        "copy_reg._reconstructor",
        "_codecs.encode",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "datetime.timezone",
        "decimal.Decimal",
        "fractions.Fraction",
        # numpy (1.x and 2.x module paths)
        *(
            f"{m}.{n}"
            for m in ("numpy.core.multiarray", "numpy._core.multiarray")
            for n in ("_reconstruct", "scalar")
        ),
        "numpy.core.numeric._frombuffer",
        "numpy._core.numeric._frombuffer",
        "numpy.ndarray",
        "numpy.dtype",
        "numpy.ma.core._mareconstruct",
        "numpy.ma.core.MaskedArray",
        "numpy.random._pickle.__randomstate_ctor",
        "numpy.random._pickle.__bit_generator_ctor",
        "numpy.random._pickle.__generator_ctor",
        "numpy.random.mtrand.RandomState",
        "numpy.random._mt19937.MT19937",
        "numpy.random._pcg64.PCG64",
        "numpy.random._generator.Generator",
        "numpy.random._philox.Philox",
        "numpy.random._sfc64.SFC64",
        "numpy.random.bit_generator.SeedSequence",
        "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
        # scalar types (pickled as dtype parameters)
        *(
            f"numpy.{n}"
            for n in "float64 float32 float16 longdouble int64 int32 int16 int8 intc intp "
            "uint64 uint32 uint16 uint8 bool_ complex64 complex128 object_ str_ bytes_".split()
        ),
        *(
            f"numpy.dtypes.{n}DType"
            for n in "Float64 Float32 Float16 Int64 Int32 Int16 Int8 UInt64 UInt32 UInt16 UInt8 "
            "Bool Object Str Bytes Complex64 Complex128 Void".split()
        ),
        # joblib
        "joblib.numpy_pickle.NumpyArrayWrapper",
        "joblib.numpy_pickle.NDArrayWrapper",
        "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
        # torch
        *(f"torch.{s}Storage" for s in _TORCH_STORAGES),
        "torch.storage.UntypedStorage",
        "torch.storage.TypedStorage",
        "torch.UntypedStorage",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch._utils._rebuild_qtensor",
        "torch._utils._rebuild_sparse_tensor",
        "torch._utils._rebuild_meta_tensor_no_storage",
        "torch._utils._rebuild_wrapper_subclass",
        "torch._utils._rebuild_device_tensor_from_numpy",
        "torch._tensor._rebuild_from_type_v2",
        "torch._utils._set_obj_state",
        "torch.nn.parameter.Parameter",
        "torch.Tensor",
        "torch.Size",
        "torch.device",
        "torch.serialization._get_layout",
        *(
            f"torch.{n}"
            for n in "float64 float32 float16 bfloat16 int64 int32 int16 int8 uint8 bool "
            "complex64 complex128 strided sparse_coo per_tensor_affine contiguous_format "
            "channels_last".split()
        ),
        # TorchScript archives: list builders the C++ unpickler resolves itself
        *(
            f"torch.jit._pickle.{n}"
            for n in "build_intlist build_doublelist build_boollist build_tensorlist "
            "build_complexlist build_tensor_from_id restore_type_tag".split()
        ),
        # activation functions whole-module pickles reference (pure tensor maths)
        *(
            f"torch.nn.functional.{n}"
            for n in "relu relu6 gelu silu mish elu selu celu leaky_relu hardswish hardsigmoid "
            "hardtanh softplus softsign tanh sigmoid softmax log_softmax glu logsigmoid".split()
        ),
        "torch._C._nn.gelu",
        "torch._C._nn.silu",
        "torch._C._nn.leaky_relu",
        "torch._C._nn.elu",
        "torch._C._nn.hardtanh",
        "torch._C._nn.softplus",
        "torch.tanh",
        "torch.sigmoid",
        "torch.relu",
        "torch.return_types.max",
        "torch.return_types.min",
        "torch.per_channel_affine",
    ]
)

# Packages whose CapWords names are estimator / layer classes whose construction is state only.
_CLASS_PACKAGES = lazy_compile(
    r"^(sklearn\.(linear_model|tree|ensemble|svm|neighbors|preprocessing|pipeline|compose|"
    r"decomposition|cluster|naive_bayes|neural_network|feature_extraction|feature_selection|"
    r"impute|discriminant_analysis|gaussian_process|kernel_ridge|isotonic|calibration|"
    r"multiclass|multioutput|mixture|manifold|cross_decomposition|covariance|dummy|"
    r"random_projection|semi_supervised|kernel_approximation|_loss|utils\._bunch|"
    r"metrics\._dist_metrics)"
    r"|torch\.nn\.modules|torch\.nn\.utils\.parametrize|__torch__)(\.[A-Za-z_][A-Za-z0-9_]*)*$"
)
# CapWords class names (private ones too), and the Cython helpers that rebuild such a class
# from its state (`__pyx_unpickle_<Class>`, `newObj(cls)` = cls.__new__(cls)).
_CLASS_NAME = lazy_compile(r"^((__pyx_unpickle_)?_?[A-Z][A-Za-z0-9]*|newObj)$")
# Classes in those packages that run user callables or load files when constructed/set up.
_CLASS_EXCEPTIONS = frozenset({"FunctionTransformer"})

DANGEROUS_MODULES: frozenset[str] = frozenset(
    """os posix nt subprocess sys runpy importlib imp pty socket shutil webbrowser code codeop
    pickle _pickle cPickle marshal ctypes _ctypes cProfile profile trace pdb bdb idlelib lib2to3
    doctest ensurepip pip pkgutil asyncio multiprocessing concurrent threading _thread signal
    platform linecache difflib gc uuid venv ssl urllib urllib2 http httplib requests aiohttp
    ftplib smtplib telnetlib xmlrpc distutils setuptools cloudpickle dill tempfile glob io _io
    fileinput pathlib logging zipimport sqlite3 shelve dbm tarfile zipfile select selectors mmap
    resource fcntl termios pwd grp crypt getpass commands popen2 site sysconfig inspect types
    _posixsubprocess _winapi winreg msvcrt spawn builtins __builtin__ _operator operator
    functools jinja2 mako yaml numexpr torch.serialization torch.hub torch.utils.collect_env
    torch.utils.bottleneck torch._inductor torch.package torch.jit torch.ops
    torch.utils.cpp_extension torch._dynamo torch.distributed numpy.f2py numpy.distutils
    numpy.testing numpy.lib.npyio
    numpy.ctypeslib numpy.lib.utils mlflow pandas.io keras.utils tensorflow.io
    tensorflow.python.ops
    code nturl2path _bootlocale pydoc pydoc_data tkinter turtle smtpd imaplib poplib nntplib
    ipykernel IPython""".split()
)

DANGEROUS_NAMES: frozenset[str] = frozenset(
    """eval exec execfile compile open __import__ getattr setattr delattr globals locals vars
    input breakpoint apply system popen popen2 popen3 spawn spawnl spawnv spawnve spawnlp
    spawnvp execl execle execlp execv execve execvp execvpe fork forkpty run run_path
    run_module runctx runcall call check_call check_output Popen getoutput getstatusoutput
    loads load load_module import_module resolve_name attrgetter methodcaller itemgetter
    partial reduce FunctionType CodeType LambdaType MethodType ModuleType read_csv read_pickle
    read_table read_sql urlopen urlretrieve FileIO FileHandler _run_pip _start debug_script
    spawnv_passfds _run_entry_point InteractiveInterpreter InteractiveConsole interact
    compile_file remove rmtree unlink rmdir mkdir makedirs rename write_text write_bytes
    kill killpg __reduce__ __reduce_ex__ __setstate__ __getattribute__ __globals__ __code__
    __builtins__ __subclasses__ __class__ __bases__ __mro__ __dict__ __init_subclass__""".split()
)


def _dangerous(module: str, name: str) -> bool:
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        if ".".join(parts[:i]) in DANGEROUS_MODULES:
            return True
    # Attribute paths reach modules too: 'torch' + 'os.system', 'numpy' + 'f2py.x'.
    full = f"{module}.{name}".split(".")
    for i in range(len(full)):
        for j in range(i + 1, len(full) + 1):
            if ".".join(full[i:j]) in DANGEROUS_MODULES and i > 0:
                return True
    return any(p in DANGEROUS_NAMES for p in name.split("."))


@lru_cache(maxsize=1)
def _generated() -> frozenset[str]:
    """What tools/gen_pickle_allowlists.py listed from the pinned libraries' public APIs
    (imported on first use: a scan of a pickle needs it, a scan of safetensors does not)."""
    from aisec.probes.artifacts.pickle.allowlist_generated import GENERATED

    return GENERATED


@lru_cache(maxsize=65536)
def classify(module: str, name: str) -> Status:
    """Grade the callable `module`.`name` a pickle imports (exact, fully qualified)."""
    if f"{module}.{name}" in ALLOWED or f"{module}.{name}" in _generated():
        return Status.ALLOWED
    if _CLASS_NAME.match(name) and name not in _CLASS_EXCEPTIONS and _CLASS_PACKAGES.match(module):
        return Status.ALLOWED
    if _dangerous(module, name):
        return Status.DANGEROUS
    return Status.UNKNOWN
