#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tc {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

int detect_threads() {
  const char* env = std::getenv("TRADECRAFT_THREADS");
  if (env != nullptr) {
    int n = std::atoi(env);
    if (n >= 1) return n > 256 ? 256 : n;
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

// Spin this long after the last job before sleeping: long enough to bridge the JavaScript
// between two kernels of a training step, short enough not to steal a core for long.
constexpr auto kSpin = std::chrono::microseconds(2000);
// After this long a spinning thread yields its core on every check, so that on a busy machine
// (more runnable threads than cores: other processes, parallel test files) the thread it is
// waiting for, or anyone else, gets to run.
constexpr auto kYieldAfter = std::chrono::microseconds(20);
// An idle worker waits longer before it starts yielding: a yield hands the core to any runnable
// thread for a whole time slice, and in a fresh process V8's compiler and marking threads are
// runnable. Yielding after 20 us (the JavaScript between two products is longer than that in
// the first calls) kept the worker out of 2 to 10 of the first 10 products of a 256 x 256
// matmul; after 200 us the first 10 ran at 1.15-1.21x of steady state instead of 1.50-1.76x
// (bench/limits.ts's cold-start figure, 7 processes each, 2-core Zen 3 VM).
constexpr auto kIdleYieldAfter = std::chrono::microseconds(200);
// Then sleep in naps of kNap for up to kLightSleep after the last job, and after that until woken.
constexpr auto kNap = std::chrono::milliseconds(1);
constexpr auto kLightSleep = std::chrono::milliseconds(1000);

// Waits until done() with pause-spinning first, then yielding.
template <class Done>
void wait_until(Done done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return;
    cpu_relax();
  }
  const auto start = std::chrono::steady_clock::now();
  while (!done()) {
    if (std::chrono::steady_clock::now() - start > kYieldAfter) std::this_thread::yield();
    else
      for (int i = 0; i < 64; ++i) cpu_relax();
  }
}

thread_local bool t_in_pool = false;

class Pool {
 public:
  explicit Pool(int n) : n_(n) {
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { worker(i); });
  }
  // The pool lives for the whole process; detach instead of joining at exit so that a
  // process exiting mid-job cannot hang on a sleeping worker.
  ~Pool() {
    for (auto& w : workers_) w.detach();
  }

  int size() const { return n_; }

  void run(long ntasks, TaskFn fn, void* ctx) {
    std::lock_guard<std::mutex> serial(run_mutex_);  // one job at a time (e.g. worker_threads)
    // No worker is inside a job here (active_ was drained below), and none enters one until
    // open_ is set, so the job fields can be written plainly.
    fn_ = fn;
    ctx_ = ctx;
    ntasks_ = ntasks;
    next_.store(0, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    open_.store(true, std::memory_order_seq_cst);
    generation_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lk(mutex_);
      cv_.notify_all();
    }
    t_in_pool = true;
    work(0);
    t_in_pool = false;
    wait_until([&] { return done_.load(std::memory_order_acquire) >= ntasks; });
    // Close the job and wait for workers that entered it; a worker that announces itself
    // after this sees open_ == false and leaves without touching the job (Dekker-style
    // ordering through the two seq_cst pairs).
    open_.store(false, std::memory_order_seq_cst);
    wait_until([&] { return active_.load(std::memory_order_seq_cst) == 0; });
  }

 private:
  void work(int thread) {
    long n = ntasks_;
    for (;;) {
      long t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n) break;
      fn_(ctx_, t, thread);
      done_.fetch_add(1, std::memory_order_release);
    }
  }

  void worker(int thread) {
    t_in_pool = true;
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "tradecraft-pool");  // names it in top -H, perf and gdb
#endif
    // 0, not the current generation: a job posted before this thread first ran is still
    // joined (on_every_thread waits for every thread; others just get help).
    unsigned long seen = 0;
    for (;;) {
      auto start = std::chrono::steady_clock::now();
      unsigned spins = 0;
      while (generation_.load(std::memory_order_acquire) == seen) {
        cpu_relax();
        if (++spins % 64 != 0) continue;
        const auto waited = std::chrono::steady_clock::now() - start;
        if (waited > kIdleYieldAfter) std::this_thread::yield();
        if (waited > kSpin) {
          std::unique_lock<std::mutex> lk(mutex_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          // Light sleep first: wake every kNap by ourselves as well as on run()'s notify, so
          // a notify lost to a busy scheduler costs at most kNap; after kLightSleep of
          // nothing, sleep until notified.
          while (generation_.load(std::memory_order_seq_cst) == seen) {
            if (std::chrono::steady_clock::now() - start < kLightSleep) {
              cv_.wait_for(lk, kNap);
            } else {
              while (generation_.load(std::memory_order_seq_cst) == seen) cv_.wait(lk);
            }
          }
          sleepers_.fetch_sub(1, std::memory_order_relaxed);
          break;
        }
      }
      seen = generation_.load(std::memory_order_acquire);
      active_.fetch_add(1, std::memory_order_seq_cst);
      if (open_.load(std::memory_order_seq_cst)) work(thread);
      active_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<unsigned long> generation_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<int> active_{0};
  std::atomic<bool> open_{false};
  std::atomic<long> next_{0};
  std::atomic<long> done_{0};
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  long ntasks_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool(detect_threads());  // never destroyed: see ~Pool
  return *p;
}

}  // namespace

int num_threads() { return pool().size(); }

void on_every_thread(void (*fn)()) {
  const int n = pool().size();
  if (n == 1 || t_in_pool) {
    fn();
    return;
  }
  // n tasks and a barrier at the start of each: a thread holding one task cannot take
  // another before all n have arrived, so every thread runs exactly one.
  struct Ctx {
    void (*fn)();
    int n;
    std::atomic<int> arrived{0};
  } ctx{fn, n};
  pool().run(
      n,
      [](void* c, long, int) {
        Ctx& x = *static_cast<Ctx*>(c);
        x.arrived.fetch_add(1, std::memory_order_acq_rel);
        wait_until([&] { return x.arrived.load(std::memory_order_acquire) >= x.n; });
        x.fn();
      },
      &ctx);
}

void parallel_for_raw(long ntasks, TaskFn fn, void* ctx) {
  if (ntasks <= 0) return;
  if (ntasks == 1 || t_in_pool || pool().size() == 1) {
    for (long t = 0; t < ntasks; ++t) fn(ctx, t, 0);
    return;
  }
  pool().run(ntasks, fn, ctx);
}

}  // namespace tc
