// N-API bindings: each exported function unpacks typed arrays and numbers and calls one
// kernel. Shapes, strides and geometry arrive packed in a Float64Array by the JavaScript
// wrapper (src/backend/native.ts) so that a call costs a handful of N-API calls. Sizes are
// checked against the arrays' lengths, so a wrong call throws a RangeError instead of
// corrupting memory.
#include <node_api.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "conv.h"
#include "cpu.h"
#include "cpu_info.h"
#include "gemm_kernels.h"
#include "gemm_tuning.h"
#include "json_string.h"
#include "peak.h"
#include "elementwise.h"
#include "gemm.h"
#include "indexing.h"
#include "malloc_tuning.h"
#include "optim.h"
#include "pool.h"
#include "reduce.h"
#include "scalar_ops.h"
#include "softmax.h"
#include "channel.h"
#include "strided.h"
#include "threadpool.h"

namespace {

using namespace tc;

struct Call {
  napi_env env;
  napi_value argv[20];
  size_t argc = 20;
  bool failed = false;

  Call(napi_env e, napi_callback_info info) : env(e) {
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) fail("bad call");
  }

  void fail(const char* msg) {
    if (!failed) napi_throw_range_error(env, nullptr, msg);
    failed = true;
  }
  void fail_type(const char* msg) {
    if (!failed) napi_throw_type_error(env, nullptr, msg);
    failed = true;
  }

  double num(size_t i) {
    double v = 0;
    if (i >= argc || napi_get_value_double(env, argv[i], &v) != napi_ok) fail_type("expected a number");
    return v;
  }
  long integer(size_t i) {
    double v = num(i);
    if (!(v >= -9.0e15 && v <= 9.0e15)) fail("expected an integer");
    return static_cast<long>(v);
  }
  long count(size_t i) {
    long v = integer(i);
    if (v < 0) fail("expected a non-negative size");
    return v;
  }
  bool flag(size_t i) {
    bool v = false;
    if (i >= argc || napi_get_value_bool(env, argv[i], &v) != napi_ok) fail_type("expected a boolean");
    return v;
  }
  bool is_null(size_t i) {
    napi_valuetype t = napi_undefined;
    if (i < argc) napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  // A typed array of the given type; len receives its element count.
  void* array(size_t i, napi_typedarray_type want, size_t* len) {
    // (napi_get_typedarray_info itself rejects anything that is not a typed array.)
    napi_typedarray_type type = napi_int8_array;
    void* data = nullptr;
    *len = 0;
    if (i >= argc || napi_get_typedarray_info(env, argv[i], &type, len, &data, nullptr, nullptr) != napi_ok ||
        (type != want && !(want == napi_uint32_array && (type == napi_float32_array || type == napi_int32_array)))) {
      fail_type(want == napi_int32_array ? "expected an Int32Array" : want == napi_float64_array ? "expected a Float64Array"
                                                                                              : "expected a Float32Array");
      *len = 0;
      return nullptr;
    }
    return data;
  }
  float* f32(size_t i, size_t* len) { return static_cast<float*>(array(i, napi_float32_array, len)); }
  int32_t* i32(size_t i, size_t* len) { return static_cast<int32_t*>(array(i, napi_int32_array, len)); }
  double* f64(size_t i, size_t* len) { return static_cast<double*>(array(i, napi_float64_array, len)); }
  void need(bool ok, const char* msg) {
    if (!ok) fail(msg);
  }
};

// Reads nd dims and the given number of stride vectors from a packed Float64Array:
// [shape(nd), strides0(nd), strides1(nd), ...].
struct Dims {
  long shape[kMaxDims];
  long st[3][kMaxDims];
  long total = 1;
  bool ok = true;
  Dims(const double* d, size_t len, long nd, int nstrides) {
    if (nd < 0 || nd > kMaxDims || len < size_t(nd) * (1 + nstrides)) {
      ok = false;
      return;
    }
    for (long i = 0; i < nd; ++i) {
      shape[i] = static_cast<long>(d[i]);
      if (shape[i] < 0) ok = false;
      total *= shape[i];
      for (int s = 0; s < nstrides; ++s) st[s][i] = static_cast<long>(d[(s + 1) * nd + i]);
    }
  }
  // Largest element offset a strided operand reads (0 when the shape is empty).
  long max_offset(int s, long nd) const {
    long m = 0;
    if (total == 0) return 0;
    for (long i = 0; i < nd; ++i) m += (shape[i] - 1) * (st[s][i] < 0 ? 0 : st[s][i]);
    return m;
  }
  bool nonneg(int s, long nd) const {
    for (long i = 0; i < nd; ++i)
      if (st[s][i] < 0) return false;
    return true;
  }
};

napi_value Describe(napi_env env, napi_callback_info) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "native (%s, %d thread%s)", isa_name(cpu_isa()), num_threads(),
                num_threads() == 1 ? "" : "s");
  napi_value s;
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &s);
  return s;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, num_threads(), &v);
  return v;
}

// gemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC)
napi_value Gemm(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const bool ta = c.flag(0), tb = c.flag(1);
  const long m = c.count(2), n = c.count(3), k = c.count(4);
  const float alpha = float(c.num(5));
  size_t la, lb, lc;
  const float* a = c.f32(6, &la);
  const long aoff = c.count(7);
  const float* b = c.f32(8, &lb);
  const long boff = c.count(9);
  const float beta = float(c.num(10));
  float* cc = c.f32(11, &lc);
  const long coff = c.count(12), batch = c.count(13), sa = c.count(14), sb = c.count(15), sc = c.count(16);
  if (c.failed) return nullptr;
  if (batch > 0 && m > 0 && n > 0) {
    const long last = batch - 1;
    c.need(coff + last * sc + m * n <= long(lc), "gemm: C is too short");
    if (k > 0) {
      c.need(aoff + last * sa + m * k <= long(la), "gemm: A is too short");
      c.need(boff + last * sb + k * n <= long(lb), "gemm: B is too short");
    }
    if (c.failed) return nullptr;
    sgemm_batched(ta, tb, m, n, k, alpha, a + aoff, b + boff, beta, cc + coff, batch, sa, sb, sc);
  }
  return nullptr;
}

napi_value Unary(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const long op = c.integer(0);
  size_t lx, lo;
  const float* x = c.f32(1, &lx);
  float* out = c.f32(2, &lo);
  c.need(op >= 0 && op < U_COUNT, "unary: unknown op");
  c.need(lo >= lx, "unary: out is too short");
  if (c.failed) return nullptr;
  unary(int(op), x, out, long(lx));
  return nullptr;
}

napi_value BinaryScalar(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const long op = c.integer(0);
  size_t lx, lo;
  const float* x = c.f32(1, &lx);
  const float s = float(c.num(2));
  float* out = c.f32(3, &lo);
  const bool first = c.flag(4);
  c.need(op >= 0 && op < B_COUNT, "binaryScalar: unknown op");
  c.need(lo >= lx, "binaryScalar: out is too short");
  if (c.failed) return nullptr;
  binary_scalar(int(op), x, s, out, long(lx), first);
  return nullptr;
}

// binary(op, a, b, out, nd, dims = [shape, aStrides, bStrides])
napi_value Binary(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const long op = c.integer(0);
  size_t la, lb, lo, ld;
  const float* a = c.f32(1, &la);
  const float* b = c.f32(2, &lb);
  float* out = c.f32(3, &lo);
  const long nd = c.integer(4);
  const double* dd = c.f64(5, &ld);
  if (c.failed) return nullptr;
  Dims d(dd, ld, nd, 2);
  c.need(op >= 0 && op < B_COUNT, "binary: unknown op");
  c.need(d.ok && d.nonneg(0, nd) && d.nonneg(1, nd), "binary: bad shape or strides");
  if (c.failed) return nullptr;
  if (d.total == 0) return nullptr;
  c.need(long(lo) >= d.total && d.max_offset(0, nd) < long(la) && d.max_offset(1, nd) < long(lb),
         "binary: an array is too short for the shape");
  if (c.failed) return nullptr;
  binary(int(op), a, d.st[0], b, d.st[1], out, d.shape, int(nd));
  return nullptr;
}

// where(cond, a, b, out, nd, dims = [shape, cStrides, aStrides, bStrides])
napi_value Where(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lc, la, lb, lo, ld;
  const float* cond = c.f32(0, &lc);
  const float* a = c.f32(1, &la);
  const float* b = c.f32(2, &lb);
  float* out = c.f32(3, &lo);
  const long nd = c.integer(4);
  const double* dd = c.f64(5, &ld);
  if (c.failed) return nullptr;
  Dims d(dd, ld, nd, 3);
  c.need(d.ok && d.nonneg(0, nd) && d.nonneg(1, nd) && d.nonneg(2, nd), "where: bad shape or strides");
  if (c.failed || d.total == 0) return nullptr;
  c.need(long(lo) >= d.total && d.max_offset(0, nd) < long(lc) && d.max_offset(1, nd) < long(la) &&
             d.max_offset(2, nd) < long(lb),
         "where: an array is too short for the shape");
  if (c.failed) return nullptr;
  where(cond, d.st[0], a, d.st[1], b, d.st[2], out, d.shape, int(nd));
  return nullptr;
}

napi_value Clamp(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx, lo;
  const float* x = c.f32(0, &lx);
  const float lo_v = float(c.num(1)), hi_v = float(c.num(2));
  float* out = c.f32(3, &lo);
  c.need(lo >= lx, "clamp: out is too short");
  if (c.failed) return nullptr;
  clamp(x, lo_v, hi_v, out, long(lx));
  return nullptr;
}

// reduce(op, x, outer, size, inner, out)
napi_value Reduce(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const long op = c.integer(0);
  size_t lx, lo;
  const float* x = c.f32(1, &lx);
  const long outer = c.count(2), size = c.count(3), inner = c.count(4);
  float* out = c.f32(5, &lo);
  c.need(op >= 0 && op <= 2, "reduce: unknown op");
  c.need(outer * size * inner <= long(lx) && outer * inner <= long(lo), "reduce: an array is too short");
  if (c.failed) return nullptr;
  reduce(int(op), x, outer, size, inner, out);
  return nullptr;
}

// sumSquares(x) -> the sum of x[i]^2 over all of x, in double (SimdTable::sum_squares)
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx;
  const float* x = c.f32(0, &lx);
  if (c.failed) return nullptr;
  napi_value out;
  napi_create_double(env, sum_squares(x, long(lx)), &out);
  return out;
}

// argReduce(isMax, x, outer, size, inner, out)
napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const bool is_max = c.flag(0);
  size_t lx, lo;
  const float* x = c.f32(1, &lx);
  const long outer = c.count(2), size = c.count(3), inner = c.count(4);
  int32_t* out = c.i32(5, &lo);
  c.need(outer * size * inner <= long(lx) && outer * inner <= long(lo), "argReduce: an array is too short");
  if (c.failed) return nullptr;
  arg_reduce(is_max, x, outer, size, inner, out);
  return nullptr;
}

// copyStrided(src, offset, nd, dims = [shape, strides], dst)
napi_value CopyStrided(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t ls, ld, lo;
  const uint32_t* src = static_cast<const uint32_t*>(c.array(0, napi_uint32_array, &ls));
  const long offset = c.count(1);
  const long nd = c.integer(2);
  const double* dd = c.f64(3, &ld);
  uint32_t* dst = static_cast<uint32_t*>(c.array(4, napi_uint32_array, &lo));
  if (c.failed) return nullptr;
  Dims d(dd, ld, nd, 1);
  c.need(d.ok, "copyStrided: bad shape");
  if (c.failed || d.total == 0) return nullptr;
  // Negative strides are allowed as long as every read stays inside src.
  long lo_off = offset, hi_off = offset;
  for (long i = 0; i < nd; ++i) {
    const long span = (d.shape[i] - 1) * d.st[0][i];
    if (span < 0) lo_off += span;
    else hi_off += span;
  }
  c.need(lo_off >= 0 && hi_off < long(ls) && d.total <= long(lo), "copyStrided: out of bounds");
  if (c.failed) return nullptr;
  copy_strided(src, offset, d.shape, d.st[0], int(nd), dst);
  return nullptr;
}

// channelSum(x, out, n, c, inner)
napi_value ChannelSum(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx, lo;
  const float* x = c.f32(0, &lx);
  float* out = c.f32(1, &lo);
  const long n = c.count(2), ch = c.count(3), inner = c.count(4);
  c.need(n * ch * inner <= long(lx) && ch <= long(lo), "channelSum: an array is too short");
  if (c.failed) return nullptr;
  channel_sum(x, out, n, ch, inner);
  return nullptr;
}

// softmax(x, rows, cols, out, log)
napi_value Softmax(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx, lo;
  const float* x = c.f32(0, &lx);
  const long rows = c.count(1), cols = c.count(2);
  float* out = c.f32(3, &lo);
  const bool log = c.flag(4);
  c.need(rows * cols <= long(lx) && rows * cols <= long(lo), "softmax: an array is too short");
  if (c.failed) return nullptr;
  softmax(x, rows, cols, out, log);
  return nullptr;
}

// One unsigned compare per index (a negative one reads as 2^31 or more) OR-ed over blocks,
// without an early exit inside a block: it vectorizes, where the exit-on-first loop did not
// (1.2% of a CNN step's samples checking its pooling indices). A size past INT32_MAX caps at
// 2^31, above every non-negative int32.
bool indices_in_range(const int32_t* idx, long n, long size) {
  constexpr long kBlock = 4096;
  const uint32_t limit = size > 0x80000000L ? 0x80000000u : static_cast<uint32_t>(size);
  for (long b = 0; b < n; b += kBlock) {
    const long e = n - b < kBlock ? n : b + kBlock;
    uint32_t bad = 0;
    for (long i = b; i < e; ++i) bad |= static_cast<uint32_t>(idx[i]) >= limit;
    if (bad != 0) return false;
  }
  return true;
}

// indexSelect / indexAdd (x|g, outer, size, inner, idx, out|gx)
template <bool Add>
napi_value IndexSelectOrAdd(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx, li, lo;
  const float* x = c.f32(0, &lx);
  const long outer = c.count(1), size = c.count(2), inner = c.count(3);
  const int32_t* idx = c.i32(4, &li);
  float* out = c.f32(5, &lo);
  if (c.failed) return nullptr;
  const long nidx = long(li);
  const long big = outer * size * inner, small = outer * nidx * inner;
  c.need(Add ? (small <= long(lx) && big <= long(lo)) : (big <= long(lx) && small <= long(lo)),
         Add ? "indexAdd: an array is too short" : "indexSelect: an array is too short");
  c.need(indices_in_range(idx, nidx, size), "index out of range");
  if (c.failed) return nullptr;
  if (Add) index_add(x, outer, size, inner, idx, nidx, out);
  else index_select(x, outer, size, inner, idx, nidx, out);
  return nullptr;
}

// gather / scatterAdd (x|g, outer, size, inner, idx, k, out|gx)
template <bool Add>
napi_value GatherOrScatter(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx, li, lo;
  const float* x = c.f32(0, &lx);
  const long outer = c.count(1), size = c.count(2), inner = c.count(3);
  const int32_t* idx = c.i32(4, &li);
  const long k = c.count(5);
  float* out = c.f32(6, &lo);
  if (c.failed) return nullptr;
  const long big = outer * size * inner, small = outer * k * inner;
  c.need(small <= long(li), "gather: idx is too short");
  c.need(Add ? (small <= long(lx) && big <= long(lo)) : (big <= long(lx) && small <= long(lo)),
         Add ? "scatterAdd: an array is too short" : "gather: an array is too short");
  if (c.failed) return nullptr;
  c.need(indices_in_range(idx, small, size), "index out of range");
  if (c.failed) return nullptr;
  if (Add) scatter_add(x, outer, size, inner, idx, k, out);
  else gather(x, outer, size, inner, idx, k, out);
  return nullptr;
}

// Conv geometry packed as [n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow].
bool read_conv(Call& c, size_t i, ConvGeom& g) {
  size_t len;
  const double* d = c.f64(i, &len);
  if (c.failed || len < 16) return c.need(false, "conv2d: bad geometry"), false;
  auto L = [&](int j) { return static_cast<long>(d[j]); };
  g = ConvGeom{L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), L(13), L(14), L(15)};
  bool ok = g.groups >= 1 && g.c % g.groups == 0 && g.oc % g.groups == 0 && g.sh >= 1 && g.sw >= 1 && g.dh >= 1 &&
            g.dw >= 1 && g.kh >= 1 && g.kw >= 1 && g.n >= 0 && g.c >= 0 && g.oc >= 0 && g.h >= 1 && g.w >= 1 &&
            g.oh >= 0 && g.ow >= 0 && g.ph >= 0 && g.pw >= 0;
  // Every window must start inside the padded input (ops/ computes oh/ow from the same formula).
  ok = ok && (g.oh == 0 || (g.oh - 1) * g.sh + (g.kh - 1) * g.dh < g.h + 2 * g.ph) &&
       (g.ow == 0 || (g.ow - 1) * g.sw + (g.kw - 1) * g.dw < g.w + 2 * g.pw);
  c.need(ok, "conv2d: inconsistent geometry");
  return ok;
}

template <int Which>  // 0 forward, 1 backward input, 2 backward weight
napi_value Conv(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t l0, l1, l2;
  float* p0 = c.f32(0, &l0);
  float* p1 = c.f32(1, &l1);
  float* p2 = c.f32(2, &l2);
  ConvGeom g;
  if (c.failed || !read_conv(c, 3, g)) return nullptr;
  const long xs = g.n * g.c * g.h * g.w, ws = g.oc * (g.c / g.groups) * g.kh * g.kw, ys = g.n * g.oc * g.oh * g.ow;
  // Argument order per kernel: (x, w, out), (gy, w, gx), (x, gy, gw).
  const long need0 = Which == 1 ? ys : xs, need1 = Which == 0 ? ws : Which == 1 ? ws : ys;
  const long need2 = Which == 0 ? ys : Which == 1 ? xs : ws;
  c.need(long(l0) >= need0 && long(l1) >= need1 && long(l2) >= need2, "conv2d: an array is too short");
  if (c.failed) return nullptr;
  const float* bias = nullptr;
  if (Which == 0 && !c.is_null(4)) {
    size_t lb;
    bias = c.f32(4, &lb);
    c.need(long(lb) >= g.oc, "conv2d: bias is shorter than the output channels");
    if (c.failed) return nullptr;
  }
  const bool relu = Which == 0 && !c.is_null(5) && c.flag(5);
  if (c.failed) return nullptr;
  if (Which == 0) conv2d(p0, p1, bias, relu, p2, g);
  else if (Which == 1) conv2d_backward_input(p0, p1, p2, g);
  else conv2d_backward_weight(p0, p1, p2, g);
  return nullptr;
}

// conv2dReluMaxPool2x2(x, w, bias | null, out, idx, convGeom): relu(conv + bias) pooled 2x2/2.
napi_value ConvReluPool(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lx, lw, lo, li;
  const float* x = c.f32(0, &lx);
  const float* w = c.f32(1, &lw);
  float* out = c.f32(3, &lo);
  int32_t* idx = c.i32(4, &li);
  ConvGeom g;
  if (c.failed || !read_conv(c, 5, g)) return nullptr;
  c.need(g.oh >= 2 && g.ow >= 2, "conv2dReluMaxPool2x2: the convolution's output is smaller than one 2x2 window");
  const long xs = g.n * g.c * g.h * g.w, ws = g.oc * (g.c / g.groups) * g.kh * g.kw;
  const long ps = g.n * g.oc * (g.oh / 2) * (g.ow / 2);
  c.need(long(lx) >= xs && long(lw) >= ws && long(lo) >= ps && long(li) >= ps, "conv2dReluMaxPool2x2: an array is too short");
  if (c.failed) return nullptr;
  const float* bias = nullptr;
  if (!c.is_null(2)) {
    size_t lb;
    bias = c.f32(2, &lb);
    c.need(long(lb) >= g.oc, "conv2dReluMaxPool2x2: bias is shorter than the output channels");
    if (c.failed) return nullptr;
  }
  conv2d_relu_maxpool2x2(x, w, bias, out, idx, g);
  return nullptr;
}

// conv2dBackwardFromPooled(gp, idx, act | null, x, w, gx | null, gw | null, gb | null, convGeom) ->
// whether it ran (false: the geometry needs the separate ops; nothing written).
napi_value ConvFromPooled(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lgp, li, la = 0, lx, lw, lgx = 0, lgw = 0, lgb = 0;
  const float* gp = c.f32(0, &lgp);
  const int32_t* idx = c.i32(1, &li);
  const float* act = c.is_null(2) ? nullptr : c.f32(2, &la);
  const float* x = c.f32(3, &lx);
  const float* w = c.f32(4, &lw);
  float* gx = c.is_null(5) ? nullptr : c.f32(5, &lgx);
  float* gw = c.is_null(6) ? nullptr : c.f32(6, &lgw);
  float* gb = c.is_null(7) ? nullptr : c.f32(7, &lgb);
  ConvGeom g;
  if (c.failed || !read_conv(c, 8, g)) return nullptr;
  c.need(g.oh >= 2 && g.ow >= 2, "conv2dBackwardFromPooled: the convolution's output is smaller than one 2x2 window");
  const long xs = g.n * g.c * g.h * g.w, ws = g.oc * (g.c / g.groups) * g.kh * g.kw;
  const long ps = g.n * g.oc * (g.oh / 2) * (g.ow / 2);
  c.need(long(lgp) >= ps && long(li) >= ps && (act == nullptr || long(la) >= ps) && long(lx) >= xs && long(lw) >= ws &&
             (gx == nullptr || long(lgx) >= xs) && (gw == nullptr || long(lgw) >= ws) && (gb == nullptr || long(lgb) >= g.oc),
         "conv2dBackwardFromPooled: an array is too short");
  if (c.failed) return nullptr;
  c.need(indices_in_range(idx, ps, g.oh * g.ow), "conv2dBackwardFromPooled: index out of range");
  if (c.failed) return nullptr;
  napi_value v;
  napi_get_boolean(env, conv2d_backward_from_pooled(gp, idx, act, x, w, gx, gw, gb, g), &v);
  return v;
}

// Pool geometry packed as [n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, countIncludePad].
bool read_pool(Call& c, size_t i, PoolGeom& g) {
  size_t len;
  const double* d = c.f64(i, &len);
  if (c.failed || len < 13) return c.need(false, "pool2d: bad geometry"), false;
  auto L = [&](int j) { return static_cast<long>(d[j]); };
  g = PoolGeom{L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10), L(11), d[12] != 0.0};
  bool ok = g.kh >= 1 && g.kw >= 1 && g.sh >= 1 && g.sw >= 1 && g.ph >= 0 && g.pw >= 0 && g.n >= 0 && g.c >= 0 &&
            g.oh >= 0 && g.ow >= 0 && g.h >= 1 && g.w >= 1;
  c.need(ok, "pool2d: inconsistent geometry");
  return ok;
}

// 0: maxPool2d(x, out, idx, geom); 1: maxPool2dBackward(gy, idx, gx, geom);
// 2: avgPool2d(x, out, geom); 3: avgPool2dBackward(gy, gx, geom)
template <int Which>
napi_value Pool(napi_env env, napi_callback_info info) {
  Call c(env, info);
  PoolGeom g;
  const size_t gi = Which <= 1 ? 3 : 2;
  if (!read_pool(c, gi, g)) return nullptr;
  const long xs = g.n * g.c * g.h * g.w, ys = g.n * g.c * g.oh * g.ow;
  size_t l0, l1, l2 = 0;
  if (Which == 0) {
    const float* x = c.f32(0, &l0);
    float* out = c.f32(1, &l1);
    int32_t* idx = c.i32(2, &l2);
    c.need(long(l0) >= xs && long(l1) >= ys && long(l2) >= ys, "maxPool2d: an array is too short");
    if (!c.failed) max_pool2d(x, out, idx, g);
  } else if (Which == 1) {
    const float* gy = c.f32(0, &l0);
    const int32_t* idx = c.i32(1, &l1);
    float* gx = c.f32(2, &l2);
    c.need(long(l0) >= ys && long(l1) >= ys && long(l2) >= xs, "maxPool2dBackward: an array is too short");
    if (!c.failed) c.need(indices_in_range(idx, ys, g.h * g.w), "maxPool2dBackward: index out of range");
    if (!c.failed) max_pool2d_backward(gy, idx, gx, g);
  } else if (Which == 2) {
    const float* x = c.f32(0, &l0);
    float* out = c.f32(1, &l1);
    c.need(long(l0) >= xs && long(l1) >= ys, "avgPool2d: an array is too short");
    if (!c.failed) avg_pool2d(x, out, g);
  } else {
    const float* gy = c.f32(0, &l0);
    float* gx = c.f32(1, &l1);
    c.need(long(l0) >= ys && long(l1) >= xs, "avgPool2dBackward: an array is too short");
    if (!c.failed) avg_pool2d_backward(gy, gx, g);
  }
  return nullptr;
}

// adamStep(p, grad, m, v, vmax|null, [lr, beta1, beta2, eps, weightDecay, decoupled, bc1, bc2])
napi_value AdamStep(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lp, lg, lm, lv, lx = 0, la;
  float* p = c.f32(0, &lp);
  const float* g = c.f32(1, &lg);
  float* m = c.f32(2, &lm);
  float* v = c.f32(3, &lv);
  float* vmax = c.is_null(4) ? nullptr : c.f32(4, &lx);
  const double* a = c.f64(5, &la);
  if (c.failed) return nullptr;
  c.need(la >= 8, "adamStep: bad arguments");
  c.need(lg >= lp && lm >= lp && lv >= lp && (vmax == nullptr || lx >= lp), "adamStep: an array is too short");
  if (c.failed) return nullptr;
  AdamArgs args{a[0], a[1], a[2], a[3], a[4], a[5] != 0.0, a[6], a[7]};
  adam_step(p, g, m, v, vmax, long(lp), args);
  return nullptr;
}

// sgdStep(p, grad, buf|null, [lr, momentum, dampening, nesterov, weightDecay, firstStep])
napi_value SgdStep(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t lp, lg, lb = 0, la;
  float* p = c.f32(0, &lp);
  const float* g = c.f32(1, &lg);
  float* buf = c.is_null(2) ? nullptr : c.f32(2, &lb);
  const double* a = c.f64(3, &la);
  if (c.failed) return nullptr;
  c.need(la >= 6, "sgdStep: bad arguments");
  c.need(lg >= lp && (buf == nullptr || lb >= lp), "sgdStep: an array is too short");
  c.need(buf != nullptr || a[1] == 0.0, "sgdStep: momentum needs a buffer");
  if (c.failed) return nullptr;
  SgdArgs args{a[0], a[1], a[2], a[4], a[3] != 0.0, a[5] != 0.0};
  sgd_step(p, g, buf, long(lp), args);
  return nullptr;
}

napi_value Noop(napi_env, napi_callback_info) { return nullptr; }

// machine(): the CPU, its caches and the GEMM blocking, as one JSON string.
napi_value Machine(napi_env env, napi_callback_info) {
  const CpuInfo& cpu = cpu_info();
  const Isa isa = cpu_isa();
  const GemmConfig& cfg = gemm_config();
  const GemmBlocking& b = cfg.blocking;
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "{\"vendor\":\"%s\",\"family\":%d,\"model\":%d,\"uarch\":\"%s\",\"l1d\":%ld,\"l2\":%ld,\"l3\":%ld,"
                "\"cacheSource\":\"%s\",\"isa\":\"%s\",\"threads\":%d,\"gemm\":{\"kernel\":\"%s\",\"mr\":%d,"
                "\"nr\":%d,\"mc\":%ld,\"kc\":%ld,\"nc\":%ld,\"order\":\"%s\",\"source\":\"%s\",\"tuning\":\"%s\","
                "\"measured\":\"%s\"",
                cpu.vendor, cpu.family, cpu.model, cpu.uarch, cpu.l1d, cpu.l2, cpu.l3, cpu.cache_source, isa_name(isa),
                num_threads(), gemm_kernel_name(), b.mr, b.nr, b.mc, b.kc, b.nc, gemm_order_name(b.order), b.source,
                cfg.tuning_status.c_str(),
                cfg.measured.c_str());
  // The path may hold any character: it is escaped as a JSON string of its own.
  const std::string json = std::string(buf) + ",\"tuningFile\":" + json_string(cfg.tuning_path) + "}}";
  napi_value s;
  napi_create_string_utf8(env, json.c_str(), json.size(), &s);
  return s;
}

// tuneGemm(seconds, write): measures every register tile, MC and loop order for this CPU, then NC
// for the fastest (gemm_tuning.h), and returns the report as a JSON string; with write, keeps the
// choice for later processes.
napi_value TuneGemm(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const double seconds = c.num(0);
  const bool write = c.flag(1);
  if (c.failed) return nullptr;
  if (!(seconds >= 0.1 && seconds <= 60)) {
    napi_throw_range_error(env, nullptr, "tuneGemm: seconds must be between 0.1 and 60");
    return nullptr;
  }
  const std::string report = tune_gemm(seconds, write);
  napi_value s;
  napi_create_string_utf8(env, report.c_str(), report.size(), &s);
  return s;
}

// peak(kind, isa, threads, seconds): GFLOP/s of the FMA loop (kind 0) or the micro-kernel on
// L1-resident panels (kind 1) as [wall GFLOP/s, per-core GFLOP/s of CPU time]; negative when the instruction set is not available.
napi_value Peak(napi_env env, napi_callback_info info) {
  Call c(env, info);
  const long kind = c.count(0), isa = c.count(1), threads = c.count(2);
  const double seconds = c.num(3);
  if (c.failed) return nullptr;
  if (kind > 1 || isa > 2 || !(seconds > 0 && seconds <= 10)) {
    napi_throw_range_error(env, nullptr, "peak: kind 0|1, isa 0|1|2, 0 < seconds <= 10");
    return nullptr;
  }
  const PeakResult r = peak_gflops(static_cast<PeakKind>(kind), static_cast<Isa>(isa), int(threads), seconds);
  napi_value v, wall, per_core;
  napi_create_array_with_length(env, 2, &v);
  napi_create_double(env, r.wall, &wall);
  napi_create_double(env, r.per_core, &per_core);
  napi_set_element(env, v, 0, wall);
  napi_set_element(env, v, 1, per_core);
  return v;
}

napi_value MallocTuned(napi_env env, napi_callback_info) {
  napi_value v;
  napi_get_boolean(env, tune_malloc(), &v);
  return v;
}

napi_value Init(napi_env env, napi_value exports) {
  tune_malloc();
  gemm_warm_up();
  const napi_property_descriptor props[] = {
      {"describe", nullptr, Describe, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"noop", nullptr, Noop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"machine", nullptr, Machine, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"peak", nullptr, Peak, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tuneGemm", nullptr, TuneGemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"mallocTuned", nullptr, MallocTuned, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binaryScalar", nullptr, BinaryScalar, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"where", nullptr, Where, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"clamp", nullptr, Clamp, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"argReduce", nullptr, ArgReduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"copyStrided", nullptr, CopyStrided, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"channelSum", nullptr, ChannelSum, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"indexSelect", nullptr, IndexSelectOrAdd<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"indexAdd", nullptr, IndexSelectOrAdd<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gather", nullptr, GatherOrScatter<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"scatterAdd", nullptr, GatherOrScatter<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2d", nullptr, Conv<0>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackwardInput", nullptr, Conv<1>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackwardWeight", nullptr, Conv<2>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dReluMaxPool2x2", nullptr, ConvReluPool, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackwardFromPooled", nullptr, ConvFromPooled, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool2d", nullptr, Pool<0>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool2dBackward", nullptr, Pool<1>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPool2d", nullptr, Pool<2>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPool2dBackward", nullptr, Pool<3>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
