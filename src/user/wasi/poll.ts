// poll_oneoff: waits for clock subscriptions (relative or absolute deadlines) and fd
// readiness. Fd subscriptions become one kernelkit poll() whose timeout is the nearest
// clock deadline; with clocks only, the process sleeps (nanosleep) until the nearest.

import { poll, fstat, lseek, nanosleep, clockGettime, CLOCK, POLL, SEEK, SysError, type PollFd } from '../libc/index.js';
import { E, CLOCKID, EVENTTYPE, SUBCLOCKFLAGS_ABSTIME, EVENTRWFLAGS_HANGUP, SIZE, FILETYPE, wasiErrno } from './constants.js';
import { call, type WasiContext } from './context.js';
import { WasiError } from './memory.js';

const u = (x: number): number => x >>> 0;

interface Event { userdata: bigint; error: number; type: number; nbytes: number; flags: number }

/** Nanoseconds on a WASI clock (CPU-time clocks count from `start` on the monotonic clock). */
export function clockNow(id: number, start: number): number {
  switch (id) {
    case CLOCKID.REALTIME: return clockGettime(CLOCK.REALTIME);
    case CLOCKID.MONOTONIC: return clockGettime(CLOCK.MONOTONIC);
    case CLOCKID.PROCESS_CPUTIME:
    case CLOCKID.THREAD_CPUTIME:
      // NOTE: kernelkit has no CPU-time clock; a process runs on its own thread, so
      // the time since it started bounds its CPU time.
      return clockGettime(CLOCK.MONOTONIC) - start;
    default: throw new WasiError(E.INVAL);
  }
}

function readableBytes(kfd: number, type: number): number {
  if (type !== FILETYPE.REGULAR_FILE) return 0;
  try {
    return Math.max(0, fstat(kfd).size - lseek(kfd, 0, SEEK.CUR));
  } catch {
    return 0;
  }
}

export function pollCalls(ctx: WasiContext, start: number): Record<string, (...args: never[]) => number> {
  const { mem, fds } = ctx;
  return {
    poll_oneoff: call((inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) => {
      const n = u(nsubs);
      if (n === 0) throw new WasiError(E.INVAL);
      const base = u(inPtr);
      mem.check(base, n * SIZE.SUBSCRIPTION);
      mem.check(u(outPtr), n * SIZE.EVENT);
      const events: Event[] = [];
      const clocks: { userdata: bigint; deadline: number }[] = [];
      const waits: { userdata: bigint; type: number; kfd: number; ftype: number }[] = [];
      const t0 = clockGettime(CLOCK.MONOTONIC);
      for (let i = 0; i < n; i++) {
        const s = base + i * SIZE.SUBSCRIPTION;
        const userdata = mem.getU64(s);
        const tag = mem.getU8(s + 8);
        if (tag === EVENTTYPE.CLOCK) {
          const id = mem.getU32(s + 16);
          const timeout = Number(mem.getU64(s + 24));
          const flags = mem.getU16(s + 40);
          try {
            const rel = flags & SUBCLOCKFLAGS_ABSTIME ? timeout - clockNow(id, start) : (clockNow(id, start), timeout);
            clocks.push({ userdata, deadline: t0 + Math.max(0, rel) });
          } catch (e) {
            events.push({ userdata, error: e instanceof WasiError ? e.errno : E.INVAL, type: tag, nbytes: 0, flags: 0 });
          }
        } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
          const fd = mem.getU32(s + 16);
          if (!fds.has(fd)) { events.push({ userdata, error: E.BADF, type: tag, nbytes: 0, flags: 0 }); continue; }
          const e = fds.get(fd);
          waits.push({ userdata, type: tag, kfd: e.kfd, ftype: e.type });
        } else {
          throw new WasiError(E.INVAL);
        }
      }
      const nearest = clocks.reduce((m, c) => Math.min(m, c.deadline), Infinity);

      for (;;) {
        const now = clockGettime(CLOCK.MONOTONIC);
        const left = events.length > 0 ? 0 : Math.max(0, nearest - now);
        if (waits.length > 0) {
          const pfds: PollFd[] = waits.map((w) => ({ fd: w.kfd, events: w.type === EVENTTYPE.FD_READ ? POLL.IN : POLL.OUT, revents: 0 }));
          let ready = true;
          try {
            poll(pfds, left === Infinity ? -1 : Math.ceil(left / 1e6));
          } catch (e) {
            // A kernel without poll: report every descriptor ready (as for regular files).
            if (!(e instanceof SysError && e.errno === 38)) throw e;
            ready = false;
          }
          pfds.forEach((p, i) => {
            const w = waits[i] as (typeof waits)[number];
            if (ready && p.revents === 0) return;
            const error = p.revents & POLL.NVAL ? E.BADF : p.revents & POLL.ERR ? wasiErrno(5) : E.SUCCESS;
            const hup = (p.revents & POLL.HUP) !== 0;
            events.push({ userdata: w.userdata, error, type: w.type, nbytes: w.type === EVENTTYPE.FD_READ ? readableBytes(w.kfd, w.ftype) : 0, flags: hup ? EVENTRWFLAGS_HANGUP : 0 });
          });
        } else if (left > 0 && left !== Infinity) {
          nanosleep(left);
        }
        if (events.length > 0) break;
        const after = clockGettime(CLOCK.MONOTONIC);
        const due = clocks.filter((c) => c.deadline <= after);
        if (due.length > 0) {
          for (const c of due) events.push({ userdata: c.userdata, error: E.SUCCESS, type: EVENTTYPE.CLOCK, nbytes: 0, flags: 0 });
          break;
        }
        if (clocks.length === 0 && waits.length === 0) break;
      }

      const out = u(outPtr);
      events.forEach((ev, i) => {
        const p = out + i * SIZE.EVENT;
        mem.u64(p, ev.userdata);
        mem.u16(p + 8, ev.error);
        mem.u8(p + 10, ev.type);
        for (let k = 11; k < 16; k++) mem.u8(p + k, 0);
        mem.u64(p + 16, ev.nbytes);
        mem.u16(p + 24, ev.flags);
        for (let k = 26; k < 32; k++) mem.u8(p + k, 0);
      });
      mem.u32(u(neventsPtr), events.length);
    }),
  };
}
