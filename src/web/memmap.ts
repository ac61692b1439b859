// The memory map of one machine: every arena (the kernel's, shared by every
// kernel-domain component, and each user-domain server's own) drawn as a strip, each
// region in it a block at its offset, coloured by its owner — from the kernel's memstat
// (abi/sysinfo.ts), sampled every two seconds. A wild write the page fired and watched
// (hosts/browser/watch-fault.ts) lights up the regions whose bytes it changed: the
// faulting component's own in orange, its neighbours' in red, and the bytes it wrote
// as a hatched span over the strip (also where no region is). On a monolithic kernel
// the write runs past its region into the next owner's; in a user-domain server it
// stays inside that server's arena. The same facts stand in a list below the strips.

import type { MemArenaRecord } from '../abi/sysinfo.js';
import type { WildWriteReport } from '../hosts/browser/machine.js';
import { el, formatBytes } from './dom.js';

const OWNER_HUES: Record<string, number> = { console: 45, blk: 200, ext2: 280, vfs: 130, pm: 330, hostfs: 20, kernel: 0 };
const hue = (owner: string): number => OWNER_HUES[owner] ?? ([...owner].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7));

export class MemoryMap {
  readonly root: HTMLElement;
  private readonly strips: HTMLElement;
  private readonly summary: HTMLElement;
  private arenas: MemArenaRecord[] = [];
  private report: WildWriteReport | undefined;

  constructor() {
    this.strips = el('div', { class: 'strips' });
    this.summary = el('p', { class: 'memmap-summary', 'aria-live': 'polite' }, 'No wild write yet: press a "wild-write" button to see what it hits.');
    this.root = el('section', { class: 'memmap', 'aria-label': 'memory map' }, el('h3', {}, 'memory map (arenas and their regions)'), this.strips, this.summary);
  }

  /** The arenas as memstat reports them. */
  update(arenas: MemArenaRecord[]): void {
    this.arenas = arenas;
    this.draw();
  }

  /** A watched wild write: its arenas right after, and what changed. */
  wildWrite(report: WildWriteReport): void {
    this.report = report;
    this.arenas = report.arenas;
    const outside = report.changed.filter((c) => c.owner !== report.component);
    const places = (cs: WildWriteReport['changed']): string => [...new Set(cs.map((c) => `${c.owner} ${c.tag || '-'} (${c.arena} arena)`))].join(', ');
    const bytes = report.written.reduce((n, w) => n + w.to - w.from, 0);
    const where = [...new Set(report.written.map((w) => w.arena))].map((a) => `${a} arena`).join(', ');
    this.summary.textContent = `wild write from ${report.component}: ${formatBytes(bytes)} written${where === '' ? '' : ` in the ${where}`}; ${report.changed.length} region${report.changed.length === 1 ? '' : 's'} changed, ${outside.length} outside ${report.component}`
      + (outside.length > 0 ? ` — hit: ${places(outside)}` : report.changed.length > 0 ? ` — inside its own: ${places(report.changed)}` : '')
      + (report.error !== undefined ? `; the request: ${report.error}` : '');
    this.root.dataset['hits'] = String(outside.length);
    this.root.dataset['changed'] = String(report.changed.length);
    this.draw();
  }

  private draw(): void {
    const hit = new Set((this.report?.changed ?? []).map((c) => `${c.arena}|${c.owner}|${c.tag}|${c.offset}`));
    this.strips.replaceChildren(...this.arenas.map((a) => {
      // The strip spans the used part of the arena (a 32 MiB arena holds a few MB).
      const written = (this.report?.written ?? []).filter((w) => w.arena === a.arena);
      const extent = Math.max(1, ...a.regions.map((r) => r.offset + r.length), ...written.map((w) => w.to));
      const used = a.regions.reduce((n, r) => n + r.length, 0);
      const blocks = a.regions.map((r) => {
        const key = `${a.arena}|${r.owner}|${r.tag}|${r.offset}`;
        const lit = hit.has(key) ? (r.owner === this.report?.component ? 'own' : 'neighbour') : '';
        return el('span', {
          class: `region${lit === '' ? '' : ` hit ${lit}`}`, 'data-owner': r.owner, 'data-hit': lit,
          title: `${r.owner} ${r.tag || '-'} @${r.offset}, ${formatBytes(r.length)}${lit === '' ? '' : lit === 'own' ? ' — changed by the wild write (its own)' : ' — hit by the wild write'}`,
          style: `left:${(100 * r.offset) / extent}%;width:max(2px, ${(100 * r.length) / extent}%);background:hsl(${hue(r.owner)} 55% ${lit === '' ? 75 : 50}%)`,
        });
      });
      return el('div', { class: 'arena', 'data-arena': a.arena },
        el('span', { class: 'arena-name' }, `${a.arena} arena · ${formatBytes(used)} in ${a.regions.length} region${a.regions.length === 1 ? '' : 's'} of ${formatBytes(a.size)}`),
        el('div', { class: 'strip' }, ...blocks, ...written.map((w) => el('span', {
          class: 'written', 'data-from': String(w.from), 'data-to': String(w.to), title: `written by the wild write: bytes ${w.from}–${w.to} (${formatBytes(w.to - w.from)})`,
          style: `left:${(100 * w.from) / extent}%;width:max(2px, ${(100 * (w.to - w.from)) / extent}%)`,
        }))));
    }));
  }
}
