/** `autograd`: the tape's public face. */
export { backward, grad, type BackwardOptions, type GradOptions } from './engine.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './grad-mode.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, AnomalyError } from './anomaly.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from './gradcheck.js';
export { setGraphLeakMode, getGraphLeakMode, setGraphLeakSink, GraphLeakError, type GraphLeakMode } from './graph-leak.js';
