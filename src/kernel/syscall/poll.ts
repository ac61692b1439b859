// poll: readiness of pipes, sockets, the console and files, with a timeout.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { POLL } from '../../abi/syscalls.js';
import { pollSocket } from '../fs/socket.js';

export async function sysPoll(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [ptr, nfds, timeoutMs] = [a[0]!, a[1]!, a[2]!];
  if (!Number.isInteger(nfds) || nfds < 0 || nfds > 1024 || !Number.isInteger(timeoutMs)) throw new KernelError(Errno.EINVAL);
  const raw = p.copyin(ptr, nfds * 12);
  const view = new DataView(raw.buffer);
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  for (;;) {
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const fd = view.getInt32(i * 12, true), events = view.getInt32(i * 12 + 4, true);
      let revents = 0;
      if (fd >= 0) {
        let file;
        try { file = p.fds.get(fd).file; } catch { revents = POLL.NVAL; }
        if (file !== undefined) {
          if (file.kind === 'pipe') {
            const pipe = file.target.pipe!;
            if (file.target.pipeEnd === 'r') { if (pipe.buffered > 0) revents |= POLL.IN & events; if (pipe.writers === 0) revents |= POLL.HUP; }
            else { if (pipe.readers === 0) revents |= POLL.ERR; else if (pipe.buffered < pipe.capacity) revents |= POLL.OUT & events; }
          } else if (file.kind === 'socket') {
            // Errors and hang-ups are reported whatever was asked, as for pipes.
            try { revents |= (await pollSocket(k, file)) & (events | POLL.ERR | POLL.HUP); } catch { revents |= POLL.ERR; }
          } else if (file.kind === 'dev' && file.target.rdev !== undefined && file.target.rdev >> 8 === 5) {
            if ((events & POLL.IN) !== 0 && (await k.console.readable()) === true) revents |= POLL.IN;
            revents |= POLL.OUT & events;
          } else {
            revents |= (POLL.IN | POLL.OUT) & events;
          }
        }
      }
      view.setInt32(i * 12 + 8, revents, true);
      if (revents !== 0) ready++;
    }
    if (ready > 0 || performance.now() >= deadline || p.dead) { p.copyout(ptr, raw); return ready; }
    p.state = 'blocked';
    // FIXME: poll re-checks every millisecond instead of waiting on the files' queues.
    await k.timers.sleep(Math.min(1, deadline - performance.now()));
    p.state = 'running';
  }
}
