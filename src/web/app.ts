// The browser lab's page: reads the view from the URL and builds it.
//   /?preset=NAME[,NAME...]&place=C=D,...   machines side by side (placeN for the pane N+1)
//   /?view=claims, /?view=claim&id=C3       the claims as experiments (claims.ts; &runs=N&scale=S: a smaller timing run)
//   /?view=report                           a lab run's results.json (report.ts)
// The system (presets, release, initramfs) comes from the static site (scripts/build-web.mjs).

import type { Preset } from '../presets/schema.js';
import { parsePlacement } from '../presets/names.js';
import { Pane } from './pane.js';
import { el, button } from './dom.js';
import { claimsView } from './claims.js';
import { reportView } from './report.js';
import type { TcbRow } from '../lab/tcb.js';

interface SystemInfo { release: string; presets: unknown[]; tcb: TcbRow[] }

/**
 * A preset of the site's system.json. NOTE: scripts/build-web.mjs wrote only presets the
 * schema (presets/schema.ts) accepted; the page checks the shape it relies on, so it
 * does not carry the schema library (zod, half of the page's script) for its own files.
 */
function sitePreset(value: unknown): Preset {
  const p = value as Partial<Preset> | null;
  if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.ipc !== 'string' || typeof p.placement !== 'object' || p.placement === null) {
    throw new Error('system.json: a preset without a name, ipc or placement (rebuild the site: npm run build:web)');
  }
  return p as Preset;
}

const main = document.getElementById('main')!;

function fail(text: string): void {
  main.replaceChildren(el('p', { class: 'error', role: 'alert' }, text));
}

async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return r;
}

function fetchInitramfs(): Promise<Uint8Array> {
  // index.html started the fetch for the machines view before this script ran.
  const scope = globalThis as { kernelkitInitramfs?: Promise<Response> };
  const early = scope.kernelkitInitramfs;
  scope.kernelkitInitramfs = undefined;
  const response = early === undefined ? fetchOk('initramfs.cpio') : early.then((r) => { if (!r.ok) throw new Error(`initramfs.cpio: ${r.status} ${r.statusText}`); return r; });
  return response.then(async (r) => new Uint8Array(await r.arrayBuffer()));
}

async function machines(params: URLSearchParams, system: SystemInfo, initramfsFetch: Promise<Uint8Array>): Promise<void> {
  const presets = new Map<string, Preset>(system.presets.map((p) => { const x = sitePreset(p); return [x.name, x]; }));
  const names = (params.get('preset') ?? 'monolithic,microkernel').split(',').map((s) => s.trim()).filter((s) => s.length > 0).slice(0, 3);
  const unknown = names.find((n) => !presets.has(n));
  if (unknown !== undefined) { fail(`unknown preset '${unknown}' (known: ${[...presets.keys()].join(', ')})`); return; }
  const placeOf = (i: number): string | undefined => params.get(i === 0 ? 'place' : `place${i}`) ?? params.get('place') ?? undefined;
  const initramfs = initramfsFetch.then((bytes) => { performance.mark('kernelkit:initramfs'); return bytes; });
  const onPlace = (index: number, preset: string, place: string): void => {
    const next = new URLSearchParams(params);
    next.set(index === 0 ? 'place' : `place${index}`, place);
    const list = [...names];
    list[index] = preset;
    next.set('preset', list.join(','));
    location.search = next.toString();
  };
  const panes: Pane[] = [];
  for (const [i, name] of names.entries()) {
    const preset = presets.get(name)!;
    let placement;
    try { placement = { ...preset.placement, ...parsePlacement(placeOf(i) ?? '') }; } catch (e) { fail((e as Error).message); return; }
    panes.push(new Pane({ index: i, preset, placement, release: system.release, initramfs, onPlace }));
  }
  const line = el('input', { type: 'text', 'aria-label': 'command line for every machine', value: 'fault blk crash; cat /dev/blk0 | wc -c', size: '40' });
  const all = el('form', { class: 'everywhere' }, line, button('run in every machine', () => { for (const p of panes) p.run(line.value); }));
  all.addEventListener('submit', (e) => { e.preventDefault(); for (const p of panes) p.run(line.value); });
  main.replaceChildren(...(panes.length > 1 ? [all] : []), el('div', { class: `panes n${panes.length}` }, ...panes.map((p) => p.root)));
  await Promise.all(panes.map((p) => p.start()));
}

async function start(): Promise<void> {
  // Marks for the page-load-to-prompt benchmark (scripts/bench-web.mjs): where the time went.
  performance.mark('kernelkit:script');
  if (!crossOriginIsolated) {
    // index.html is installing the service worker that adds the headers; it reloads the page.
    setTimeout(() => fail('This page needs cross-origin isolation (SharedArrayBuffer): serve it with COOP/COEP headers (kernelkit web) or allow its service worker.'), 4000);
    return;
  }
  const params = new URLSearchParams(location.search);
  const view = params.get('view') ?? 'machines';
  // The initramfs (4 MB) is fetched while the rest starts; a view that needs none asks later.
  let initramfs: Promise<Uint8Array> | undefined = view === 'machines' ? fetchInitramfs() : undefined;
  const system = await (await fetchOk('system.json')).json() as SystemInfo;
  if (view === 'machines') { await machines(params, system, initramfs!); return; }
  const presets = new Map<string, Preset>(system.presets.map((p) => { const x = sitePreset(p); return [x.name, x]; }));
  // A smaller timing run than the page's quick one, when the URL asks (&runs=2&scale=0.05).
  const runs = params.get('runs'), scale = params.get('scale');
  if (runs !== null && !(/^\d+$/.test(runs) && Number(runs) >= 1 && Number(runs) <= 20)) { fail(`bad runs '${runs}' (a whole number of boots per cell, 1 to 20)`); return; }
  if (scale !== null && !(Number(scale) > 0 && Number(scale) <= 1)) { fail(`bad scale '${scale}' (kbench's scale, more than 0 and at most 1)`); return; }
  const ctx = {
    presets, release: system.release, initramfs: () => (initramfs ??= fetchInitramfs()), tcb: system.tcb,
    ...(runs !== null ? { runs: Number(runs) } : {}), ...(scale !== null ? { scale: Number(scale) } : {}),
  };
  if (view === 'claims') main.replaceChildren(claimsView(ctx));
  else if (view === 'claim' && /^C\d+$/.test(params.get('id') ?? '')) main.replaceChildren(claimsView(ctx, params.get('id')!));
  else if (view === 'report') main.replaceChildren(reportView());
  else fail(`unknown view '${view}'`);
}

start().catch((e: unknown) => fail(`the lab did not start: ${e instanceof Error ? e.message : String(e)}`));
