import { join } from 'node:path';
import type { StudyStore } from './store.js';
import { SqliteStudyStore } from './store-sqlite.js';
import { PostgresStudyStore } from './store-postgres.js';

/** The default place of a study's SQLite file: `studies/<name>/study.db` under the working directory. */
export function defaultStorage(studyName: string, root = 'studies'): string {
  return join(root, studyName, 'study.db');
}

/**
 * Opens a study store from a storage string: `postgres://user@host:port/db` (or postgresql://)
 * for PostgreSQL; `sqlite:PATH` or a plain file path for SQLite.
 */
export function openStore(storage: string): StudyStore {
  if (/^postgres(ql)?:\/\//i.test(storage)) return new PostgresStudyStore(storage);
  const path = storage.replace(/^sqlite:(\/\/)?/i, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error(`unsupported storage '${storage}': use a file path (SQLite, e.g. studies/s1/study.db) or postgres://user@host:port/database`);
  }
  return new SqliteStudyStore(path);
}
