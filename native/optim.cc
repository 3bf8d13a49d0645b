// The arithmetic runs in double and is rounded to float32 exactly where PyTorch stores a
// float32 tensor (the state buffers, the parameter), the same way as the reference backend,
// so both backends agree to the last bit.
#include "optim.h"

#include <cmath>

#include "threadpool.h"

namespace tc {
namespace {
constexpr long kGrain = 1 << 14;
inline double f32(double x) { return static_cast<double>(static_cast<float>(x)); }
}  // namespace

// torch.optim.Adam / AdamW (single-tensor path):
//   AdamW: p *= 1 - lr*wd;  Adam with wd: g = g + wd*p
//   m = lerp(m, g, 1-b1);  v = b2*v + (1-b2)*g*g;  AMSGrad: vmax = maximum(vmax, v)
//   p -= (lr/bc1) * m / (sqrt(v or vmax) / sqrt(bc2) + eps)
void adam_step(float* p, const float* grad, float* m, float* v, float* vmax, long n, const AdamArgs& a) {
  const double b2 = a.beta2, w1 = 1.0 - a.beta1, w2 = 1.0 - a.beta2, eps = a.eps;
  const double step = a.lr / a.bias_correction1;
  const double inv_bc2_sqrt = 1.0 / std::sqrt(a.bias_correction2);
  const double decay = a.weight_decay != 0.0 && a.decoupled ? f32(1.0 - a.lr * a.weight_decay) : 1.0;
  const double l2 = a.weight_decay != 0.0 && !a.decoupled ? a.weight_decay : 0.0;
  parallel_range(n, kGrain, [&](long b, long e, int) {
    float* __restrict pp = p;
    const float* __restrict gp = grad;
    float* __restrict mp = m;
    float* __restrict vp = v;
    float* __restrict xp = vmax;
    if (xp == nullptr && l2 == 0.0) {
      for (long i = b; i < e; ++i) {
        const double pi = f32(pp[i] * decay);
        const double g = gp[i];
        const double mprev = mp[i];
        const float mi = static_cast<float>(mprev + w1 * (g - mprev));
        mp[i] = mi;
        const float vi = static_cast<float>(b2 * vp[i] + w2 * g * g);
        vp[i] = vi;
        pp[i] = static_cast<float>(pi - step * (mi / (std::sqrt(double(vi)) * inv_bc2_sqrt + eps)));
      }
      return;
    }
    for (long i = b; i < e; ++i) {
      const double pi = f32(pp[i] * decay);
      const double g = l2 == 0.0 ? double(gp[i]) : f32(gp[i] + l2 * pi);
      const double mprev = mp[i];
      const float mi = static_cast<float>(mprev + w1 * (g - mprev));
      mp[i] = mi;
      float vi = static_cast<float>(b2 * vp[i] + w2 * g * g);
      vp[i] = vi;
      if (xp != nullptr) {
        const float old = xp[i];
        if (old > vi || old != old) vi = old;
        xp[i] = vi;
      }
      pp[i] = static_cast<float>(pi - step * (mi / (std::sqrt(double(vi)) * inv_bc2_sqrt + eps)));
    }
  });
}

// torch.optim.SGD (single-tensor path):
//   g = g + wd*p;  buf = first ? g : momentum*buf + (1-dampening)*g
//   g = nesterov ? g + momentum*buf : buf;  p -= lr*g
void sgd_step(float* p, const float* grad, float* buf, long n, const SgdArgs& a) {
  const double lr = a.lr, wd = a.weight_decay, mom = a.momentum, keep = 1.0 - a.dampening;
  const bool first = a.first_step, nesterov = a.nesterov;
  parallel_range(n, kGrain, [&](long b, long e, int) {
    float* __restrict pp = p;
    const float* __restrict gp = grad;
    float* __restrict bp = buf;
    if (bp == nullptr) {
      if (wd != 0.0)
        for (long i = b; i < e; ++i) {
          const double pi = pp[i];
          pp[i] = static_cast<float>(pi - lr * f32(gp[i] + wd * pi));
        }
      else
        for (long i = b; i < e; ++i) pp[i] = static_cast<float>(pp[i] - lr * gp[i]);
      return;
    }
    for (long i = b; i < e; ++i) {
      const double pi = pp[i];
      double g = gp[i];
      if (wd != 0.0) g = f32(g + wd * pi);
      const double bi = first ? g : f32(mom * bp[i] + keep * g);
      bp[i] = static_cast<float>(bi);
      const double d = nesterov ? f32(g + mom * bi) : bi;
      pp[i] = static_cast<float>(pi - lr * d);
    }
  });
}

}  // namespace tc
