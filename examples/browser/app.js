// The browser example: train an MLP on an MNIST subset with the wasm backend, draw the batch
// loss as it goes, report test accuracy with its 95% Wilson interval, export the weights as
// safetensors. Everything comes from the browser bundle (npm run build:browser).
import {
  nn, optim, F, Tensor, TensorDataset, DataLoader, manualSeed, noGrad, setBackend, loadWasmBackend,
  wasmAvailable, backend, stats, encodeStateDict,
} from '/dist/tradecraft.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// What the test (and a curious user) reads: state, numbers, and the trained model.
const state = (window.tradecraftExample = { state: 'loading', losses: [], testAccuracy: null, interval: null, model: null });

async function loadSubset() {
  const res = await fetch('/dist/mnist-subset.bin');
  if (!res.ok) throw new Error(`cannot load /dist/mnist-subset.bin (${res.status}); run npm run build:browser`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const nTrain = view.getUint32(0, true), nTest = view.getUint32(4, true);
  let at = 8;
  const take = (n) => { const s = bytes.subarray(at, at + n); at += n; return s; };
  // MNIST's usual normalization (mean 0.1307, sd 0.3081 of the training pixels), by table: a
  // plain loop over 23 million bytes, not a callback per pixel.
  const lut = Float32Array.from({ length: 256 }, (_, v) => (v / 255 - 0.1307) / 0.3081);
  const images = (u8, n) => {
    const out = new Float32Array(u8.length);
    for (let i = 0; i < u8.length; i++) out[i] = lut[u8[i]];
    return new Tensor(out, [n, 784]);
  };
  const labels = (u8, n) => new Tensor(Int32Array.from(u8), [n], 'int32');
  const trainX = images(take(nTrain * 784), nTrain), trainY = labels(take(nTrain), nTrain);
  const testX = images(take(nTest * 784), nTest), testY = labels(take(nTest), nTest);
  return { train: new TensorDataset(trainX, trainY, 'train'), test: new TensorDataset(testX, testY, 'test') };
}

function drawLoss(losses) {
  const c = $('loss'), g = c.getContext('2d');
  const w = c.width, h = c.height, pad = 60;
  g.clearRect(0, 0, w, h);
  g.font = '24px system-ui'; g.fillStyle = '#444'; g.strokeStyle = '#ccc'; g.lineWidth = 2;
  const max = Math.max(...losses.slice(0, 5), 0.5);
  g.strokeRect(pad, 10, w - pad - 10, h - pad - 10);
  g.fillText(max.toFixed(2), 4, 30); g.fillText('0', 30, h - pad); g.fillText(`batch loss over ${losses.length} steps`, pad + 10, h - 15);
  if (losses.length < 2) return;
  // A running mean over 20 steps draws the trend; the raw curve stays faint behind it.
  const x = (i) => pad + (i / (losses.length - 1)) * (w - pad - 10);
  const y = (v) => 10 + (1 - Math.min(v, max) / max) * (h - pad - 20);
  const line = (vals, style) => { g.strokeStyle = style; g.beginPath(); vals.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v)))); g.stroke(); };
  line(losses, 'rgba(31,119,180,0.25)');
  let s = 0; line(losses.map((v, i) => { s += v - (i >= 20 ? losses[i - 20] : 0); return s / Math.min(i + 1, 20); }), '#1f77b4');
}

const pause = () => new Promise((r) => setTimeout(r, 0));

async function train() {
  $('start').disabled = true; $('download').disabled = true;
  state.state = 'training'; state.losses = []; state.testAccuracy = null;
  const nTrain = Number($('train').value), epochs = Number($('epochs').value);
  manualSeed(0);
  const data = await state.data;
  const trainSet = nTrain < data.train.length ? data.train.subset(Array.from({ length: nTrain }, (_, i) => i)) : data.train;
  const model = nn.sequential(nn.linear(784, 128), nn.relu(), nn.linear(128, 10));
  const opt = optim.adam(model.parameters(), { lr: 2e-3 });
  const loader = new DataLoader(trainSet, { batchSize: 64, shuffle: true, seed: 0 });
  // Cosine decay of the lr to 0 over the run, stepped per batch, as the built-in MNIST experiments.
  const schedule = new optim.LRScheduler(opt, optim.cosineSchedule(epochs * loader.length));
  const t0 = performance.now();
  let seen = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    loader.setEpoch(epoch);
    let b = 0;
    for (const { x, y } of loader) {
      const loss = F.crossEntropy(model.call(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      schedule.step();
      state.losses.push(loss.item());
      seen += y.shape[0];
      if (++b % 20 === 0) {
        drawLoss(state.losses);
        $('status').textContent = `epoch ${epoch}/${epochs}, batch ${b}/${loader.length}, loss ${loss.item().toFixed(4)}, ${Math.round(seen / ((performance.now() - t0) / 1000))} samples/s on ${backend().name}`;
        await pause();
      }
    }
  }
  drawLoss(state.losses);
  const seconds = (performance.now() - t0) / 1000;
  // The test set, once: accuracy and its 95% Wilson interval.
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of new DataLoader(data.test, { batchSize: 500 })) {
      const out = model.call(x).f32;
      for (let i = 0; i < y.shape[0]; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (out[i * 10 + k] > out[i * 10 + best]) best = k;
        if (best === y.data[i]) correct++;
      }
    }
  });
  const n = data.test.length;
  const ci = stats.wilsonInterval(correct, n, 0.95);
  Object.assign(state, { state: 'done', testAccuracy: correct / n, interval: [ci.lo, ci.hi], seconds, model, trainImages: trainSet.length, epochs });
  $('status').textContent = `trained on ${trainSet.length} images for ${epochs} epochs in ${seconds.toFixed(1)} s (${Math.round(seen / seconds)} samples/s, ${backend().name} backend)`;
  $('result').textContent = `test accuracy ${(100 * correct / n).toFixed(2)}% (95% Wilson CI ${(100 * ci.lo).toFixed(2)}–${(100 * ci.hi).toFixed(2)}%, n=${n})`;
  $('start').disabled = false; $('download').disabled = false;
}

function download() {
  const bytes = encodeStateDict(state.model.stateDict(), { framework: 'tradecraft', source: 'examples/browser' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  a.download = 'mnist-mlp.safetensors';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

try {
  if (!wasmAvailable()) throw new Error('this browser lacks WebAssembly SIMD; the example needs the wasm backend');
  setBackend(loadWasmBackend());
  for (const k of ['train', 'epochs']) if (params.has(k)) $(k).value = params.get(k);
  state.data = loadSubset();
  const d = await state.data;
  state.state = 'ready';
  $('status').textContent = `ready: ${d.train.length} training and ${d.test.length} test images, ${backend().describe()}`;
  $('start').onclick = () => train().catch(fail);
  $('download').onclick = download;
  if (params.has('autostart')) await train();
} catch (e) {
  fail(e);
}

function fail(e) {
  state.state = 'error'; state.error = String(e?.message ?? e);
  $('status').textContent = `error: ${state.error}`;
}
