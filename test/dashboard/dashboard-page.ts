import type { Page } from 'playwright-core';
import { startDashboard } from '../../src/dashboard/server/http-server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../external.js';

/**
 * Serves `runsDir` with the dashboard, opens one headless Chromium page and hands it to `use`
 * with the server's URL and the page's uncaught errors (collected from the start); the browser
 * and the server are closed however `use` ends. Callers check for Chromium first
 * (requireExternal).
 */
export async function withDashboardPage(
  runsDir: string, viewport: { width: number; height: number } | undefined,
  use: (page: Page, url: string, errors: string[]) => Promise<void>,
): Promise<void> {
  const { chromium } = await import('playwright-core');
  const server = await startDashboard({ runsDir, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage(viewport ? { viewport } : {});
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await use(page, server.url, errors);
  } finally {
    await browser.close();
    await server.close();
  }
}
