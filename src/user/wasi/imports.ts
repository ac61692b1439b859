// The `wasi_snapshot_preview1` import object: every preview1 function, assembled from
// fd-calls.ts, path-calls.ts and poll.ts plus the small ones kept here (arguments,
// environment, clocks, randomness, process); sock-calls.ts holds the socket calls.

import { getrandom, schedYield } from '../libc/index.js';
import { E, CLOCKID } from './constants.js';
import { call, WasiExit, type WasiContext } from './context.js';
import { fdCalls } from './fd-calls.js';
import { encode, WasiError } from './memory.js';
import { pathCalls } from './path-calls.js';
import { pollCalls, clockNow } from './poll.js';
import { sockCalls } from './sock-calls.js';

const u = (x: number): number => x >>> 0;

/** Every function of wasi_snapshot_preview1, by name. */
export const PREVIEW1_FUNCTIONS = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

// Writes a string list the way args_get/environ_get lay it out: pointers, then bytes.
function putStrings(ctx: WasiContext, list: readonly string[], ptrs: number, buf: number): void {
  let at = buf;
  list.forEach((s, i) => {
    const b = encode(s + '\0');
    ctx.mem.u32(ptrs + i * 4, at);
    ctx.mem.put(at, b);
    at += b.length;
  });
}

function putSizes(ctx: WasiContext, list: readonly string[], countPtr: number, sizePtr: number): void {
  ctx.mem.u32(countPtr, list.length);
  ctx.mem.u32(sizePtr, list.reduce((n, s) => n + encode(s).length + 1, 0));
}

export function buildImports(ctx: WasiContext, start: number): Record<string, (...args: never[]) => number> {
  const { mem } = ctx;
  return {
    ...fdCalls(ctx),
    ...pathCalls(ctx),
    ...pollCalls(ctx, start),
    ...sockCalls(ctx),

    args_sizes_get: call((countPtr: number, sizePtr: number) => putSizes(ctx, ctx.args, u(countPtr), u(sizePtr))),
    args_get: call((ptrs: number, buf: number) => putStrings(ctx, ctx.args, u(ptrs), u(buf))),
    environ_sizes_get: call((countPtr: number, sizePtr: number) => putSizes(ctx, ctx.env, u(countPtr), u(sizePtr))),
    environ_get: call((ptrs: number, buf: number) => putStrings(ctx, ctx.env, u(ptrs), u(buf))),

    clock_res_get: call((id: number, ptr: number) => {
      if (id < CLOCKID.REALTIME || id > CLOCKID.THREAD_CPUTIME) throw new WasiError(E.INVAL);
      // Clocks come from the kernel as float64 ns: the realtime value (~1.8e18) keeps
      // 256 ns of precision, the monotonic one far more; 1 µs is honest for both.
      mem.u64(u(ptr), 1000);
    }),
    clock_time_get: call((id: number, _precision: bigint, ptr: number) => {
      mem.u64(u(ptr), Math.max(0, Math.round(clockNow(id, start))));
    }),

    random_get: call((buf: number, len: number) => {
      const p = u(buf);
      const n = u(len);
      mem.check(p, n);
      for (let done = 0; done < n;) {
        const chunk = getrandom(Math.min(65536, n - done));
        if (chunk.length === 0) throw new WasiError(E.IO);
        mem.put(p + done, chunk);
        done += chunk.length;
      }
    }),

    sched_yield: call(() => { schedYield(); }),
    proc_exit: (code: number): number => { throw new WasiExit(u(code)); },
    // As wasmtime: signals are not supported.
    proc_raise: call((_sig: number) => { throw new WasiError(E.NOTSUP); }),
  };
}
