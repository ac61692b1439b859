// The kernel's side of the direct path to net (abi/direct.ts, "the page to net's
// server"): processes call net's server thread for read, write, send and recv of their
// stream sockets (TCP, AF_UNIX) without the kernel thread on the path, when the call
// would not block; net's server refuses anything else and the process traps as before.
// The kernel keeps the authority in a table of its own, shared with net's server only:
//
//   spawn           the process gets a row and a page; net's server is sent the page
//                   and the process's user memory ('direct-process') once it runs (net
//                   loads at the first socket(): the page is made at spawn all the same,
//                   with every hint off, and handed to the server when it comes up)
//   fd installed    a stream socket of the running net instance gets a cell (net's
//                   socket number, the open file's flags: O_NONBLOCK, kept by
//                   OpenFile.flags) and the descriptor names it; anything else names
//                   nothing
//   fd removed      the entry is cleared before the syscall that removed it returns
//   last close      the cell is freed
//   exit            the row is cleared and freed; a call in flight is answered refused
//   net died        every cell and entry is cleared (sockets of the dead instance fail
//                   with EIO on the kernel path, as before), a call in flight is
//                   answered refused; the new server gets the table and every page, and
//                   sockets made from then on are granted again
//   traced          the row says so and net's server reports each call in the table's
//                   trace ring, which the kernel drains with vfs's (kernel.ts poll)
//
// Nothing is served while an eBPF program watches the syscalls (setSlowPath).

import {
  DIRECT_FDS, DIRECT_FILE_WORDS, DIRECT_SLOT_WORDS, FILE_HANDLE, HINT_FILE, SLOT_FD0, SLOT_PID, SLOT_TRACED,
  directTableBytes, directTableViews, type DirectTableViews,
} from '../../abi/direct.js';
import type { OpenFile } from '../fs/file.js';
import { answerRefused, makePage, takeTraceRing, type DirectCall, type DirectServer, type Page } from './direct.js';
import type { Process } from './process.js';

interface Row extends Page { p: Process; slot: number; unwatch: () => void }

/** How the kernel reaches net's server: DirectServer's, plus whether an instance runs now. */
export interface NetLink extends DirectServer { running(): boolean }

export class DirectSockets {
  readonly memory: SharedArrayBuffer;
  private readonly views: DirectTableViews;
  private readonly freeRows: number[] = [];
  private readonly freeCells: number[] = [];
  private readonly rows = new Map<number, Row>();
  private readonly holders = new Map<number, OpenFile>();
  private slowPath = false;
  /** Whether the server was handed the table (it is up). */
  private up = false;

  constructor(private readonly server: NetLink, private readonly processes: number, private readonly cells: number) {
    this.memory = new SharedArrayBuffer(directTableBytes(processes, cells));
    this.views = directTableViews(this.memory, processes, cells);
    for (let i = processes - 1; i >= 0; i--) this.freeRows.push(i);
    for (let i = cells - 1; i >= 0; i--) this.freeCells.push(i);
  }

  /** Gives `p` a row and a page to net; undefined when no row is free (the kernel path only). */
  attach(p: Process): { page: SharedArrayBuffer; serverBell: SharedArrayBuffer } | undefined {
    const slot = this.freeRows.pop();
    if (slot === undefined) return undefined;
    const row: Row = { ...makePage(), p, slot, unwatch: () => {} };
    this.rows.set(p.pid, row);
    const s = this.views.slots, base = slot * DIRECT_SLOT_WORDS;
    s.fill(0, base, base + DIRECT_SLOT_WORDS);
    Atomics.store(s, base + SLOT_PID, p.pid);
    Atomics.store(s, base + SLOT_TRACED, p.trace !== undefined ? 1 : 0);
    for (const [fd, e] of p.fds.list()) this.fdChanged(row, fd, e.file);
    row.unwatch = p.fds.watch((fd, file) => this.fdChanged(row, fd, file));
    if (this.up) this.server.post({ type: 'direct-process', slot, pid: p.pid, page: row.page, memory: p.userMemory });
    return { page: row.page, serverBell: this.server.bell };
  }

  /** The process is gone: its entries are revoked, its row freed. */
  detach(p: Process): void {
    const row = this.rows.get(p.pid);
    if (row === undefined) return;
    this.rows.delete(p.pid);
    row.unwatch();
    row.hints.fill(0);
    this.views.slots.fill(0, row.slot * DIRECT_SLOT_WORDS, (row.slot + 1) * DIRECT_SLOT_WORDS);
    answerRefused(row);
    // net is not told: its server serves nothing on a page whose pid the row no longer
    // holds, and the row's next process's page replaces this one.
    this.freeRows.push(row.slot);
  }

  // Descriptor `fd` of the row's process now names `file` (undefined: nothing). Synchronous: revocation is immediate.
  private fdChanged(row: Row, fd: number, file: OpenFile | undefined): void {
    if (fd < 0 || fd >= DIRECT_FDS) return;
    const cell = file === undefined ? -1 : this.cellOf(file);
    // The hint goes first when revoking, last when granting: it is only a hint, the table decides.
    if (cell < 0) row.hints[fd] = 0;
    Atomics.store(this.views.slots, row.slot * DIRECT_SLOT_WORDS + SLOT_FD0 + fd, cell + 1);
    if (cell >= 0) row.hints[fd] = HINT_FILE;
  }

  /** The cell of a stream socket of the running net instance, made on first use; -1 when it is not served directly. */
  private cellOf(file: OpenFile): number {
    if (file.kind !== 'socket' || file.target.stream !== true || file.target.socket === undefined) return -1;
    if (this.slowPath || !this.up || file.generation !== this.server.generation()) return -1;
    if (file.cell !== undefined) return file.cellSlot;
    const cell = this.freeCells.pop();
    if (cell === undefined) return -1;
    const at = cell * DIRECT_FILE_WORDS;
    this.views.files[at + FILE_HANDLE] = file.target.socket;
    // Marks the cell live last (1, or FILE_SOLE while one descriptor names the socket); flags follow OpenFile.flags.
    file.attachCell(this.views.files.subarray(at, at + DIRECT_FILE_WORDS), cell);
    this.holders.set(cell, file);
    return cell;
  }

  /** The last descriptor of `file` closed: its cell goes. */
  release(file: OpenFile): void {
    if (file.kind !== 'socket' || file.cell === undefined) return;
    const cell = file.cellSlot;
    file.detachCell();
    this.views.files.fill(0, cell * DIRECT_FILE_WORDS, (cell + 1) * DIRECT_FILE_WORDS);
    this.holders.delete(cell);
    this.freeCells.push(cell);
  }

  /** Tracing started or stopped for `p`: net's server reports its calls while it is traced. */
  traced(p: Process): void {
    const row = this.rows.get(p.pid);
    if (row !== undefined) Atomics.store(this.views.slots, row.slot * DIRECT_SLOT_WORDS + SLOT_TRACED, p.trace !== undefined ? 1 : 0);
  }

  /** While `on`, nothing is served directly (eBPF on the syscall tracepoints must see every call). */
  setSlowPath(on: boolean): void {
    if (on === this.slowPath) return;
    this.slowPath = on;
    if (on) this.revokeAll(); else this.grantAll();
  }

  /** Takes the traced calls net's server reported since the last time, oldest first. */
  takeTraced(): DirectCall[] | undefined { return takeTraceRing(this.views, 'net'); }

  /** net's server died: nothing of the old instance is served any more; a call in flight is refused. */
  serverDown(): void {
    this.up = false;
    this.revokeAll();
    for (const row of this.rows.values()) answerRefused(row);
  }

  /** A (new) net server is ready: it gets the table and every page; sockets of this instance are granted from now on. */
  serverUp(): void {
    if (!this.server.running()) return;
    this.up = true;
    this.server.post({ type: 'direct-table', memory: this.memory, processes: this.processes, files: this.cells, generation: this.server.generation() });
    for (const row of this.rows.values()) this.server.post({ type: 'direct-process', slot: row.slot, pid: row.p.pid, page: row.page, memory: row.p.userMemory });
    this.grantAll();
  }

  private revokeAll(): void {
    for (const row of this.rows.values()) {
      row.hints.fill(0);
      this.views.slots.fill(0, row.slot * DIRECT_SLOT_WORDS + SLOT_FD0, row.slot * DIRECT_SLOT_WORDS + SLOT_FD0 + DIRECT_FDS);
    }
    for (const file of [...this.holders.values()]) this.release(file);
  }

  private grantAll(): void {
    for (const row of this.rows.values()) for (const [fd, e] of row.p.fds.list()) this.fdChanged(row, fd, e.file);
  }

  /** Processes and sockets served directly now (leak checks). */
  get counts(): { processes: number; sockets: number } { return { processes: this.rows.size, sockets: this.holders.size }; }
}
