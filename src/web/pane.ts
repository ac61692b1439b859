// One machine in the page: its terminal (xterm.js, fit addon), its controls (reboot,
// the disk's reset / download / upload; files dropped on the pane into /mnt/upload and
// any guest file out), its architecture view with the fault buttons,
// its placement editor, and — when the kernel panics — the panic screen that takes
// the pane over with a "reboot" button, as a real machine's would.

import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { BrowserMachine, PersistentDisk, UploadShare, UPLOAD_MOUNT, freshImage, checkImage, DEFAULT_DISK_BYTES } from '../hosts/browser/machine.js';
import type { Preset } from '../presets/schema.js';
import { DOMAINS, SANDBOX_BUILDS } from '../presets/names.js';
import { Diagram } from './diagram.js';
import { MemoryMap } from './memmap.js';
import { el, button, download } from './dom.js';

export interface PaneOptions {
  index: number;
  preset: Preset;
  placement: Record<string, 'kernel' | 'user' | 'sandbox' | 'kernel-wasm' | 'user-wasm'>;
  release: string;
  /** Fetched once for every pane, while the panes open their disks. */
  initramfs: Promise<Uint8Array>;
  /** The placement editor asks for a new configuration of this pane. */
  onPlace: (index: number, preset: string, place: string) => void;
}

const enc = new TextEncoder();

export class Pane {
  readonly root: HTMLElement;
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly status: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly diagram: Diagram;
  private readonly memmap = new MemoryMap();
  /** Files dropped on the pane: the guest's /mnt/upload, kept across reboots (not reloads). */
  private readonly share = new UploadShare();
  private readonly filesStatus: HTMLElement;
  private machine: BrowserMachine | undefined;
  private disk: PersistentDisk | undefined;
  private initramfs: Uint8Array | undefined;
  private tail = '';
  private boots = 0;

  constructor(private readonly o: PaneOptions) {
    const name = o.preset.name;
    this.status = el('span', { class: 'status', role: 'status' }, 'booting…');
    const upload = el('input', { type: 'file', hidden: '', 'aria-label': 'disk image to upload' });
    upload.addEventListener('change', () => { const f = upload.files?.[0]; upload.value = ''; if (f !== undefined) void this.upload(f); });
    const controls = el('div', { class: 'controls' },
      button('reboot', () => void this.reboot()),
      button('reset disk', () => void this.resetDisk()),
      button('download image', () => void this.downloadImage()),
      button('upload image', () => upload.click()),
      upload);
    const files = el('input', { type: 'file', hidden: '', multiple: '', 'aria-label': 'files to put in /mnt/upload' });
    files.addEventListener('change', () => { const fs = [...(files.files ?? [])]; files.value = ''; void this.putFiles(fs); });
    const path = el('input', { type: 'text', 'aria-label': 'guest file to download', placeholder: '/root/notes.txt', size: '18' });
    const fetchForm = el('form', { class: 'file-out' }, path, el('button', { type: 'submit' }, 'download file'));
    fetchForm.addEventListener('submit', (e) => { e.preventDefault(); void this.downloadFile(path.value.trim()); });
    this.filesStatus = el('p', { class: 'files-status', 'aria-live': 'polite' });
    const fileControls = el('div', { class: 'files' }, button('upload files', () => files.click()), files, fetchForm, this.filesStatus);
    const termBox = el('div', { class: 'term' });
    this.overlay = el('div', { class: 'panic', role: 'alert', hidden: '' });
    this.diagram = new Diagram((component, kind) => this.fault(component, kind), (component, domain) => this.move(component, domain));
    this.root = el('section', { class: 'pane', 'aria-label': `machine ${o.index + 1}: ${name}`, 'data-preset': name },
      el('header', {}, el('h2', {}, name), this.status, controls),
      el('div', { class: 'screen' }, termBox, this.overlay),
      fileControls,
      this.diagram.root,
      this.memmap.root,
      this.placementEditor());
    // Files dropped anywhere on the pane land in the guest's /mnt/upload.
    this.root.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files') === true) { e.preventDefault(); this.root.classList.add('dropping'); } });
    this.root.addEventListener('dragleave', () => this.root.classList.remove('dropping'));
    this.root.addEventListener('drop', (e) => {
      this.root.classList.remove('dropping');
      const dropped = [...(e.dataTransfer?.files ?? [])];
      if (dropped.length === 0) return;
      e.preventDefault();
      void this.putFiles(dropped);
    });
    this.term = new Terminal({ convertEol: true, cursorBlink: true, fontSize: 14, scrollback: 2000, screenReaderMode: false, theme: { background: '#111318' } });
    this.term.loadAddon(this.fit);
    this.term.onData((data) => this.machine?.type(enc.encode(data)));
    // NOTE: mounted once the pane is in the document (xterm measures its font then).
    queueMicrotask(() => {
      this.term.open(termBox);
      this.fitNow();
      new ResizeObserver(() => this.fitNow()).observe(termBox);
    });
  }

  /** Opens the disk and boots. */
  async start(): Promise<void> {
    [this.disk, this.initramfs] = await Promise.all([PersistentDisk.open(`kernelkit-disk-${this.o.index}.img`), this.o.initramfs]);
    this.disk.onSaved = () => { this.root.dataset['diskSaves'] = String(this.disk!.saves); };
    performance.mark(`kernelkit:disk-${this.o.index}`);
    this.boot();
  }

  /** Types `line` and Enter into the terminal, as the person would. */
  run(line: string): void { this.machine?.type(enc.encode(line + '\r')); }

  private fitNow(): void {
    try { this.fit.fit(); } catch { /* not laid out yet */ }
    this.machine?.resize(this.term.cols, this.term.rows);
  }

  private boot(): void {
    const p = this.o.preset;
    const started = performance.now();
    this.boots++;
    this.tail = '';
    this.overlay.hidden = true;
    this.overlay.replaceChildren();
    this.root.dataset['state'] = 'booting';
    this.status.textContent = 'booting…';
    this.term.reset();
    this.machine = new BrowserMachine({
      preset: p.name,
      placement: this.o.placement,
      grants: { ...(p.devices ?? { console: 'console', blk: 'block', hostfs: 'hostfs' }) },
      ipc: p.ipc,
      initramfs: this.initramfs!,
      release: this.o.release,
      disk: this.disk!,
      share: this.share,
      trace: true,
      onOutput: (bytes) => this.output(bytes, started),
      onStop: (how) => this.stopped(how),
      onStatus: (modules, procs, links) => this.diagram.status(modules, procs, links),
      onTrace: (e) => this.diagram.trace(e),
      onMemstat: (arenas) => this.memmap.update(arenas),
      onWildWrite: (report) => this.memmap.wildWrite(report),
      onLog: (line) => { this.status.textContent = line; },
    });
    this.machine.resize(this.term.cols, this.term.rows);
  }

  private output(bytes: Uint8Array, started: number): void {
    this.term.write(bytes);
    if (this.root.dataset['state'] !== 'booting') return;
    this.tail = (this.tail + new TextDecoder().decode(bytes)).slice(-200);
    if (this.tail.endsWith('$ ') || this.tail.endsWith('# ')) {
      this.root.dataset['state'] = 'running';
      // From navigation start on the first boot (what the person waits for), from the reboot after.
      const ms = this.boots === 1 ? performance.now() : performance.now() - started;
      this.root.dataset['promptMs'] = ms.toFixed(0);
      if (this.boots === 1) performance.mark(`kernelkit:prompt-${this.o.index}`);
      this.status.textContent = `running (prompt after ${(ms / 1000).toFixed(2)} s)`;
    }
  }

  private stopped(how: { status: number; panic?: string }): void {
    this.machine = undefined;
    this.diagram.stopped(how.panic !== undefined ? 'panicked' : 'halted');
    if (how.panic === undefined) {
      this.root.dataset['state'] = 'halted';
      this.status.textContent = `halted (status ${how.status})`;
      this.term.write(`\r\n[system halted, status ${how.status}; press reboot]\r\n`);
      return;
    }
    this.root.dataset['state'] = 'panicked';
    this.status.textContent = 'kernel panic';
    const text = how.panic.startsWith('kernel panic') ? how.panic : `kernel panic: ${how.panic}`;
    this.overlay.replaceChildren(el('pre', {}, text), button('reboot', () => void this.reboot(), { class: 'primary' }));
    this.overlay.hidden = false;
  }

  private fault(component: string, kind: string): void {
    if (this.machine === undefined) return;
    this.machine.fault(component, kind);
  }

  async reboot(): Promise<void> {
    this.machine?.stop();
    await this.disk!.save();
    this.boot();
  }

  private async resetDisk(): Promise<void> {
    this.machine?.stop();
    await this.disk!.replace(await freshImage(DEFAULT_DISK_BYTES));
    this.boot();
  }

  private async downloadImage(): Promise<void> {
    await this.disk!.save();
    download(`kernelkit-${this.o.preset.name}.img`, this.disk!.data.slice());
  }

  private async upload(file: File): Promise<void> {
    const data = new Uint8Array(await file.arrayBuffer());
    const wrong = checkImage(data);
    if (wrong !== undefined) { this.status.textContent = `upload refused: ${file.name}: ${wrong}`; return; }
    this.machine?.stop();
    await this.disk!.replace(data);
    this.boot();
  }

  // Each file is checked (a plain name, room in the share) before it is read, so a
  // huge file is refused at once; the refused ones are named with the reason.
  private async putFiles(files: File[]): Promise<void> {
    const put: string[] = [], refused: string[] = [];
    for (const f of files) {
      const why = this.share.refusal(f.name, f.size);
      if (why !== undefined) { refused.push(`${JSON.stringify(f.name)}: ${why}`); continue; }
      try { this.share.add(f.name, new Uint8Array(await f.arrayBuffer())); put.push(f.name); } catch (e) { refused.push(`${JSON.stringify(f.name)}: ${(e as Error).message}`); }
    }
    this.filesStatus.textContent = [
      ...(put.length > 0 ? [`put in ${UPLOAD_MOUNT}: ${put.join(', ')}`] : []),
      ...(refused.length > 0 ? [`refused ${refused.join('; ')}`] : []),
    ].join('. ');
  }

  private async downloadFile(path: string): Promise<void> {
    if (this.machine === undefined) { this.filesStatus.textContent = 'download refused: the machine is not running'; return; }
    try {
      const data = await this.machine.readFile(path);
      download(path.split('/').filter((p) => p.length > 0).at(-1) ?? 'file', new Uint8Array(data));
      this.filesStatus.textContent = `downloaded ${path} (${data.length} bytes)`;
    } catch (e) { this.filesStatus.textContent = `download refused: ${(e as Error).message}`; }
  }

  /** A box dragged into the other domain: the editor's choice for it, applied (a reboot into the new placement). */
  private move(component: string, domain: 'kernel' | 'user'): void {
    const select = this.root.querySelector<HTMLSelectElement>(`.placement select[data-component="${component}"]`);
    if (select === null) { this.status.textContent = `${component} cannot be moved from the page`; return; }
    select.value = domain;
    this.applyPlacement();
  }

  private applyPlacement(): void {
    const place = [...this.root.querySelectorAll<HTMLSelectElement>('.placement select')].map((s) => `${s.dataset['component']}=${s.value}`).join(',');
    this.o.onPlace(this.o.index, this.o.preset.name, place);
  }

  // The placement editor: a domain per component (or a preset), applied by a reboot
  // into the new configuration; the URL keeps it, so a link reproduces it.
  private placementEditor(): HTMLElement {
    const selects = Object.keys(this.o.placement).filter((c) => ['console', 'blk', 'hostfs', 'ext2', 'vfs', 'pm'].includes(c)).map((c) => {
      const s = el('select', { 'aria-label': `domain of ${c}`, 'data-component': c }, ...DOMAINS.filter((d) => (d !== 'sandbox' && d !== 'kernel-wasm' && d !== 'user-wasm') || SANDBOX_BUILDS.includes(c)).map((d) => el('option', { value: d }, d)));
      s.value = this.o.placement[c]!;
      return el('label', {}, `${c} `, s);
    });
    const apply = button('apply placement and reboot', () => this.applyPlacement());
    return el('details', { class: 'placement' }, el('summary', {}, 'placement'), el('div', {}, ...selects, apply));
  }
}
