"""What the Python peers share: the '@@bench {json}' line protocol of bench/protocol.ts, the task
given as the first argument, and the OpenBLAS library torch loaded (found through this
process's memory map, so its kernel and thread count can be read and pinned)."""
import ctypes
import json
import sys

MARK = '@@bench '


def emit(obj):
    sys.stdout.write(MARK + json.dumps(obj) + '\n')
    sys.stdout.flush()


def read_task():
    return json.loads(sys.argv[1] if len(sys.argv) > 1 else '{}')


def openblas():
    """(library, path) of the OpenBLAS torch loaded, or (None, None). Call after one BLAS call."""
    try:
        paths = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'openblas' in l.lower() and '.so' in l})
    except OSError:
        return None, None
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return lib, p
        except (OSError, AttributeError):
            continue
    return None, None
