// GEMM driver: the classic five loops around a packed micro-kernel (Goto/BLIS).
//   for jc (NC columns of C)
//     for pc (KC of depth)         B block  kc x nc  packed once, stays in L3
//       for ic (MC rows)           A block  mc x kc  packed, stays in L2
//         for jr (NR columns)      B micro-panel stays in L1 across the ir loop
//           for ir (MR rows)       micro-kernel: streams A's micro-panels from L2
// or, with GemmOrder::kIrJr (chosen by measurement, gemm_tuning.cc), ir outside jr: one A
// micro-panel in L1 while B's micro-panels stream from L2.
// Threads split C into disjoint blocks, each running the serial algorithm with its own
// packing buffers: no barriers, and each core's B block lives in its own L2.
#include "gemm.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "cpu.h"
#include "cpu_info.h"
#include "gemm_kernels.h"
#include "gemm_tuning.h"
#include "scratch.h"
#include "simd_kernels.h"
#include "threadpool.h"

namespace tc {
namespace {

const GemmImpl& impl() {
  static const GemmImpl* g = gemm_config().impl;
  return *g;
}

const GemmBlocking& blocking() {
  static const GemmBlocking& b = gemm_config().blocking;
  return b;
}

thread_local Scratch t_pack_a, t_pack_b;

// C = beta * C over an m x n block (beta == 0 writes zeros, even over NaN).
void scale_c(long m, long n, float beta, float* c, long ldc) {
  for (long i = 0; i < m; ++i) {
    float* r = c + i * ldc;
    if (beta == 0.0f) std::memset(r, 0, sizeof(float) * n);
    else if (beta != 1.0f)
      for (long j = 0; j < n; ++j) r[j] *= beta;
  }
}

inline long round_up(long x, long to) { return (x + to - 1) / to * to; }
inline long min_l(long a, long b) { return a < b ? a : b; }

// One row or one column of C: a matrix-vector product, no packing.
bool gemv(bool transA, bool transB, long m, long n, long k, float alpha, const float* a, long lda, const float* b,
          long ldb, float beta, float* c, long ldc) {
  const SimdTable& T = simd();
  if (m == 1) {
    // c[j] = sum_p a[p] * op(B)(p, j); a's elements are a[p] (not transposed) or a[p*lda].
    const long inca = transA ? lda : 1;
    if (transB) {  // op(B)(p, j) = b[j*ldb + p]: a dot product per column
      if (inca != 1) return false;
      T.dot_rows(b, ldb, n, k, a, c, 1, alpha, beta);
    } else {
      T.axpy_rows(b, ldb, k, n, a, inca, c, 1, alpha, beta);
    }
    return true;
  }
  if (n == 1) {
    // c[i*ldc] = sum_p op(A)(i, p) * b'[p]; b' = b[p*ldb] (not transposed) or b[p].
    const long incb = transB ? 1 : ldb;
    if (!transA) {  // op(A)(i, p) = a[i*lda + p]: a dot product per row
      if (incb != 1) return false;
      T.dot_rows(a, lda, m, k, b, c, ldc, alpha, beta);
    } else {
      T.axpy_rows(a, lda, k, m, b, incb, c, ldc, alpha, beta);
    }
    return true;
  }
  return false;
}

}  // namespace

const char* gemm_kernel_name() { return impl().name; }

const char* gemm_order_name(GemmOrder o) { return o == GemmOrder::kIrJr ? "ir-jr" : "jr-ir"; }

void gemm_warm_up() {
  on_every_thread([] {
    const GemmImpl& g = impl();
    const GemmBlocking& b = blocking();
    // B's buffer for up to 1024 columns: products that size and below never grow it, and the
    // load stays cheap (a full 4080-column block would fault in 4 MB per thread).
    const size_t na = size_t(round_up(b.mc, g.mr) * b.kc), nb = size_t(round_up(min_l(b.nc, 1024), g.nr) * b.kc);
    std::memset(t_pack_a.get(na), 0, na * sizeof(float));
    std::memset(t_pack_b.get(nb), 0, nb * sizeof(float));
  });
}

const GemmImpl* gemm_impl_for(Isa isa) {
  if (isa == cpu_isa()) return gemm_config().impl;
  const GemmImpl* first = nullptr;
  return gemm_candidates(isa, &first, 1) > 0 ? first : nullptr;
}

GemmBlocking gemm_blocking_from_caches(const GemmImpl& g) {
  GemmBlocking b{g.mr, g.nr, g.mc, g.kc, g.nc, "built-in"};
  const CpuInfo& cpu = cpu_info();
  if (std::strcmp(cpu.cache_source, "default") != 0) {
    // The MC x KC block of A is read once per micro-panel of B, from L2: a quarter of L2
    // leaves room for C's lines and the next block while packing. The KC x NC block of B is
    // read once per block of A, from L3: a quarter of L3, at most 4080 columns (BLIS's
    // choice for Zen; beyond it packing B stops paying for itself).
    const long mc = (cpu.l2 / 4) / (b.kc * long(sizeof(float))) / b.mr * b.mr;
    if (mc >= 4L * b.mr) b.mc = mc;
    if (cpu.l3 > 0) {
      long nc = (cpu.l3 / 4) / (b.kc * long(sizeof(float)));
      if (nc > 4080) nc = 4080;
      nc = nc / b.nr * b.nr;
      if (nc >= 4L * b.nr) b.nc = nc;
    }
    b.source = "caches";
  }
  return b;
}

const GemmBlocking& gemm_blocking_for(Isa isa) {
  if (isa == cpu_isa()) return gemm_config().blocking;
  static GemmBlocking cache[3];
  static bool done[3];
  static std::mutex mu;
  const int i = static_cast<int>(isa);
  std::lock_guard<std::mutex> lk(mu);
  if (!done[i]) {
    const GemmImpl* g = gemm_impl_for(isa);
    cache[i] = g != nullptr ? gemm_blocking_from_caches(*g) : GemmBlocking{0, 0, 0, 0, 0, "absent"};
    done[i] = true;
  }
  return cache[i];
}

namespace {

// The serial algorithm with implementation g and blocking bl; `packed_a`, when given, holds all
// of op(A) as sgemm_pack_a laid it out and replaces the packing of A (a, lda and transA are then
// unused); `bpack`, when given, replaces the packing of B (b, ldb and transB are then unused).
void serial_blocks(const GemmImpl& g, const GemmBlocking& bl, bool transA, bool transB, long m, long n, long k,
                   float alpha, const float* a, long lda, const float* packed_a, const float* b, long ldb, float beta,
                   float* c, long ldc, const BPacker* bpack = nullptr) {
  const long MR = g.mr, NR = g.nr;
  const long KC = gemm_depth_block(k, bl.kc);
  const long MC = bl.mc;
  const long NC = bl.nc;
  const long m_padded = round_up(m, MR);
  float* ap = packed_a != nullptr ? nullptr : t_pack_a.get(size_t(round_up(min_l(MC, m), MR) * KC));
  float* bp = t_pack_b.get(size_t(round_up(min_l(NC, n), NR) * KC + (bpack != nullptr ? kPackBSlack : 0)));
  for (long jc = 0; jc < n; jc += NC) {
    const long nc = min_l(NC, n - jc);
    for (long pc = 0; pc < k; pc += KC) {
      const long kc = min_l(KC, k - pc);
      const float be = pc == 0 ? beta : 1.0f;
      if (bpack != nullptr) bpack->pack(bpack->ctx, pc, kc, jc, nc, NR, bp);
      else g.pack_b(b, ldb, transB, pc, kc, jc, nc, bp);
      for (long ic = 0; ic < m; ic += MC) {
        const long mc = min_l(MC, m - ic);
        const float* ablock;
        if (packed_a != nullptr) {
          ablock = packed_a + m_padded * pc + ic * kc;
        } else {
          g.pack_a(a, lda, transA, ic, mc, pc, kc, ap);
          ablock = ap;
        }
        float* cblock = c + ic * ldc + jc;
        // Columns the micro-kernel takes tile by tile; a narrower last panel goes to edge_panel.
        const long tiled = g.edge_panel != nullptr ? nc / NR * NR : nc;
        auto tile = [&](long ir, long jr) {
          g.kernel(kc, ablock + ir * kc, bp + jr * kc, cblock + ir * ldc + jr, ldc, min_l(MR, mc - ir),
                   min_l(NR, nc - jr), alpha, be);
        };
        if (bl.order == GemmOrder::kIrJr) {
          for (long ir = 0; ir < mc; ir += MR)
            for (long jr = 0; jr < tiled; jr += NR) tile(ir, jr);
        } else {
          for (long jr = 0; jr < tiled; jr += NR)
            for (long ir = 0; ir < mc; ir += MR) tile(ir, jr);
        }
        if (tiled < nc) g.edge_panel(kc, ablock, mc, bp + tiled * kc, cblock + tiled, ldc, nc - tiled, alpha, be);
      }
    }
  }
}

}  // namespace

void sgemm_serial(bool transA, bool transB, long m, long n, long k, float alpha, const float* a, long lda,
                  const float* b, long ldb, float beta, float* c, long ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  if ((m == 1 || n == 1) && gemv(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  serial_blocks(impl(), blocking(), transA, transB, m, n, k, alpha, a, lda, nullptr, b, ldb, beta, c, ldc);
}

void sgemm_serial_with(const GemmImpl& g, const GemmBlocking& bl, bool transA, bool transB, long m, long n, long k,
                       float alpha, const float* a, long lda, const float* b, long ldb, float beta, float* c, long ldc) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  serial_blocks(g, bl, transA, transB, m, n, k, alpha, a, lda, nullptr, b, ldb, beta, c, ldc);
}

long gemm_depth_block(long k, long kc) {
  const long cap = kc + kc / 8;
  if (k <= cap) return k;
  const long blocks = (k + cap - 1) / cap;
  return ((k + blocks - 1) / blocks + 7) / 8 * 8;  // whole 8-float vectors: the packers' transposes
}

size_t sgemm_packed_a_size(long m, long k) {
  return m <= 0 || k <= 0 ? 0 : size_t(round_up(m, impl().mr) * k);
}

void sgemm_pack_a(bool transA, long m, long k, const float* a, long lda, float* dst) {
  if (m <= 0 || k <= 0) return;
  const GemmImpl& g = impl();
  const long KC = gemm_depth_block(k, blocking().kc), m_padded = round_up(m, g.mr);
  // Block pc holds rows [0, m) x depth [pc, pc+kc) as pack_a lays out one MC block, so the
  // rows of any MC block (a multiple of MR) start at ic * kc inside it.
  for (long pc = 0; pc < k; pc += KC) g.pack_a(a, lda, transA, 0, m, pc, min_l(KC, k - pc), dst + m_padded * pc);
}

void sgemm_serial_packed_a(bool transB, long m, long n, long k, float alpha, const float* packed_a, const float* b,
                           long ldb, float beta, float* c, long ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  serial_blocks(impl(), blocking(), false, transB, m, n, k, alpha, nullptr, 0, packed_a, b, ldb, beta, c, ldc);
}

void sgemm_serial_packer(bool transA, long m, long n, long k, float alpha, const float* a, long lda,
                         const float* packed_a, const BPacker& b, float beta, float* c, long ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  serial_blocks(impl(), blocking(), transA, false, m, n, k, alpha, a, lda, packed_a, nullptr, 0, beta, c, ldc, &b);
}

// Below this many multiply-adds (about 5 us of work) a GEMM runs on one thread: the split
// gains a microsecond or two on an idle machine and loses many when the other core is busy.
static const double kThreadMinMacs = 1 << 19;

// The work of a block of w columns, in full panels of the tile: its last panel, when narrower
// than NR (whole vectors), costs more per column than a full one, as edge tiles run fewer
// multiply-add chains at once.
static double column_block_work(long w, long nr, long vw) {
  const long rest = w % nr;
  return double(w / nr) + (rest == 0 ? 0.0 : 1.5 * double((rest + vw - 1) / vw * vw) / double(nr));
}

// Where column block b of pn begins when n columns are split in whole units of `unit` columns
// (b = pn gives n): the work model (column_split_unit) and the split itself both use it.
static long column_block_start(long n, long unit, long pn, long b) {
  return min_l(n, (n + unit - 1) / unit * b / pn * unit);
}

// The granularity of a split of n columns into pn blocks: whole panels (NR columns), or whole
// vectors when that evens out the blocks' work. 256 columns of a 24-wide tile split on panels as
// 144 + 112, six panels against four and an edge: the first thread ran ~25% longer and the
// second waited; on vectors they split 128 + 128. In-process alternation on a 2-core Zen 3,
// new over old speed: the MLP's 64x256x784 1.02-1.04x, 64x256x256 1.02-1.06x, 64x784x256
// 1.01x. 512 columns already split evenly on panels (264 + 248, the second with an 8-column
// edge) and stay so: splitting them on vectors was level.
static long column_split_unit(const GemmImpl& g, long n, long pn) {
  const long nr = g.nr, vw = g.vw > 0 ? g.vw : g.nr;
  if (vw >= nr) return nr;
  auto worst = [&](long unit) {
    double w = 0;
    for (long b = 0; b < pn; ++b) {
      const double x = column_block_work(column_block_start(n, unit, pn, b + 1) - column_block_start(n, unit, pn, b), nr, vw);
      if (x > w) w = x;
    }
    return w;
  };
  return worst(vw) < worst(nr) ? vw : nr;
}

void sgemm(bool transA, bool transB, long m, long n, long k, float alpha, const float* a, long lda,
           const float* b, long ldb, float beta, float* c, long ldc) {
  const long nt = num_threads();
  const double macs = double(m) * double(n) * double(k);
  if (nt == 1 || macs < kThreadMinMacs || m <= 0 || n <= 0) {
    sgemm_serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const GemmImpl& g = impl();
  const long tm = (m + g.mr - 1) / g.mr, tn = (n + g.nr - 1) / g.nr;
  // Choose a pm x pn grid of blocks (pm*pn <= nt). Splitting n re-packs A in every block,
  // splitting m re-packs B: weigh that, and prefer enough tiles for balance.
  long best_pm = 1, best_pn = 1;
  double best_cost = 1e300;
  for (long pm = 1; pm <= nt; ++pm) {
    if (nt % pm != 0) continue;
    const long pn = nt / pm;
    if (pm > tm || pn > tn) continue;
    // Per-thread time: its share of the multiply-adds (imbalance included) plus packing its
    // rows of A and columns of B, each packed float costing about as much as 16 MACs.
    const double share = double((tm + pm - 1) / pm) / tm * double((tn + pn - 1) / pn) / tn;
    const double cost = share * macs + 16.0 * (double(m) * k / pm + double(k) * n / pn);
    if (cost < best_cost) best_cost = cost, best_pm = pm, best_pn = pn;
  }
  if (best_pm * best_pn == 1) {
    // Too few tiles for the grid: split along the longer tile dimension as far as it goes.
    if (tn >= tm) best_pn = min_l(nt, tn);
    else best_pm = min_l(nt, tm);
  }
  const long pm = best_pm, pn = best_pn;
  if (pm * pn == 1) {
    sgemm_serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const long col_unit = column_split_unit(g, n, pn);
  parallel_for(pm * pn, [&](long t, int) {
    const long bi = t / pn, bj = t % pn;
    const long i0 = min_l(m, tm * bi / pm * g.mr), i1 = min_l(m, tm * (bi + 1) / pm * g.mr);
    const long j0 = column_block_start(n, col_unit, pn, bj), j1 = column_block_start(n, col_unit, pn, bj + 1);
    if (i1 <= i0 || j1 <= j0) return;
    const float* as = transA ? a + i0 : a + i0 * lda;
    const float* bs = transB ? b + j0 * ldb : b + j0;
    sgemm_serial(transA, transB, i1 - i0, j1 - j0, k, alpha, as, lda, bs, ldb, beta, c + i0 * ldc + j0, ldc);
  });
}

void sgemm_batched(bool transA, bool transB, long m, long n, long k, float alpha, const float* a, const float* b,
                   float beta, float* c, long batch, long strideA, long strideB, long strideC) {
  const long lda = transA ? m : k, ldb = transB ? k : n, ldc = n;
  if (batch <= 0) return;
  if (batch == 1) {
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const long nt = num_threads();
  const double macs = double(m) * double(n) * double(k);
  // Independent outputs and enough of them: one serial GEMM per item across the pool.
  // (strideC == 0 accumulates into one C, so the items must run in order.)
  if (strideC != 0 && nt > 1 && (batch >= 4 * nt || batch % nt == 0 || macs < kThreadMinMacs)) {
    parallel_for(batch, [&](long i, int) {
      sgemm_serial(transA, transB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb, beta, c + i * strideC,
                   ldc);
    });
    return;
  }
  for (long i = 0; i < batch; ++i)
    sgemm(transA, transB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb, beta, c + i * strideC, ldc);
}

}  // namespace tc
