/**
 * The study tables, written once for both databases. The only dialect differences are the
 * auto-increment key, the float type and the "now in ms" expression, passed in by each store.
 *
 * A partial unique index makes "no grid/Sobol point used twice" a property the database
 * enforces, not only the code: among trials that are not failed, a sequence index appears once
 * (a failed trial's point may be re-run by its retry).
 */
export function schemaStatements(d: { serial: string; float: string; bigint: string }): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS studies (
      id ${d.serial} PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      direction TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
      space TEXT NOT NULL,
      sampler TEXT NOT NULL,
      pruner TEXT NOT NULL,
      settings TEXT NOT NULL,
      created_at ${d.bigint} NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS trials (
      id ${d.serial} PRIMARY KEY,
      study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
      number INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed', 'waiting')),
      params TEXT,
      value ${d.float},
      sequence_index INTEGER,
      worker TEXT,
      started_at ${d.bigint},
      finished_at ${d.bigint},
      heartbeat_at ${d.bigint},
      retry_of INTEGER,
      retries INTEGER NOT NULL DEFAULT 0,
      requeued INTEGER NOT NULL DEFAULT 0,
      error TEXT,
      attrs TEXT,
      UNIQUE (study_id, number)
    )`,
    `CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS trials_point_once ON trials (study_id, sequence_index)
      WHERE sequence_index IS NOT NULL AND state <> 'failed'`,
    `CREATE TABLE IF NOT EXISTS intermediate (
      trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      value ${d.float} NOT NULL,
      PRIMARY KEY (trial_id, step)
    )`,
    `CREATE TABLE IF NOT EXISTS sequence_claims (
      study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      worker TEXT NOT NULL,
      claimed_at ${d.bigint} NOT NULL,
      trial_id INTEGER,
      PRIMARY KEY (study_id, idx)
    )`,
  ];
}

export function checkSchemaVersion(found: string | undefined, current: number, where: string): void {
  if (found === undefined) return;
  const v = Number(found);
  if (v > current) {
    throw new Error(`${where} was written by a newer tradecraft (study schema v${v}; this one reads up to v${current}); upgrade tradecraft to open it`);
  }
}
