import { test } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { gridStudyWithKill, assertExactlyOnce } from './grid-study.js';

test('exactly once on SQLite: a 40-point grid with 4 worker processes, one SIGKILLed mid-trial', async () => {
  const dir = tempDir('tc-study-sqlite-');
  const { trials, killed } = await gridStudyWithKill(join(dir, 'grid', 'study.db'), 'grid', 4, 150);
  assertExactlyOnce(trials, killed);
});
