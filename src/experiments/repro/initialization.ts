import * as nn from '../../nn/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { manualSeed, Generator } from '../../tensor/random.js';
import { xavierNormal_, kaimingNormal_, zeros_ } from '../../nn/init.js';
import { lineChartSvg } from './svg-chart.js';
import type { ReproResult } from './types.js';

/**
 * Glorot & Bengio 2010 and He et al. 2015: how the variance of activations and of gradients
 * evolves with depth in a deep MLP, for sigmoid/tanh/ReLU under Glorot (xavier normal), He
 * (kaiming normal, fan_in) and PyTorch's default initialization, plain, with batch
 * normalization before each activation, and with residual connections. One forward and
 * backward pass on a Gaussian batch; no training.
 */
export interface InitializationOptions {
  depth?: number; width?: number; batch?: number; seed?: number;
  /** Only the four profiles the claim rests on (ReLU plain x 3 inits, PyTorch default + batch norm), for quick checks. */
  claimOnly?: boolean;
}

type Act = 'sigmoid' | 'tanh' | 'relu';
type Init = 'glorot' | 'he' | 'pytorch';
type Arch = 'plain' | 'batchnorm' | 'residual';

/** actVar and gradVar (of the loss w.r.t. each layer's output) per layer; weightGradVar per Linear. */
interface Profile { act: Act; init: Init; arch: Arch; actVar: number[]; gradVar: number[]; weightGradVar: number[] }

const actModule = (a: Act): nn.Module => (a === 'relu' ? nn.relu() : a === 'tanh' ? nn.tanh() : nn.sigmoid());

function profile(act: Act, init: Init, arch: Arch, o: Required<InitializationOptions>): Profile {
  manualSeed(o.seed);
  const blocks: nn.Module[] = [];
  const linears: nn.Linear[] = [];
  for (let l = 0; l < o.depth; l++) {
    const lin = nn.linear(o.width, o.width);
    if (init === 'glorot') { xavierNormal_(lin.weight, 1); zeros_(lin.bias!); }
    if (init === 'he') { kaimingNormal_(lin.weight, { nonlinearity: 'relu' }); zeros_(lin.bias!); }
    linears.push(lin);
    const body = arch === 'batchnorm' ? nn.sequential(lin, nn.batchNorm1d(o.width), actModule(act)) : nn.sequential(lin, actModule(act));
    blocks.push(arch === 'residual' ? nn.residual(body) : body);
  }
  const g = new Generator(o.seed + 1);
  const x = new Tensor(Float32Array.from({ length: o.batch * o.width }, () => g.normal()), [o.batch, o.width]);
  const outs: Tensor[] = [];
  let h = x;
  for (const b of blocks) { h = b.call(h); h.retainGrad(); outs.push(h); }
  // A loss whose gradient at the output is a fixed Gaussian direction, as from a random linear readout.
  const dir = new Tensor(Float32Array.from({ length: h.size }, () => g.normal()), [...h.shape]);
  h.mul(dir).sum().backward();
  return { act, init, arch, actVar: outs.map((t) => variance(t.data)), gradVar: outs.map((t) => variance(t.grad!.data)), weightGradVar: linears.map((l) => variance(l.weight.grad!.data)) };
}

function variance(a: ArrayLike<number>): number {
  let m = 0; for (let i = 0; i < a.length; i++) m += a[i]; m /= a.length;
  let v = 0; for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
  return v / a.length;
}

export function runInitialization(opts: InitializationOptions = {}): ReproResult {
  const o: Required<InitializationOptions> = { depth: opts.depth ?? 30, width: opts.width ?? 256, batch: opts.batch ?? 256, seed: opts.seed ?? 0, claimOnly: opts.claimOnly ?? false };
  const profiles: Profile[] = [];
  const needed = (act: Act, init: Init, arch: Arch) => act === 'relu' && (arch === 'plain' || (arch === 'batchnorm' && init === 'pytorch'));
  for (const arch of ['plain', 'batchnorm', 'residual'] as Arch[]) {
    for (const act of ['sigmoid', 'tanh', 'relu'] as Act[]) for (const init of ['glorot', 'he', 'pytorch'] as Init[]) if (!o.claimOnly || needed(act, init, arch)) profiles.push(profile(act, init, arch, o));
  }
  const find = (act: Act, init: Init, arch: Arch) => profiles.find((p) => p.act === act && p.init === init && p.arch === arch)!;
  const ratio = (v: number[]) => v[v.length - 1] / v[0];
  const heRelu = ratio(find('relu', 'he', 'plain').actVar), glorotRelu = ratio(find('relu', 'glorot', 'plain').actVar), torchRelu = ratio(find('relu', 'pytorch', 'plain').actVar);
  const bnTorchRelu = ratio(find('relu', 'pytorch', 'batchnorm').actVar);
  const gradHe = ratio(find('relu', 'he', 'plain').gradVar.slice().reverse()), gradGlorot = ratio(find('relu', 'glorot', 'plain').gradVar.slice().reverse());
  const within = (r: number, f: number) => r > 1 / f && r < f;
  const held = within(heRelu, 4) && glorotRelu < 0.01 && torchRelu < 0.1 && within(bnTorchRelu, 4) && within(gradHe, 10) && gradGlorot < 0.01;
  const e = (v: number) => v.toExponential(2);
  return {
    name: 'initialization',
    claim: `in a ${o.depth}-layer ReLU MLP, He initialization keeps the activation variance within 4x from the first to the last layer and the variance of the gradient at each layer's output within 10x, while Glorot shrinks the activations over 100x and PyTorch's default over 10x (and Glorot the backpropagated gradients over 100x); batch normalization restores PyTorch's default to within 4x`,
    held,
    evidence: [
      `ReLU activation variance, last / first layer: He ${e(heRelu)}, Glorot ${e(glorotRelu)}, PyTorch default ${e(torchRelu)}, PyTorch default + batch norm ${e(bnTorchRelu)}`,
      `ReLU variance of the gradient at layer outputs, first / last layer: He ${e(gradHe)}, Glorot ${e(gradGlorot)}`,
    ],
    table: ['arch       activation  init     act var L1  act var L${depth}  grad var L1  grad var L${depth}'.replace(/\$\{depth\}/g, String(o.depth)),
      ...profiles.map((p) => `${p.arch.padEnd(9)}  ${p.act.padEnd(10)}  ${p.init.padEnd(7)}  ${e(p.actVar[0]).padStart(10)}  ${e(p.actVar[o.depth - 1]).padStart(11)}  ${e(p.gradVar[0]).padStart(11)}  ${e(p.gradVar[o.depth - 1]).padStart(12)}`)],
    plots: Object.fromEntries((['plain', 'batchnorm', 'residual'] as Arch[]).filter((a) => profiles.some((p) => p.arch === a)).flatMap((arch) => (['activation', 'gradient'] as const).map((what) => [
      `${what}-variance-${arch}.svg`,
      lineChartSvg({
        title: `${what} variance by depth (${arch}, width ${o.width})`, xLabel: 'layer', yLabel: `${what === 'activation' ? 'activation' : 'output-gradient'} variance`, logY: true,
        series: profiles.filter((p) => p.arch === arch).map((p) => ({ name: `${p.act} ${p.init}`, dashed: p.init !== 'he', points: (what === 'activation' ? p.actVar : p.gradVar).map((v, i) => ({ x: i + 1, y: Math.max(v, 1e-30) })) })),
      }),
    ]))),
    data: { options: o, profiles },
  };
}
