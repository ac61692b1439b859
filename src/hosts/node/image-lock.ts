// One machine per disk image. ext2 keeps its state in the machine's memory, so two
// machines writing one image at once corrupt it (each allocates blocks the other
// thinks are free). Node has no flock(2), so the lock is a file beside the image,
// created with O_EXCL and holding the owner's pid and that process's start time:
//
//   IMAGE.lock   "PID START\n"   (START: the process start time from /proc, or '-')
//
// A lock whose pid is dead (or alive but started at another time: the pid was reused)
// is stale: the machine that killed -9 left it, and the next machine takes it over.
// A lock is released when the machine finishes (halt or panic), and by handlers for
// process exit and SIGINT/SIGTERM/SIGHUP while any lock is held.

import fs from 'node:fs';
import path from 'node:path';

/** The image is in use by another machine; the message says which. */
export class ImageInUseError extends Error {
  constructor(readonly image: string, readonly pid: number) {
    super(`${image} is in use by another machine (pid ${pid}); stop that machine first, or remove ${lockPathOf(image)} if it is not running`);
    this.name = 'ImageInUseError';
  }
}

export function lockPathOf(image: string): string {
  let real = image;
  try { real = fs.realpathSync(image); } catch { /* a missing image fails later, when it is opened */ }
  return `${real}.lock`;
}

// /proc/PID/stat field 22 is the start time in clock ticks since boot: with the pid it
// names one process for the life of the host.
function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '-';
  } catch {
    return '-';
  }
}

function alive(pid: number, start: string): boolean {
  try { process.kill(pid, 0); } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return start === '-' || startTime(pid) === '-' || startTime(pid) === start;
}

function readOwner(file: string): { pid: number; start: string; text: string } | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return undefined; }
  const m = /^(\d+) (\S+)\n?$/.exec(text);
  // A lock file being written this instant is empty: treat it as held (pid 0 = unknown).
  return { pid: m ? Number(m[1]) : 0, start: m ? m[2]! : '-', text };
}

const held = new Set<string>();
let handlersInstalled = false;

function releaseAll(): void {
  for (const file of held) { try { fs.unlinkSync(file); } catch { /* already gone */ } }
  held.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', releaseAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      releaseAll();
      // Then die of the signal as if we had not caught it (unless someone else handles it).
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** A held lock on a disk image. */
export class ImageLock {
  private released = false;
  private constructor(readonly image: string, readonly file: string) {}

  /** Takes the lock on `image`, or throws ImageInUseError naming the machine that holds it. */
  static acquire(image: string): ImageLock {
    const file = lockPathOf(image);
    const me = `${process.pid} ${startTime(process.pid)}\n`;
    // Before the file exists: a signal that came between its creation and the handlers
    // would end the process the default way and leave the lock behind. With a handler,
    // Node runs it from the event loop, after this synchronous function has recorded it.
    installHandlers();
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o644);
        try { fs.writeSync(fd, me); } finally { fs.closeSync(fd); }
        held.add(file);
        return new ImageLock(image, file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
          // No lock can be made beside this image (a read-only directory): honour one
          // that is there, and go on unlocked otherwise.
          const owner = readOwner(file);
          if (owner !== undefined && (owner.pid === 0 || alive(owner.pid, owner.start))) throw new ImageInUseError(image, owner.pid);
          const unheld = new ImageLock(image, file);
          unheld.released = true;
          return unheld;
        }
        if (code !== 'EEXIST') throw e;
      }
      const owner = readOwner(file);
      if (owner === undefined) continue; // released just now: try again
      if (owner.pid === 0 || alive(owner.pid, owner.start)) throw new ImageInUseError(image, owner.pid);
      // Stale. Move it aside (atomic), and make sure what we moved is the stale lock we
      // judged: if another machine took the lock over in between, give its lock back.
      const aside = path.join(path.dirname(file), `.${path.basename(file)}.stale.${process.pid}`);
      try { fs.renameSync(file, aside); } catch { continue; }
      const moved = readOwner(aside);
      if (moved !== undefined && moved.text !== owner.text) {
        try { fs.linkSync(aside, file); } catch { /* someone holds it again: the next attempt sees them */ }
      }
      try { fs.unlinkSync(aside); } catch { /* gone */ }
    }
    const owner = readOwner(file);
    throw new ImageInUseError(image, owner?.pid ?? 0);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.file);
    // Only our own lock: never remove one a later machine took over.
    const owner = readOwner(this.file);
    if (owner !== undefined && owner.pid === process.pid) { try { fs.unlinkSync(this.file); } catch { /* gone */ } }
  }
}
