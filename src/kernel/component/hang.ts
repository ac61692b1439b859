// Whether a user-domain server is hung, from what the supervisor can see of it: its
// heartbeat word (the server's event loop bumps it every heartbeatPeriodMs) and, where
// the host can tell, the CPU time its thread has used (ThreadHandle.cpuMs). The
// supervisor (table.ts watch) asks once a tick through UserServer.hung (server.ts).
//
// Two rules, either is enough:
//   silence   the beat has not moved for `timeoutMs` of wall-clock time;
//   spinning  the beat has not moved while the thread used `cpuLimitMs` of CPU time.
// NOTE: on a loaded host a healthy server can go unscheduled for hundreds of ms: no
// beats, but no CPU time either, so the spinning rule never takes it for hung; a
// server that loops inside a request burns CPU and never beats, so the spinning rule
// sees it after `cpuLimitMs` of CPU however loaded the host is. A hang that blocks
// instead of spinning is left to the silence rule.

export class HangJudge {
  private lastBeat = -1;
  private lastBeatAt: number;
  /** The thread's CPU time when the beat was first seen unchanged (undefined: it moved since). */
  private cpuAtStall: number | undefined;
  /** The thread's CPU time at the last look (undefined: not read then). */
  private lastCpu: number | undefined;

  constructor(now: number) { this.lastBeatAt = now; }

  /**
   * One look: `beat` is the heartbeat word, `now` the wall clock (ms), `cpuMs` the
   * thread's CPU time (ms) or undefined where the host cannot tell. `cpuLimitMs` 0
   * turns the spinning rule off. `idle`: the thread sleeps on its doorbell (see above).
   */
  hung(beat: number, now: number, cpuMs: number | undefined, timeoutMs: number, cpuLimitMs: number, idle = false): boolean {
    const still = idle && cpuMs !== undefined && cpuMs === this.lastCpu;
    this.lastCpu = cpuMs;
    if (beat !== this.lastBeat || still) { this.lastBeat = beat; this.lastBeatAt = now; this.cpuAtStall = undefined; return false; }
    if (cpuLimitMs > 0 && cpuMs !== undefined) {
      // The CPU clock starts at the first look that finds the beat unchanged.
      if (this.cpuAtStall === undefined) this.cpuAtStall = cpuMs;
      else if (cpuMs - this.cpuAtStall >= cpuLimitMs) return true;
    }
    return now - this.lastBeatAt > timeoutMs;
  }
}
