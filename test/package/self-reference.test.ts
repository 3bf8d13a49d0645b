import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test("the package imports itself by name: import { tensor, nn, optim, F, data, Trainer, defineExperiment } from 'tradecraft'", () => {
  const code = `
    import { tensor, nn, optim, F, data, Trainer, defineExperiment } from 'tradecraft';
    const m = nn.sequential(nn.linear(2, 2));
    const o = optim.adam(m.parameters());
    const l = F.mseLoss(m.call(tensor([[1, 2]])), tensor([[0, 1]]));
    l.backward(); o.step();
    console.log(typeof Trainer, typeof defineExperiment, typeof data.DataLoader, Number.isFinite(l.item()));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'function function function true');
});

test('the package ships type definitions a consumer compiles against', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/package/consumer/tsconfig.json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
