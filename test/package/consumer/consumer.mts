// Compiled (not run) by test/package/self-reference.test.ts: the public types as a user sees them.
import { tensor, nn, optim, F, data, Trainer, defineExperiment, type Tensor } from 'tradecraft';

const model: nn.Module = nn.sequential(nn.flatten(), nn.linear(784, 10));
const opt: optim.Optimizer<optim.Hyper> = optim.adam(model.parameters(), { lr: 1e-3 });
const x: Tensor = tensor([[1, 2]]);
const loss: Tensor = F.crossEntropy(model.call(x), tensor([1], { dtype: 'int32' }));
export const exp = defineExperiment({
  name: 'consumer',
  hparams: { lr: 1e-3, epochs: 1, batchSize: 32 },
  data: () => { const d = data.mnist({ limitTrain: 100 }); return { train: d.train, val: d.val, test: d.test }; },
  model: () => nn.sequential(nn.flatten(), nn.linear(784, 10)),
  optimizer: (params, hp) => optim.adam(params, { lr: hp.lr }),
  loss: (o, y) => F.crossEntropy(o, y),
});
export const t = new Trainer({ model, optimizer: opt, loss: (o, y) => F.crossEntropy(o, y) });
export const v: number = loss.item();
