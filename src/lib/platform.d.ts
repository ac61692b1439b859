// The web-platform globals that both Node and browsers provide, declared for the code
// below hosts/ (compiled with "types": []). Anything Node-only stays in hosts/.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare function setTimeout(handler: () => void, ms?: number): unknown;
declare function clearTimeout(id: unknown): void;
declare function setInterval(handler: () => void, ms?: number): unknown;
declare function clearInterval(id: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare const performance: { now(): number; timeOrigin: number };
declare const crypto: { getRandomValues<T extends ArrayBufferView>(array: T): T };
declare const console: { log(...data: unknown[]): void; error(...data: unknown[]): void; warn(...data: unknown[]): void };
declare namespace WebAssembly {
  interface Module {}
  interface Instance { readonly exports: Record<string, unknown> }
  interface Memory { readonly buffer: ArrayBuffer; grow(delta: number): number }
  interface Global { value: unknown }
  interface Table {}
  type ImportValue = unknown;
  type Imports = Record<string, Record<string, ImportValue>>;
  interface ModuleImportDescriptor { module: string; name: string; kind: string }
  const Module: { new (bytes: ArrayBufferView | ArrayBuffer): Module; imports(m: Module): ModuleImportDescriptor[]; exports(m: Module): { name: string; kind: string }[] };
  const Instance: { new (m: Module, imports?: Imports): Instance };
  const Memory: { new (d: { initial: number; maximum?: number; shared?: boolean }): Memory };
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
  function instantiate(m: Module, imports?: Imports): Promise<Instance>;
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
}
declare function btoa(data: string): string;
declare function atob(data: string): string;
