// insmod: loads a component into the running system (its domain comes from the
// preset: the kernel under monolithic, a new server under microkernel), or a
// WebAssembly module file into the sandbox domain (`insmod /lib/modules/blk.wasm`).
// `insmod --unsandboxed PATH.wasm` loads the same module into the kernel domain, its
// memory in the kernel arena without bounds of its own. A module the kernel refuses is
// reported with the kernel's reason (from dmesg).
import { insmod, sysinfo, SysInfo } from '../libc/index.js';
import { INSMOD_UNSANDBOXED } from '../../abi/syscalls.js';
import type { LogRecord } from '../../abi/sysinfo.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

function kernelReason(path: string): string | undefined {
  const prefix = `insmod ${path}: refused: `;
  const log = sysinfo(SysInfo.DMESG) as unknown as LogRecord[];
  return log.map((r) => r.line).reverse().find((l) => l.startsWith(prefix))?.slice(prefix.length);
}

export function main(argv: string[]): number {
  return run('insmod', () => {
    const unsandboxed = argv[1] === '--unsandboxed';
    const names = argv.slice(unsandboxed ? 2 : 1);
    checkHandOptions(names, []);
    if (names.length === 0) throw new UsageError('usage: insmod NAME... | insmod [--unsandboxed] PATH.wasm...');
    let status = 0;
    for (const n of names) {
      try { insmod(n, unsandboxed ? INSMOD_UNSANDBOXED : 0); } catch (e) {
        let why = reasonOf(e);
        try { why = kernelReason(n) ?? why; } catch { /* dmesg unreadable: the errno will do */ }
        complain('insmod', `${n}: ${why}`);
        status = 1;
      }
    }
    return status;
  });
}
