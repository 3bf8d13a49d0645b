// Fused, in-place optimizer updates of one parameter tensor (PyTorch 1.13 single-tensor
// formulas, in float32 like its CPU kernels).
#pragma once

namespace tc {

struct AdamArgs {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;
  double bias_correction1, bias_correction2;
};

struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, first_step;
};

// vmax non-null means AMSGrad.
void adam_step(float* p, const float* grad, float* m, float* v, float* vmax, long n, const AdamArgs& a);
// buf may be null only when momentum == 0.
void sgd_step(float* p, const float* grad, float* buf, long n, const SgdArgs& a);

}  // namespace tc
