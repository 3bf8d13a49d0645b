// A persistent pool of worker threads, created on first use and sized to the cores
// (TRADECRAFT_THREADS overrides). The calling thread takes part as thread 0, so a pool
// of n threads starts n-1 workers. Workers spin briefly after a job (kernels arrive back
// to back during a training step) and then sleep on a condition variable.
#pragma once

#include <type_traits>

namespace tc {

int num_threads();

using TaskFn = void (*)(void* ctx, long task, int thread);

// Runs fn(ctx, t, thread) for every t in [0, ntasks), distributing tasks dynamically, and
// returns when all have finished. Nested calls (from inside a task) run serially on the
// calling thread, as does everything when the pool has one thread.
void parallel_for_raw(long ntasks, TaskFn fn, void* ctx);

// Runs fn() exactly once on every pool thread (the caller included) and returns when all have:
// a load-time warm-up, so each thread has its per-thread buffers before the first real job.
void on_every_thread(void (*fn)());

template <class F>
inline void parallel_for(long ntasks, F&& f) {
  using Fn = typename std::remove_reference<F>::type;
  parallel_for_raw(ntasks, [](void* c, long t, int th) { (*static_cast<Fn*>(c))(t, th); },
                   const_cast<void*>(static_cast<const void*>(&f)));
}

// Splits [0, n) into at most num_threads() contiguous chunks of at least `grain` items and
// runs f(begin, end, thread) on each; tiny ranges run inline.
template <class F>
inline void parallel_range(long n, long grain, F&& f) {
  long nt = num_threads();
  if (grain < 1) grain = 1;
  long chunks = n / grain;
  if (chunks > nt) chunks = nt;
  if (chunks <= 1) {
    if (n > 0) f(0L, n, 0);
    return;
  }
  auto body = [&](long t, int th) {
    long b = n * t / chunks, e = n * (t + 1) / chunks;
    f(b, e, th);
  };
  parallel_for(chunks, body);
}

}  // namespace tc
