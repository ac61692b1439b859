// "download a guest file": the page names a path, the kernel worker reads the file
// through vfs with the credentials of init (the shell the person types into), so vfs
// checks the permissions as it does for that shell's own open(2) — a file the shell
// could not read cannot be downloaded either. Only regular files, at most `max`
// bytes; anything else is refused with the reason.

import type { Kernel } from '../../kernel/kernel.js';
import { O } from '../../abi/fs.js';
import { fsCred } from '../../abi/cred.js';
import { KernelError, isKernelError } from '../../abi/errno.js';

/** Files larger than this are refused: the download is held in the page's memory. */
export const EXPORT_MAX_BYTES = 64 << 20;
const PIECE = 1 << 20;

/** The bytes of `path`, or throws an Error whose message says why not. */
export async function readGuestFile(k: Kernel, path: string, max = EXPORT_MAX_BYTES): Promise<Uint8Array> {
  if (!path.startsWith('/')) throw new Error(`'${path}': give an absolute path (it starts at /)`);
  if (path.includes('\0')) throw new Error('a path with a NUL byte');
  const init = k.procs.get(1);
  if (init === undefined || init.dead) throw new Error('no shell to read as (init has ended)');
  const why = (e: unknown): Error => new Error(`${path}: ${isKernelError(e) ? e.message : e instanceof Error ? e.message : String(e)}`);
  let opened;
  try { opened = await k.vfs.open('/', path, O.RDONLY, 0, fsCred(init.cred)); } catch (e) { throw why(e); }
  try {
    if (opened.kind !== 'file') throw new Error(`${path}: not a regular file (${opened.kind === 'dir' ? 'a directory' : 'a device'})`);
    const size = (await k.vfs.fstat(opened.handle)).size;
    if (size > max) throw new Error(`${path}: too large to download here (${size} bytes; at most ${max >> 20} MiB)`);
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const part = await k.vfs.read(opened.handle, at, Math.min(PIECE, size - at));
      if (part.length === 0) break;
      out.set(part, at);
      at += part.length;
    }
    return out.subarray(0, at);
  } catch (e) {
    throw e instanceof KernelError ? why(e) : e;
  } finally {
    await k.vfs.close(opened.handle).catch(() => {});
  }
}
