#include "peak.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "gemm.h"
#include "gemm_kernels.h"
#include "threadpool.h"

namespace tc {

double fma_loop_generic(long iters) {
  // No FMA instruction assumed: 4-wide multiply and add (counted as 2 flops per lane).
  typedef float v4 __attribute__((vector_size(16)));
  v4 acc[8];
  for (int i = 0; i < 8; ++i) acc[i] = v4{} + (1.0f + 1e-7f * float(i));
  const v4 x = v4{} + 0.999999f, y = v4{} + 1e-6f;
  for (long it = 0; it < iters; ++it) {
    for (int i = 0; i < 8; ++i) acc[i] = acc[i] * x + y;
    __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]));
    __asm__ volatile("" : "+x"(acc[4]), "+x"(acc[5]), "+x"(acc[6]), "+x"(acc[7]));
  }
  volatile float keep = acc[0][0] + acc[7][3];
  (void)keep;
  return 2.0 * 4 * 8 * double(iters);
}

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of the calling thread: on a shared machine the time a thread actually ran, so the
// per-core rate survives other processes taking turns on the cores.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// One chunk of work (~10-50 us) for `kind`; returns its flops.
struct Work {
  PeakKind kind;
  Isa isa;
  const GemmImpl* g;
  long kc;
  double run_chunk(float* ap, float* bp, float* c) const {
    if (kind == PeakKind::Fma) {
      switch (isa) {
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
        case Isa::Avx512: return fma_loop_avx512(2000);
        case Isa::Avx2: return fma_loop_avx2(2000);
#endif
        default: return fma_loop_generic(2000);
      }
    }
    // The micro-kernel on one packed A micro-panel and one packed B micro-panel (both in L1),
    // accumulating into one tile of C (beta = 1), as the GEMM's inner loop calls it.
    for (int r = 0; r < 8; ++r) g->kernel(kc, ap, bp, c, g->nr, g->mr, g->nr, 1.0f, 1.0f);
    return 8.0 * 2.0 * g->mr * g->nr * double(kc);
  }
};

float* aligned_floats(long n, float fill) {
  const size_t bytes = (size_t(n) * sizeof(float) + 63) & ~size_t(63);
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  for (long i = 0; i < n; ++i) p[i] = fill;
  return p;
}

}  // namespace

PeakResult peak_gflops(PeakKind kind, Isa isa, int threads, double seconds) {
  if (static_cast<int>(isa) > static_cast<int>(cpu_isa())) return {-1.0, -1.0};
  const GemmImpl* g = gemm_impl_for(isa);
  if (g == nullptr) return {-1.0, -1.0};
  const int nt = threads < 1 ? 1 : threads > num_threads() ? num_threads() : threads;
  // The depth the GEMM uses, capped so that both micro-panels fit the L1 data cache together.
  const long kc = gemm_blocking_for(isa).kc;
  const Work w{kind, isa, g, kc};
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::atomic<double> flops{0.0}, cpu_seconds{0.0};
  auto add = [](std::atomic<double>& to, double x) {
    double cur = to.load();
    while (!to.compare_exchange_weak(cur, cur + x)) {
    }
  };
  auto body = [&](long, int) {
    float* ap = aligned_floats(long(g->mr) * kc, 1e-3f);
    float* bp = aligned_floats(long(g->nr) * kc, 1e-3f);
    float* c = aligned_floats(long(g->mr) * g->nr, 0.0f);
    for (int i = 0; i < 4; ++i) w.run_chunk(ap, bp, c);  // warm the panels into L1
    double mine = 0.0;
    const double cpu0 = thread_cpu_seconds();
    while (Clock::now() < deadline) mine += w.run_chunk(ap, bp, c);
    add(cpu_seconds, thread_cpu_seconds() - cpu0);
    std::free(ap), std::free(bp), std::free(c);
    add(flops, mine);
  };
  // The pool runs a job on the calling thread alone when every worker is asleep (threadpool.cc),
  // which would measure one core under the name of nt; a job every thread must join wakes them.
  if (nt > 1) on_every_thread([] {});
  const auto start = Clock::now();
  if (nt == 1) body(0, 0);
  else parallel_for(nt, body);
  const double dt = std::chrono::duration<double>(Clock::now() - start).count();
  return {flops.load() / dt / 1e9, cpu_seconds.load() > 0 ? flops.load() / cpu_seconds.load() / 1e9 : 0.0};
}

}  // namespace tc
