import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable } from '../../src/cli/table.js';

test('aligns columns: strings left, numbers right, numeric headers right', () => {
  const out = formatTable([
    ['mnist-mlp', 0.9812, 3],
    ['mnist-cnn-long-name', 0.99, 12],
    ['lr', -1.5, 100],
  ], ['run', 'accuracy', 'epochs']);
  assert.equal(out, [
    'run                  accuracy  epochs',
    '-------------------  --------  ------',
    'mnist-mlp              0.9812       3',
    'mnist-cnn-long-name      0.99      12',
    'lr                       -1.5     100',
  ].join('\n'));
});

test('mixed columns align each cell by its own type; missing cells are blank; no trailing spaces', () => {
  const out = formatTable([
    ['a', 1],
    ['bb', 'n/a'],
    ['c'],
  ], ['name', 'value']);
  assert.equal(out, [
    'name  value',
    '----  -----',
    'a         1',
    'bb    n/a',
    'c',
  ].join('\n'));
});

test('header only, and rows longer than the header are an error', () => {
  assert.equal(formatTable([], ['a', 'bcd']), 'a  bcd\n-  ---');
  assert.throws(() => formatTable([[1, 2, 3]], ['a', 'b']), /row 0 has 3 cells but the header has 2 columns \(a, b\)/);
});

test('newlines in cells do not break the table', () => {
  assert.equal(formatTable([['x\ny']], ['col']), 'col\n---\nx y');
});
