// The front end: reads the boot JSON, draws the navigation from the page registry and shows the
// page the URL hash names (#/<page id>?query). In a static report the page routes run here,
// against the embedded data, instead of on a server.
import { pages } from '../pages/index.js';
import type { PageDef } from '../page.js';
import { StaticStore, type EmbeddedStore } from '../static-store.js';
import { createPageUi, type Mounted } from './ui.js';

interface Boot { mode?: 'live' | 'static'; page?: string; query?: string; store?: EmbeddedStore; title?: string }

const bootElement = document.getElementById('tradecraft-boot');
const boot = JSON.parse(bootElement?.textContent || '{}') as Boot;
const staticStore = boot.mode === 'static' && boot.store ? new StaticStore(boot.store) : null;
const app = document.getElementById('app')!;
let current: Mounted | null = null;

function route(): { page: PageDef; query: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [id, query = ''] = hash.split('?');
  const page = pages.find((p) => p.id === id) ?? pages.find((p) => p.id === boot.page) ?? pages[0];
  return { page, query: new URLSearchParams(page.id === id || !boot.query ? query : boot.query) };
}

function nav(active: string): HTMLElement {
  const bar = document.createElement('nav');
  const brand = document.createElement('span');
  brand.className = 'brand';
  brand.textContent = boot.title ?? 'tradecraft';
  bar.append(brand);
  if (staticStore) return bar;
  for (const p of pages.filter((x) => x.nav)) {
    const a = document.createElement('a');
    a.href = `#/${p.id}`;
    a.textContent = p.title;
    if (p.id === active) a.className = 'active';
    bar.append(a);
  }
  return bar;
}

async function show(): Promise<void> {
  current?.dispose();
  const { page, query } = route();
  const root = document.createElement('main');
  root.dataset.page = page.id;
  app.replaceChildren(nav(page.id), root);
  document.title = `${page.title} · tradecraft`;
  current = createPageUi(page, root, query, staticStore);
  try {
    await page.render(current.ui);
    root.dataset.ready = 'true';
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = (e as Error).message;
    root.append(p);
    root.dataset.ready = 'error';
  }
}

window.addEventListener('hashchange', () => void show());
void show();
