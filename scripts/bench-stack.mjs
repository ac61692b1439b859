// A short benchmark of the TCP/IP stack alone (src/services/net/stack/): two stacks in
// this one thread joined by the in-memory wire of its tests (test/net/stack/harness.ts,
// on a fake clock with 1 ms per hop), moving SIZE bytes each way at once.
//   - clean wire: the stack's own speed, bytes both ways over the wall-clock time;
//   - 1%, 5%, 20% loss: goodput over the simulated time (what a 1 ms link would see,
//     bounded by RTO recovery), and the retransmissions; each with SACK (the default)
//     and without (NewReno's recovery alone).
// Usage: node scripts/build.mjs && node scripts/bench-stack.mjs [MiB]
import os from 'node:os';
import { transfer } from '../dist/test/net/stack/transfer.js';

const mib = Number(process.argv[2] ?? 8);
const size = mib << 20;
console.log(`stack bench: ${mib} MiB each way, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`);
const runs = [['clean', {}, 1, 1]];
for (const [name, imp, seed] of [['1% loss', { loss: 0.01 }, 2], ['5% loss', { loss: 0.05 }, 3], ['20% loss', { loss: 0.2 }, 4]]) runs.push([`${name} sack`, imp, seed, 1], [`${name} nosack`, imp, seed, 0]);
for (const [name, imp, seed, sack] of runs) {
  const r = transfer(size, imp, seed, undefined, { tcp: { sack } });
  const wall = r.wallMs / 1000;
  const ok = r.done && r.receivedHash[0] === r.sentHash[0] && r.receivedHash[1] === r.sentHash[1];
  const simulated = r.elapsed / 1000;
  console.log(`${name.padEnd(16)} ${ok ? 'intact' : 'FAILED'}  wall ${(2 * size / 1e6 / wall).toFixed(1)} MB/s (${wall.toFixed(2)} s)  simulated ${simulated.toFixed(2)} s: goodput ${(2 * size / 1e6 / simulated).toFixed(2)} MB/s  retransmissions ${r.retransmits}  frames ${r.wire.frames} lost ${r.wire.lost}`);
}
