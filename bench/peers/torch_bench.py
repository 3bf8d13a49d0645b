"""PyTorch peer of Tradecraft's benchmark (bench/run.ts spawns it with /usr/bin/python3).

Usage: python3 torch_bench.py '<ChildTask JSON>'   (see bench/protocol.ts)
Prints one '@@bench {json}' line per measurement; everything else on stdout is ignored.
Same workloads, data and recipe as bench/ours.ts: sgemm (torch.mm, the faster of 1 and 2
threads), MLP/CNN training throughput (Adam 1e-3, batch 64, cross-entropy, warm-up steps
then one timed epoch over all 60,000 images, /255 then standardized) and time to 98% test
accuracy for the MLP.
"""
import struct
import sys
import time

from peer_common import emit, openblas, read_task

task = read_task()

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # ImportError, or a broken install that fails while loading
    emit({'type': 'absent', 'reason': f'torch not importable by {sys.executable}: {type(e).__name__}: {e}'})
    sys.exit(0)


# Touch BLAS once so the library is mapped, then describe it.
torch.mm(torch.ones(8, 8), torch.ones(8, 8))
BLAS, BLAS_PATH = openblas()


def blas_threads():
    return BLAS.openblas_get_num_threads() if BLAS is not None else None


def set_threads(n):
    torch.set_num_threads(n)
    if BLAS is not None:
        try:
            BLAS.openblas_set_num_threads(n)
        except AttributeError:
            pass


info = {'type': 'info', 'torch': torch.__version__, 'python': sys.version.split()[0],
        'defaultThreads': torch.get_num_threads(), 'blas': None}
if BLAS is not None:
    info['blas'] = {'path': BLAS_PATH, 'core': BLAS.openblas_get_corename().decode(),
                    'config': BLAS.openblas_get_config().decode(), 'threads': BLAS.openblas_get_num_threads()}
else:
    cfg = torch.__config__.show()
    info['blas'] = {'core': None, 'config': next((l.strip() for l in cfg.splitlines() if 'BLAS_INFO' in l), 'unknown')[:200]}
emit(info)

now = time.perf_counter


def sgemm():
    min_time = task.get('minTime', 0.3)
    runs = task['runs']
    for n in task.get('sizes', [256, 512, 1024, 2048]):
        torch.manual_seed(1)
        a = torch.randn(n, n)
        b = torch.randn(n, n)
        flop = 2 * n ** 3
        per_threads = {}
        for threads in (1, 2):
            set_threads(threads)
            torch.mm(a, b)
            t0 = now()
            torch.mm(a, b)
            once = now() - t0
            reps = max(1, int(min_time / max(once, 1e-6) + 0.999))
            vals = []
            for _ in range(min(runs, 3) if once > 2 else runs):
                t0 = now()
                for _ in range(reps):
                    torch.mm(a, b)
                vals.append(flop * reps / (now() - t0) / 1e9)
            per_threads[threads] = vals
        restore_threads()
        best = max(per_threads, key=lambda t: sorted(per_threads[t])[len(per_threads[t]) // 2])
        med = {t: sorted(v)[len(v) // 2] for t, v in per_threads.items()}
        for r, v in enumerate(per_threads[best]):
            emit({'type': 'result', 'key': f'sgemm-{n}', 'value': v, 'unit': 'GFLOP/s', 'run': r,
                  'extra': {'threads': best, 'median1Thread': med[1], 'median2Threads': med[2]}})


def restore_threads():
    torch.set_num_threads(DEFAULT_THREADS)
    if BLAS is not None and DEFAULT_BLAS_THREADS:
        BLAS.openblas_set_num_threads(DEFAULT_BLAS_THREADS)


def idx(path):
    b = open(path, 'rb').read()
    nd = b[3]
    dims = struct.unpack('>' + 'I' * nd, b[4:4 + 4 * nd])
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def load():
    d = task['dataDir']
    xtr = torch.tensor(idx(f'{d}/train-images-idx3-ubyte'), dtype=torch.float32).div_(255)
    ytr = torch.tensor(idx(f'{d}/train-labels-idx1-ubyte'), dtype=torch.long)
    xte = torch.tensor(idx(f'{d}/t10k-images-idx3-ubyte'), dtype=torch.float32).div_(255)
    yte = torch.tensor(idx(f'{d}/t10k-labels-idx1-ubyte'), dtype=torch.long)
    mu, sd = xtr.mean(), xtr.std()  # unbiased, like ours
    return ((xtr - mu) / sd).unsqueeze(1), ytr, ((xte - mu) / sd).unsqueeze(1), yte


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


class Trainer:
    def __init__(self, kind, xtr, ytr, seed, cosine_steps=0):
        torch.manual_seed(seed)
        self.model = mlp() if kind == 'mlp' else cnn()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=task.get('lr', 1e-3))
        # cosine_steps > 0: per-step cosine decay to 0 (the time-to-accuracy recipe, as in ours)
        self.sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.opt, T_max=cosine_steps) if cosine_steps > 0 else None
        self.xtr, self.ytr, self.bs = xtr, ytr, task.get('batchSize', 64)
        self.seed = seed

    def run(self, epoch, steps):
        """Up to `steps` steps over a shuffled order (drop-last batches). Returns steps done, last loss."""
        g = torch.Generator().manual_seed(self.seed * 100003 + epoch)
        n = self.xtr.shape[0]
        perm = torch.randperm(n, generator=g)
        done, loss = 0, None
        self.model.train()
        for i in range(0, n - self.bs + 1, self.bs):
            if done >= steps:
                break
            idxs = perm[i:i + self.bs]
            loss = F.cross_entropy(self.model(self.xtr[idxs]), self.ytr[idxs])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            if self.sched is not None:
                self.sched.step()
            done += 1
        return done, loss


def accuracy(model, xte, yte):
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, xte.shape[0], 1000):
            correct += (model(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum().item()
    model.train()
    return correct / xte.shape[0]


def throughput(kind):
    xtr, ytr, _, _ = load()
    bs = task.get('batchSize', 64)
    epoch_steps = xtr.shape[0] // bs
    steps = min(task['steps'], epoch_steps) if task.get('steps') else epoch_steps
    for r in range(task['runs']):
        t = Trainer(kind, xtr, ytr, task.get('seed', 0) + r)
        t.run(1000 + r, task.get('warmupSteps', 50))
        t0 = now()
        done, loss = t.run(r, steps)
        dt = now() - t0
        emit({'type': 'result', 'key': f'{kind}-train', 'value': done * bs / dt, 'unit': 'samples/s', 'run': r,
              'extra': {'steps': done, 'seconds': dt, 'finalLoss': loss.item() if loss is not None else None,
                        'threads': torch.get_num_threads(), 'blasThreads': blas_threads(), 'trainImages': xtr.shape[0]}})


def time_to_accuracy():
    xtr, ytr, xte, yte = load()
    target, max_epochs = task.get('target', 0.98), task.get('maxEpochs', 4)
    steps_per_epoch = xtr.shape[0] // task.get('batchSize', 64)
    for r in range(task['runs']):
        t = Trainer('mlp', xtr, ytr, task.get('seed', 0) + r, max_epochs * steps_per_epoch)
        t0 = now()
        acc, epochs = 0.0, 0
        while epochs < max_epochs:
            t.run(epochs, float('inf'))
            epochs += 1
            acc = accuracy(t.model, xte, yte)
            if acc >= target:
                break
        emit({'type': 'result', 'key': 'mlp-tta98', 'value': now() - t0, 'unit': 's', 'run': r,
              'extra': {'epochs': epochs, 'testAccuracy': acc, 'reached': acc >= target, 'threads': torch.get_num_threads(), 'blasThreads': blas_threads()}})


# Training runs with torch's own defaults (ATen threads as torch chose them, OpenBLAS's own thread
# count) unless the parent passes 'threads'; sgemm tries 1 and 2 threads and keeps the faster.
DEFAULT_THREADS = torch.get_num_threads()
DEFAULT_BLAS_THREADS = BLAS.openblas_get_num_threads() if BLAS is not None else None
if task.get('threads'):
    set_threads(task['threads'])
w = task['workload']
if w == 'sgemm':
    sgemm()
elif w in ('mlp', 'cnn'):
    throughput(w)
elif w == 'tta':
    time_to_accuracy()
else:
    emit({'type': 'unavailable', 'key': w, 'status': 'absent', 'reason': f'torch peer does not run workload {w}'})
