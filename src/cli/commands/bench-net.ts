// `kernelkit bench net [--preset NAMES] [--runs N] [--mib M] [--transfers N] [--frames N] [--loss RATES] [--loss-kib N] [--quick] [--json]`:
// TCP throughput guest <-> guest and over loopback per preset, Linux's loopback TCP
// beside them, and frames forwarded by the bridge of claim C7 (src/lab/bench-net.ts).
import type { Command } from 'commander';
import { presetNames } from '../../hosts/presets.js';
import { UsageError, type StatusSink } from '../usage.js';
import { parseList, parsePositiveInt } from './bench.js';
import { parseSeed } from './lab.js';
import { busyWarning } from '../../lab/machine-info.js';
import { NET_SIZES, netTable, lossTable, latencyTable, benchNet } from '../../lab/bench-net.js';

export function register(program: Command, status: StatusSink): void {
  const bench = program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('micro-benchmarks');
  bench.command('net')
    .description('TCP throughput guest <-> guest and over loopback per preset beside Linux loopback TCP, and a bridge between two NICs (claim C7)')
    .option('--preset <names>', 'presets, comma-separated (default: all)')
    .option('--runs <n>', `rounds, each booting every cell once (default: ${NET_SIZES.full.runs}, --quick ${NET_SIZES.quick.runs})`)
    .option('--mib <m>', `MiB per TCP transfer (default: ${NET_SIZES.full.mib}, --quick ${NET_SIZES.quick.mib})`)
    .option('--transfers <n>', `TCP transfers per boot (default: ${NET_SIZES.full.transfers}, --quick ${NET_SIZES.quick.transfers})`)
    .option('--frames <n>', `frames per bridge run, 0 for none (default: ${NET_SIZES.full.frames}, --quick ${NET_SIZES.quick.frames})`)
    .option('--no-linux', 'leave out Linux\'s loopback TCP')
    .option('--offload <mode>', 'segmentation offload on the guest-to-guest NICs: on, off, or both (a row without it and the on/off ratio)', 'both')
    .option('--loss <rates>', 'drop probabilities for one lossy transfer each per preset, comma-separated, or none', '0.01,0.05,0.2')
    .option('--loss-kib <n>', 'KiB per lossy transfer', '256')
    .option('--rr <n>', `request/response round trips (one byte each way, TCP_NODELAY) per boot of each guest pair, guest to guest and over loopback, and over Linux's loopback; 0 for none (default: ${NET_SIZES.full.rr}, --quick ${NET_SIZES.quick.rr})`)
    .option('--quick', 'small sizes and two rounds', false)
    .option('--seed <n>', 'seed for the order of the cells and the bootstrap', '1')
    .option('--json', 'print one JSON object', false)
    .action(async (opts: { preset?: string; runs?: string; mib?: string; transfers?: string; frames?: string; linux: boolean; offload: string; loss: string; lossKib: string; rr?: string; quick: boolean; seed: string; json: boolean }) => {
      const presets = opts.preset === undefined ? presetNames() : parseList(opts.preset, presetNames(), 'preset');
      const size = opts.quick ? NET_SIZES.quick : NET_SIZES.full;
      const runs = parsePositiveInt(opts.runs ?? String(size.runs), '--runs');
      if (runs > 50) throw new UsageError(`--runs needs an integer from 1 to 50, not '${opts.runs}'`);
      const mib = Number(opts.mib ?? size.mib);
      if (!(mib > 0 && mib <= 1024)) throw new UsageError(`--mib needs a number in (0, 1024], not '${opts.mib}'`);
      const transfers = parsePositiveInt(opts.transfers ?? String(size.transfers), '--transfers');
      if (transfers > 20) throw new UsageError(`--transfers needs an integer from 1 to 20, not '${opts.transfers}'`);
      const frames = Number(opts.frames ?? size.frames);
      if (!Number.isInteger(frames) || frames < 0 || frames > 10_000_000) throw new UsageError(`--frames needs an integer from 0 to 10000000, not '${opts.frames}'`);
      const seed = parseSeed(opts.seed);
      if (opts.offload !== 'on' && opts.offload !== 'off' && opts.offload !== 'both') throw new UsageError(`--offload needs on, off or both, not '${opts.offload}'`);
      const offload = opts.offload;
      const lossRates = opts.loss === 'none' ? [] : opts.loss.split(',').map((x) => {
        const p = Number(x);
        if (x.trim() === '' || !(p > 0 && p < 1)) throw new UsageError(`--loss needs drop probabilities in (0, 1), comma-separated, or none; not '${x}'`);
        return p;
      });
      const rrRounds = Number(opts.rr ?? size.rr);
      if (!Number.isInteger(rrRounds) || rrRounds < 0 || rrRounds > 1_000_000) throw new UsageError(`--rr needs an integer from 0 to 1000000, not '${opts.rr}'`);
      const lossKib = parsePositiveInt(opts.lossKib, '--loss-kib');
      if (lossKib > 65536) throw new UsageError(`--loss-kib needs an integer from 1 to 65536, not '${opts.lossKib}'`);
      const { replicates: _, ...r } = await benchNet({
        presets, runs, bytes: Math.round(mib * 1048576), transfers, frames, seed, noLinux: !opts.linux, offload, lossRates, lossBytes: lossKib * 1024, rrRounds,
        onProgress: opts.json ? undefined : (w) => process.stderr.write(`bench: ${w}\n`),
      });
      if (opts.json) { process.stdout.write(JSON.stringify(r) + '\n'); status.set(0); return; }
      const m = r.machine;
      process.stdout.write(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}; load ${r.loadavg_start} at start, ${r.loadavg_end} at end; ${r.seconds} s\n`);
      const busy = busyWarning(m.cores, r.loadavg_start, r.loadavg_end);
      if (busy !== undefined) process.stdout.write(`${busy}\n`);
      process.stdout.write(`method: ${runs} rounds; ${transfers} transfer(s) of ${mib} MiB per boot; median MB/s with a bootstrap 95% interval [low, high]; bridge: ${frames} frames of 1514 bytes per run\n\n`);
      process.stdout.write(netTable(r));
      process.stdout.write('\n');
      if (r.lossy.length > 0) process.stdout.write(`\nlossy transfers: one of ${lossKib} KiB guest -> guest per preset and rate, the cable dropping each frame (either way) with the probability given; retransmitted = data segments the sender put on the wire with a sequence number it had sent before\n\n${lossTable(r.lossy)}`);
      if (r.latency.length > 0) process.stdout.write(`\nrequest/response: ${rrRounds} round trips of one byte each way (TCP_NODELAY) per boot, after 20 of warm-up; the medians over the runs of each run's p50 and p99\n\n${latencyTable(r.latency)}`);
      for (const g of r.goals) process.stdout.write(`goal ${g.verdict.padEnd(12)} ${g.goal}: ${g.measured}\n`);
      status.set(r.rows.some((x) => x.samples > 0 && !x.intact) ? 1 : 0);
    });
}
