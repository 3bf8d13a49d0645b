// PNG through a headless Chromium (the SVG rendered and screenshotted) when playwright-core and
// a Chromium are installed; otherwise a clear message and the SVG route.
import { existsSync } from 'node:fs';

export const CHROMIUM_HINT = 'PNG output needs Chromium (apt-get install chromium, or set CHROMIUM_PATH) and the playwright-core package; write an .svg instead, which needs neither';

export async function svgToPng(svg: string, width: number, height: number): Promise<Buffer> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`${CHROMIUM_HINT} (no browser at ${path})`);
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error(`${CHROMIUM_HINT} (playwright-core is not installed)`);
  }
  const browser = await chromium.launch({ executablePath: path, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 2 });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    return await page.locator('svg').screenshot({ type: 'png' });
  } finally {
    await browser.close();
  }
}
