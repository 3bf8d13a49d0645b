import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

/**
 * Real external components (Chromium, PostgreSQL) that some tests start themselves.
 * Without them `npm test` still passes: the test skips with a notice naming the Debian
 * package to install. CI sets TRADECRAFT_REQUIRE_EXTERNAL=1 (it installs both), and then a
 * missing component fails the test instead of skipping it.
 */
export function requireExternal(t: TestContext, what: string, available: boolean, installHint: string): boolean {
  if (available) return true;
  const message = `${what} is not available: ${installHint}`;
  if (process.env.TRADECRAFT_REQUIRE_EXTERNAL === '1') throw new Error(`${message} (TRADECRAFT_REQUIRE_EXTERNAL=1 forbids skipping)`);
  console.log(`# SKIPPED: ${message}`);
  t.skip(message);
  return false;
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/** Chromium flags that keep a headless browser off the (closed) network and out of first-run UI. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);
export const hasPostgres = (): boolean => existsSync(`${POSTGRES_BIN}/initdb`) && existsSync(`${POSTGRES_BIN}/pg_ctl`);
