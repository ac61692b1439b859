// Executable formats the process runtime accepts (the binfmt list):
// - a kernelkit program: the header line below, then a script (not an ES module)
//   that sets `exports.main = function (argv, env) { ... }` (or `module.exports`);
//   it runs in the program sandbox, whose only way out is the syscall trap
//   (user/runtime/sandbox.ts, docs/security.md). The build bundles /bin this way
//   (esbuild format cjs);
// - a WebAssembly module (magic "\0asm") run through the WASI preview1 layer.

export const executableHeader = '#!kernelkit-js\n';
export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;

export type ExecFormat = 'js' | 'wasm' | 'unknown';

export function execFormat(bytes: Uint8Array): ExecFormat {
  if (bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b)) return 'wasm';
  const header = new TextEncoder().encode(executableHeader);
  if (bytes.length >= header.length && header.every((b, i) => bytes[i] === b)) return 'js';
  return 'unknown';
}
