/** Whether ops record the graph. Mirrors torch.no_grad / torch.enable_grad. */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn without recording a graph (evaluation, optimizer updates). Restores the mode even on throw. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs fn with graph recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

export function setGradEnabled(on: boolean): void {
  enabled = on;
}
