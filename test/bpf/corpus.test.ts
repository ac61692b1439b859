// The verifier's conformance corpus (test/bpf/corpus/*.json, described in its README):
// every case is assembled by LLVM's own assembler (llvm-mc -triple bpf), read back with
// kernelkit's ELF reader, and verified; the verdict, the failing instruction and the
// message must be the expected ones. Every accepted case then runs through the
// interpreter and the JIT from identical starting states, and the two must agree on r0
// and on the contents of every map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProgram, LD_IMM64, PSEUDO_MAP_FD, type Insn } from '../../src/abi/bpf-insn.js';
import { BPF_MAP_TYPE, BPF_PROG_TYPE, BPF_TRACEPOINTS, SK_BUFF_CTX_BYTES, type BpfTracepoint } from '../../src/abi/bpf.js';
import { Elf } from '../../src/kernel/bpf/elf.js';
import { BpfSubsystem, VerifierError } from '../../src/kernel/bpf/subsystem.js';

interface Case {
  name: string;
  pre: { type?: 'tracepoint' | 'socket_filter'; hook?: string; privileged?: boolean; license?: string; maps?: Record<string, { type: keyof typeof MAP_TYPES; key: number; value: number; max: number }>; ctx?: [number, number | string][] };
  code: string[];
  post: { ok: true } | { ok: false; insn?: number; message: string };
}
const MAP_TYPES = { hash: BPF_MAP_TYPE.HASH, array: BPF_MAP_TYPE.ARRAY, ringbuf: BPF_MAP_TYPE.RINGBUF } as const;

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/corpus');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const cases: { file: string; c: Case }[] = files.flatMap((file) => (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Case[]).map((c) => ({ file, c })));

// One assembly file, one section per case.
function assemble(): { insns: Insn[]; mapRefs: Map<number, string> }[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-bpf-corpus-'));
  try {
    const source = cases.map(({ c }, i) => [`\t.section "case${i}","ax",@progbits`, ...c.code.map((l) => `\t${l}`)].join('\n')).join('\n') + '\n';
    fs.writeFileSync(path.join(tmp, 'corpus.s'), source);
    execFileSync('llvm-mc', ['-triple', 'bpf', '-filetype=obj', path.join(tmp, 'corpus.s'), '-o', path.join(tmp, 'corpus.o')]);
    const elf = new Elf(new Uint8Array(fs.readFileSync(path.join(tmp, 'corpus.o'))));
    return cases.map((_, i) => {
      const section = elf.section(`case${i}`)!;
      const mapRefs = new Map<number, string>();
      for (const rel of elf.relocationsFor(section.index)) mapRefs.set(rel.offset / 8, elf.symbols[rel.symbol]!.name);
      return { insns: decodeProgram(section.data), mapRefs };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const programs = assemble();

function setUp(c: Case, insns: Insn[], mapRefs: Map<number, string>, jit: number): { bpf: BpfSubsystem; load: () => ReturnType<BpfSubsystem['loadProgram']>; ctx: Uint8Array; printed: string[] } {
  const printed: string[] = [];
  let clock = 1000n;
  const bpf = new BpfSubsystem({ mapBytes: 1 << 24, programs: 16, jit }, () => (clock += 10n), (line) => printed.push(line));
  const ids = new Map<string, number>();
  for (const [name, m] of Object.entries(c.pre.maps ?? {})) ids.set(name, bpf.createMap(name, { type: MAP_TYPES[m.type], keySize: m.key, valueSize: m.value, maxEntries: m.max, flags: 0 }, 0).id);
  const patched = insns.map((insn, i) => {
    const name = mapRefs.get(i);
    if (name === undefined) return insn;
    assert.equal(insn.code, LD_IMM64, `${c.name}: relocation on insn ${i}`);
    return { ...insn, src: PSEUDO_MAP_FD, imm: ids.get(name) ?? 9999 };
  });
  const type = c.pre.type === 'socket_filter' ? BPF_PROG_TYPE.SOCKET_FILTER : BPF_PROG_TYPE.TRACEPOINT;
  const hook = type === BPF_PROG_TYPE.SOCKET_FILTER ? '' : c.pre.hook ?? 'raw_syscalls/sys_enter';
  const ctx = new Uint8Array(type === BPF_PROG_TYPE.SOCKET_FILTER ? SK_BUFF_CTX_BYTES : BPF_TRACEPOINTS[hook as BpfTracepoint]);
  const view = new DataView(ctx.buffer);
  for (const [off, v] of c.pre.ctx ?? []) {
    if (off + 8 <= ctx.byteLength) view.setBigUint64(off, BigInt(v), true);
    else view.setUint32(off, Number(v), true);
  }
  const load = (): ReturnType<BpfSubsystem['loadProgram']> => bpf.loadProgram({ name: 'case', type, hook, insns: patched, license: c.pre.license ?? 'GPL' }, 0, c.pre.privileged ?? true);
  return { bpf, load, ctx, printed };
}

function dump(bpf: BpfSubsystem): string[] {
  const out: string[] = [];
  for (const m of bpf.maps.values()) {
    for (let k = m.nextKey(undefined); k !== undefined; k = m.nextKey(k)) out.push(`${m.name} ${Buffer.from(k).toString('hex')}: ${Buffer.from(m.lookup(k)!.value).toString('hex')}`);
    out.push(`${m.name} entries=${m.entries}`);
  }
  return out;
}

test('the corpus has cases of both verdicts', () => {
  assert.ok(cases.some(({ c }) => c.post.ok) && cases.some(({ c }) => !c.post.ok));
  assert.ok(cases.length >= 50, `${cases.length} cases`);
});

cases.forEach(({ file, c }, i) => {
  test(`corpus ${file}: ${c.name}`, async () => {
    const { insns, mapRefs } = programs[i]!;
    const interp = setUp(c, insns, mapRefs, 0);
    let program;
    try {
      program = await interp.load();
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      assert.equal(c.post.ok, false, `rejected:\n${e.result.log}`);
      const post = c.post as { insn?: number; message: string };
      assert.equal(e.result.message, post.message, e.result.log);
      if (post.insn !== undefined) assert.equal(e.result.insn, post.insn, e.result.log);
      // The log names the instruction the way Linux does: "N: (opcode) ...".
      if (post.insn !== undefined) assert.match(e.result.log, new RegExp(`^${post.insn}: \\([0-9a-f]{2}\\) `, 'm'));
      return;
    }
    assert.equal(c.post.ok, true, `accepted, expected "${(c.post as { message: string }).message}"\n${program.verified.log}`);
    const jit = setUp(c, insns, mapRefs, 1);
    const jitProgram = await jit.load();
    const a = interp.bpf.run(program, interp.ctx, { pid: 7, uid: 1000, gid: 100, comm: 'corpus' });
    const b = jit.bpf.run(jitProgram, jit.ctx, { pid: 7, uid: 1000, gid: 100, comm: 'corpus' });
    assert.equal(b, a, 'r0: JIT and interpreter differ');
    assert.deepEqual(dump(jit.bpf), dump(interp.bpf));
    assert.deepEqual(jit.printed, interp.printed);
    assert.ok(!interp.printed.some((l) => l.includes('faulted')), interp.printed.join('\n'));
  });
});
