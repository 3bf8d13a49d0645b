"""PyTorch's sgemm for the limits benchmark (bench/limits.ts): `a @ b` on square float32
matrices through the public API (the output allocated by the call), with the thread count
pinned twice over: torch.set_num_threads(n) for ATen and OPENBLAS_NUM_THREADS=n, which the
parent sets in this child's environment (set_num_threads alone leaves OpenBLAS's own pool).

Usage: python3 torch_limits.py '{"sizes":[512,1024],"minTime":0.2,"threads":1}'
       python3 torch_limits.py '{"mode":"cold","n":256,"calls":60,"threads":2}'
Prints '@@bench {json}' lines: one info line, then per size one result with the wall-clock
GFLOP/s and the GFLOP per CPU-second of this process (medians of 5 timed windows). In cold
mode, one result whose extra.times holds each call's seconds.
"""
import statistics
import sys
import time

from peer_common import emit, openblas, read_task

task = read_task()
try:
    import torch
except Exception as e:
    emit({'type': 'absent', 'reason': f'torch not importable by {sys.executable}: {type(e).__name__}: {e}'})
    sys.exit(0)

SAMPLES = 5
threads = int(task.get('threads', 1))
torch.set_num_threads(threads)

if task.get('mode') == 'cold':
    # The cold start, as limits-child.ts measures ours: the first `calls` products of a fresh
    # process, each timed alone.
    n = int(task.get('n', 256))
    torch.manual_seed(1)
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    times = []
    for _ in range(int(task.get('calls', 60))):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    emit({'type': 'result', 'key': f'cold-{n}', 'value': times[0], 'unit': 's', 'run': 0, 'extra': {'times': times}})
    sys.exit(0)
torch.mm(torch.ones(8, 8), torch.ones(8, 8))
lib, _ = openblas()
core = {'core': lib.openblas_get_corename().decode(), 'blasThreads': lib.openblas_get_num_threads()} if lib is not None else None
emit({'type': 'info', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': core})

for n in task.get('sizes', [512, 1024]):
    torch.manual_seed(1)
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    # Warm-up as long as the timed window and at least 32 products (the same in
    # limits-child.ts): the figure is the steady state; the cold start has its own figure.
    w0, done = time.perf_counter(), 0
    while done < 32 or time.perf_counter() - w0 < task.get('minTime', 0.2):
        a @ b
        done += 1
    # Timed in SAMPLES windows of minTime / 2 (as limits-child.ts times ours); the figure is the
    # median window, so one slow spell of a shared machine does not decide it.
    window = task.get('minTime', 0.2) / 2
    t0 = time.perf_counter()
    a @ b
    once = time.perf_counter() - t0
    reps = max(1, int(window / max(once, 1e-6) + 0.999))
    flop = 2 * n ** 3 * reps
    walls, cpus = [], []
    for _ in range(SAMPLES):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            a @ b
        walls.append(flop / (time.perf_counter() - w0) / 1e9)
        cpus.append(flop / max(time.process_time() - c0, 1e-9) / 1e9)
    emit({'type': 'result', 'key': f'sgemm-{n}', 'value': statistics.median(walls), 'unit': 'GFLOP/s', 'run': 0,
          'extra': {'perCpuSecond': statistics.median(cpus), 'reps': reps, 'samples': walls}})
