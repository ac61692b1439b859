// bpf: the eBPF system call. Decodes and checks the command's attribute (u32 words at
// attr, layouts in abi/bpf.ts) and the caller's rights; the work is kernel/bpf/
// (subsystem.ts: maps, programs, hooks; verifier.ts: the verifier).
//
// Rights: root (CAP_SYS_ADMIN) for tracing programs, attach and detach; anyone for
// maps, socket filters (in objects too) and test runs, on their own objects only.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Cap, capable } from '../../abi/cred.js';
import { BPF_CMD, BPF_PROG_TYPE, MAP_CREATE_ATTR_WORDS, PROG_LOAD_ATTR_WORDS, SK_BUFF_CTX_BYTES, type BpfObjectLoaded } from '../../abi/bpf.js';
import { decodeProgram, encodeProgram, INSN_SIZE } from '../../abi/bpf-insn.js';
import { encode } from '../../lib/codec.js';
import { progTypeName } from '../../abi/bpf.js';
import { RingbufMap, type BpfMap } from '../bpf/maps.js';
import { MAX_OBJECT_BYTES } from '../bpf/object.js';
import { VerifierError, type BpfProgram } from '../bpf/subsystem.js';
import { COMPLEXITY_LIMIT } from '../bpf/verifier.js';

/** Longest attribute any command takes (bytes). */
const MAX_ATTR = 64;

export async function sysBpf(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [cmd, attr, attrLen] = [a[0]!, a[1]!, a[2]!];
  if (!Number.isInteger(cmd) || !Number.isInteger(attrLen) || attrLen < 0 || attrLen > MAX_ATTR || attrLen % 4 !== 0) throw new KernelError(Errno.EINVAL, 'bad bpf attribute size');
  const bytes = p.copyin(attr, attrLen);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = (n: number): number[] => {
    if (attrLen < n * 4) throw new KernelError(Errno.EINVAL, `bpf command ${cmd} takes ${n} attribute words`);
    return Array.from({ length: n }, (_, i) => view.getUint32(i * 4, true));
  };
  const bpf = k.bpf;
  const privileged = capable(p.cred, Cap.SYS_ADMIN);
  const uid = p.cred.euid;
  const needRoot = (what: string): void => {
    if (!privileged) throw new KernelError(Errno.EPERM, `${what} needs ${Cap.SYS_ADMIN}`);
  };
  const map = (id: number): BpfMap => {
    const m = bpf.maps.get(id);
    if (m === undefined || (!privileged && m.uid !== uid)) throw new KernelError(Errno.ENOENT, `no map ${id}`);
    return m;
  };
  const program = (id: number): BpfProgram => {
    const prog = bpf.programs.get(id);
    if (prog === undefined || (!privileged && prog.uid !== uid)) throw new KernelError(Errno.ENOENT, `no program ${id}`);
    return prog;
  };
  const writeLog = (ptr: number, size: number, log: string): void => {
    if (size === 0) return;
    const text = new TextEncoder().encode(log).subarray(0, size - 1);
    const out = new Uint8Array(text.byteLength + 1);
    out.set(text);
    p.copyout(ptr, out);
  };
  switch (cmd) {
    case BPF_CMD.MAP_CREATE: {
      const [type, keySize, valueSize, maxEntries, flags] = words(MAP_CREATE_ATTR_WORDS);
      return bpf.createMap(`map${type}`, { type: type!, keySize: keySize!, valueSize: valueSize!, maxEntries: maxEntries!, flags: flags! }, uid).id;
    }
    case BPF_CMD.MAP_LOOKUP_ELEM: case BPF_CMD.MAP_UPDATE_ELEM: case BPF_CMD.MAP_DELETE_ELEM: case BPF_CMD.MAP_GET_NEXT_KEY: case BPF_CMD.MAP_LOOKUP_AND_DELETE_ELEM: {
      const [id, keyPtr, valuePtr, flags] = words(cmd === BPF_CMD.MAP_DELETE_ELEM ? 2 : cmd === BPF_CMD.MAP_UPDATE_ELEM || cmd === BPF_CMD.MAP_GET_NEXT_KEY ? 4 : 3);
      const m = map(id!);
      const { keySize, valueSize } = m.params;
      if (cmd === BPF_CMD.MAP_LOOKUP_AND_DELETE_ELEM) {
        if (!(m instanceof RingbufMap)) throw new KernelError(Errno.EINVAL, 'lookup-and-delete reads ring buffers');
        // keyPtr: where the record goes, valuePtr: its room (bytes).
        const record = m.pop();
        if (record === undefined) throw new KernelError(Errno.ENOENT);
        if (record.byteLength > valuePtr!) throw new KernelError(Errno.ENOSPC, `record of ${record.byteLength} bytes`);
        p.copyout(keyPtr!, record);
        return record.byteLength;
      }
      if (cmd === BPF_CMD.MAP_GET_NEXT_KEY) {
        // flags 1: from the first key (keyPtr unused).
        if (flags! > 1) throw new KernelError(Errno.EINVAL, `bad get_next_key flags ${flags}`);
        const next = m.nextKey(flags === 1 ? undefined : p.copyin(keyPtr!, keySize));
        if (next === undefined) throw new KernelError(Errno.ENOENT);
        p.copyout(valuePtr!, next);
        return 0;
      }
      const key = p.copyin(keyPtr!, keySize);
      if (cmd === BPF_CMD.MAP_LOOKUP_ELEM) {
        const e = m.lookup(key);
        if (e === undefined) throw new KernelError(Errno.ENOENT);
        p.copyout(valuePtr!, e.value);
        return 0;
      }
      if (cmd === BPF_CMD.MAP_DELETE_ELEM) { m.delete(key); bpf.regions.settle(); return 0; }
      if (flags! > 2) throw new KernelError(Errno.EINVAL, `bad update flags ${flags}`);
      m.update(key, p.copyin(valuePtr!, valueSize), flags!);
      return 0;
    }
    case BPF_CMD.MAP_FREE: {
      const [id] = words(1);
      bpf.freeMap(map(id!));
      return 0;
    }
    case BPF_CMD.PROG_LOAD: {
      const [type, insnsPtr, count, logPtr, logSize, hookPtr, hookLen] = words(PROG_LOAD_ATTR_WORDS);
      if (type === BPF_PROG_TYPE.TRACEPOINT) needRoot('loading a tracing program');
      if (count! === 0 || count! > COMPLEXITY_LIMIT) throw new KernelError(Errno.E2BIG, `${count} instructions`);
      const insns = decodeProgram(p.copyin(insnsPtr!, count! * INSN_SIZE));
      const hook = hookLen! > 0 ? p.copyinString(hookPtr!, hookLen!) : '';
      try {
        const prog = await bpf.loadProgram({ name: hook === '' ? progTypeName(type!) : hook.split('/').pop()!, type: type!, hook, insns, license: 'GPL' }, uid, privileged);
        writeLog(logPtr!, logSize!, prog.verified.log);
        return prog.id;
      } catch (e) {
        if (e instanceof VerifierError) writeLog(logPtr!, logSize!, e.result.log);
        throw e;
      }
    }
    case BPF_CMD.PROG_TEST_RUN: {
      const [id, ctxPtr, ctxLen] = words(3);
      const prog = program(id!);
      if (prog.type !== BPF_PROG_TYPE.SOCKET_FILTER) throw new KernelError(Errno.EINVAL, 'only socket filters are test-run');
      if (ctxLen! !== SK_BUFF_CTX_BYTES) throw new KernelError(Errno.EINVAL, `the context is ${SK_BUFF_CTX_BYTES} bytes`);
      const result = bpf.run(prog, p.copyin(ctxPtr!, ctxLen!), { pid: p.pid, uid: p.cred.uid, gid: p.cred.gid, comm: p.name });
      return Number(BigInt.asUintN(32, result));
    }
    case BPF_CMD.PROG_ATTACH: {
      needRoot('attaching a program');
      const [id, hookPtr, hookLen] = words(3);
      bpf.attach(program(id!), p.copyinString(hookPtr!, hookLen!));
      return 0;
    }
    case BPF_CMD.PROG_DETACH: {
      needRoot('detaching a program');
      const [id] = words(1);
      bpf.detach(program(id!));
      return 0;
    }
    case BPF_CMD.PROG_UNLOAD: {
      const [id] = words(1);
      bpf.unload(program(id!));
      return 0;
    }
    case BPF_CMD.OBJ_LOAD: {
      // Rights are per program: loadProgram refuses tracing programs to non-root.
      const [objPtr, objLen, logPtr, logSize, outPtr, outSize] = words(6);
      if (objLen! > MAX_OBJECT_BYTES) throw new KernelError(Errno.E2BIG, `object of ${objLen} bytes`);
      try {
        const loaded = await bpf.loadObject(p.copyin(objPtr!, objLen!), uid, privileged);
        const reply: BpfObjectLoaded = {
          programs: loaded.programs.map((q) => ({ id: q.id, name: q.name, type: progTypeName(q.type), hook: q.hook })),
          maps: loaded.maps.map((m) => ({ id: m.id, name: m.name })),
        };
        const out = encode(reply);
        if (out.byteLength > outSize!) throw new KernelError(Errno.ERANGE);
        p.copyout(outPtr!, out);
        writeLog(logPtr!, logSize!, loaded.programs.map((q) => `${q.name}: ${q.verified.log}`).join('\n'));
        return out.byteLength;
      } catch (e) {
        writeLog(logPtr!, logSize!, e instanceof VerifierError ? e.result.log : e instanceof Error ? e.message : String(e));
        throw e;
      }
    }
    case BPF_CMD.LIST: {
      const [outPtr, outSize] = words(2);
      const out = encode(bpf.list(uid, privileged));
      if (out.byteLength > outSize!) throw new KernelError(Errno.ERANGE);
      p.copyout(outPtr!, out);
      return out.byteLength;
    }
    case BPF_CMD.PROG_GET_INSNS: {
      const [id, outPtr, outSize] = words(3);
      const out = encodeProgram(program(id!).insns);
      if (out.byteLength > outSize!) throw new KernelError(Errno.ERANGE);
      p.copyout(outPtr!, out);
      return out.byteLength;
    }
    default:
      throw new KernelError(Errno.EINVAL, `unknown bpf command ${cmd}`);
  }
}
