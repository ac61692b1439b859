// The live architecture view of one machine: each loaded component a box inside its
// domain (kernel / user), the processes above, and the channels between them as
// edges. Boxes come from the kernel's component table (state, restarts); edges from
// the kernel's trace events (abi/trace.ts): one hop event per call a syscall caused,
// with its sizes and round trip. Every edge shows its count, bytes and median latency
// and flashes (sampled) when a call goes along it; the same figures stand in a table
// below, for screen readers and tests. Calls between two components (vfs -> ext2 ->
// blk) are not syscall hops: they are drawn, dashed, from the kernel's own count
// (ComponentTable.peerTraffic): the calls it made or relayed, or the bytes on the
// direct channels it wired. Each box carries the fault buttons, and can be
// dragged into the other domain: the placement editor's action (a reboot into the new
// placement).

import type { ModRecord } from '../abi/sysinfo.js';
import type { TraceEvent } from '../abi/trace.js';
import { FAULT_TYPES, type PeerTraffic } from '../hosts/browser/machine.js';
import { median } from '../lab/stats.js';
import { el, formatBytes, formatUs } from './dom.js';

interface Edge { from: string; to: string; calls: number; bytes: number; us: number[]; flashedAt: number }
/** A component -> component edge as the kernel counts it: calls it made or relayed, or bytes on a direct channel. */
interface Link extends PeerTraffic { grewAt: number; flashedAt: number }

/** The kernel core: where every syscall enters, drawn as a box in the kernel domain. */
const CORE = 'kernel';
/** The drag-and-drop type of a component box being moved between domains. */
const DRAG_TYPE = 'application/x-kernelkit-component';
/** Round trips kept per edge for its median (the most recent). */
const KEEP = 512;

export class Diagram {
  readonly root: HTMLElement;
  private readonly procsRow: HTMLElement;
  private readonly domains: Record<'kernel' | 'user', HTMLElement>;
  private readonly svg: SVGSVGElement;
  private readonly table: HTMLTableSectionElement;
  private readonly boxes = new Map<string, HTMLElement>();
  private readonly edges = new Map<string, Edge>();
  private readonly links = new Map<string, Link>();
  private procs: { pid: number; name: string }[] = [];
  private readonly syscalls = new Map<number, number>();
  private drawQueued = false;

  constructor(private readonly onFault: (component: string, kind: string) => void, private readonly onMove?: (component: string, domain: 'kernel' | 'user') => void) {
    this.procsRow = el('div', { class: 'procs', 'aria-label': 'processes' });
    this.domains = {
      kernel: el('div', { class: 'domain kernel', 'data-domain': 'kernel' }, el('h3', {}, 'kernel domain')),
      user: el('div', { class: 'domain user', 'data-domain': 'user' }, el('h3', {}, 'user domain')),
    };
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg.setAttribute('class', 'edges');
    this.svg.setAttribute('aria-hidden', 'true');
    this.table = el('tbody');
    const table = el('table', { class: 'edge-table' },
      el('caption', {}, 'channels: calls caused by traced syscalls (with their median round trip), then calls and bytes between components as the kernel counts them'),
      el('thead', {}, el('tr', {}, ...['from', 'to', 'calls', 'bytes', 'median'].map((h) => el('th', { scope: 'col' }, h)))),
      this.table);
    this.root = el('div', { class: 'arch', role: 'group', 'aria-label': 'architecture' },
      this.svg, this.procsRow, el('div', { class: 'domains' }, this.domains.kernel, this.domains.user), table);
    this.box(CORE, 'kernel', false).querySelector('.state')!.textContent = 'syscalls, scheduler, supervisor';
    for (const [domain, box] of Object.entries(this.domains) as ['kernel' | 'user', HTMLElement][]) {
      box.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes(DRAG_TYPE) === true) { e.preventDefault(); box.classList.add('drop-target'); } });
      box.addEventListener('dragleave', () => box.classList.remove('drop-target'));
      box.addEventListener('drop', (e) => {
        box.classList.remove('drop-target');
        const name = e.dataTransfer?.getData(DRAG_TYPE);
        if (name === undefined || name === '') return;
        e.preventDefault();
        e.stopPropagation();
        if (this.boxes.get(name)?.dataset['domain'] !== domain) this.onMove?.(name, domain);
      });
    }
    new ResizeObserver(() => this.queueDraw()).observe(this.root);
  }

  /** The component table and the live processes, as the kernel reported them. */
  status(modules: ModRecord[], procs: { pid: number; name: string }[], links: PeerTraffic[] = []): void {
    const now = performance.now();
    for (const l of links) {
      const key = `${l.from}>${l.to}`;
      const old = this.links.get(key);
      const grew = old === undefined || (l.calls ?? 0) > (old.calls ?? 0) || (l.bytes ?? 0) > (old.bytes ?? 0);
      this.links.set(key, { ...l, grewAt: grew ? now : old.grewAt, flashedAt: old?.flashedAt ?? 0 });
    }
    for (const m of modules) {
      const box = this.box(m.name, m.domain === 'kernel' ? 'kernel' : 'user', true);
      box.dataset['state'] = m.state;
      box.dataset['restarts'] = String(m.restarts);
      box.querySelector('.state')!.textContent = m.state;
      box.querySelector('.restarts')!.textContent = `restarts ${m.restarts}`;
    }
    this.procs = procs;
    this.procsRow.replaceChildren(...procs.map((p) => el('span', { class: 'proc', 'data-pid': String(p.pid) },
      `${p.pid} ${p.name}`, el('small', {}, ` ${this.syscalls.get(p.pid) ?? 0} syscalls`))));
    this.queueDraw();
  }

  /** One trace event: a syscall counts on its process, a hop on its edge. */
  trace(e: TraceEvent): void {
    if (e.type === 'syscall') { this.syscalls.set(e.pid, (this.syscalls.get(e.pid) ?? 0) + 1); return; }
    if (e.type !== 'hop') return;
    const key = `${e.from}>${e.to}`;
    let edge = this.edges.get(key);
    if (edge === undefined) { edge = { from: e.from, to: e.to, calls: 0, bytes: 0, us: [], flashedAt: 0 }; this.edges.set(key, edge); }
    edge.calls++;
    edge.bytes += (e.callBytes ?? 0) + (e.replyBytes ?? 0) + e.dataBytes;
    edge.us.push(e.us);
    if (edge.us.length > KEEP) edge.us.splice(0, edge.us.length - KEEP);
    this.queueDraw();
  }

  /** Marks the whole system stopped (panic, halt): boxes keep their last state. */
  stopped(how: string): void {
    for (const b of this.boxes.values()) if (b.dataset['component'] !== CORE) { b.dataset['state'] = how; b.querySelector('.state')!.textContent = how; }
  }

  private box(name: string, domain: 'kernel' | 'user', faults: boolean): HTMLElement {
    let b = this.boxes.get(name);
    if (b !== undefined && b.dataset['domain'] === domain) return b;
    b?.remove();
    b = el('div', { class: 'component', 'data-component': name, 'data-domain': domain },
      el('strong', {}, name), el('span', { class: 'state' }, ''), el('span', { class: 'restarts' }, faults ? 'restarts 0' : ''));
    if (faults && this.onMove !== undefined) {
      b.draggable = true;
      b.title = `drag ${name} into the other domain to move it there (reboots with the new placement)`;
      b.addEventListener('dragstart', (e) => { e.dataTransfer?.setData(DRAG_TYPE, name); if (e.dataTransfer !== null) e.dataTransfer.effectAllowed = 'move'; });
    }
    if (faults) {
      b.append(el('div', { class: 'faults' }, ...FAULT_TYPES.map((kind) => {
        const button = el('button', { type: 'button', 'aria-label': `${kind} ${name}`, title: `arm a ${kind} fault in ${name} for its next request` }, kind);
        button.addEventListener('click', () => this.onFault(name, kind));
        return button;
      })));
    }
    this.domains[domain].append(b);
    this.boxes.set(name, b);
    return b;
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => { this.drawQueued = false; this.draw(); });
  }

  private draw(): void {
    const edges = [...this.edges.values()].sort((a, b) => b.calls - a.calls);
    const links = [...this.links.values()].filter((l) => !this.edges.has(`${l.from}>${l.to}`));
    this.table.replaceChildren(...edges.map((e) => el('tr', { 'data-edge': `${e.from}>${e.to}`, 'data-calls': String(e.calls) },
      el('td', {}, e.from), el('td', {}, e.to), el('td', {}, String(e.calls)), el('td', {}, formatBytes(e.bytes)), el('td', {}, formatUs(median(e.us))))),
    ...links.map((l) => el('tr', { 'data-link': `${l.from}>${l.to}`, ...(l.calls === undefined ? {} : { 'data-link-calls': String(l.calls) }), ...(l.bytes === undefined ? {} : { 'data-link-bytes': String(l.bytes) }) },
      el('td', {}, l.from), el('td', {}, l.to), el('td', {}, l.calls === undefined ? '-' : String(l.calls)), el('td', {}, l.bytes === undefined ? '-' : formatBytes(l.bytes)),
      el('td', {}, l.calls === undefined ? 'direct channel' : 'kernel-made'))));
    const origin = this.root.getBoundingClientRect();
    this.svg.setAttribute('width', String(origin.width));
    this.svg.setAttribute('height', String(origin.height));
    const centre = (name: string): { x: number; y: number } | undefined => {
      const b = this.boxes.get(name) ?? this.boxes.get(CORE);
      if (b === undefined) return undefined;
      const r = b.getBoundingClientRect();
      return { x: r.left - origin.left + r.width / 2, y: r.top - origin.top + r.height / 2 };
    };
    const now = performance.now();
    const parts: string[] = [];
    for (const e of edges) {
      const a = centre(e.from), b = centre(e.to);
      if (a === undefined || b === undefined || (a.x === b.x && a.y === b.y)) continue;
      // Sampled animation: an edge flashes at most every 400 ms while calls go along it.
      const flash = e.calls > 0 && now - e.flashedAt > 400 && e.us.length > 0;
      if (flash) e.flashedAt = now;
      const w = Math.min(6, 1 + Math.log2(1 + e.calls) / 2);
      parts.push(`<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke-width="${w.toFixed(1)}" class="${flash ? 'flash' : ''}"/>`,
        `<text x="${(a.x + b.x) / 2}" y="${(a.y + b.y) / 2 - 4}">${e.calls} · ${formatBytes(e.bytes)} · ${formatUs(median(e.us))}</text>`);
    }
    for (const l of links) {
      const a = centre(l.from), b = centre(l.to);
      if (a === undefined || b === undefined || (a.x === b.x && a.y === b.y)) continue;
      const flash = l.grewAt > l.flashedAt && now - l.flashedAt > 400;
      if (flash) l.flashedAt = now;
      parts.push(`<line class="link${flash ? ' flash' : ''}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke-width="2"/>`,
        `<text x="${(a.x + b.x) / 2}" y="${(a.y + b.y) / 2 + 10}">${l.calls === undefined ? formatBytes(l.bytes ?? 0) : `${l.calls} calls`}</text>`);
    }
    this.svg.innerHTML = parts.join('');
  }
}
