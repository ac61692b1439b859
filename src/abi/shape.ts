// The small type language of the service list (abi/services.ts): what each argument
// and result of a component method is. One description serves three purposes: the
// reply check at every caller (`conforms`), the fixed message layout of the shm
// transport (kernel/ipc/wire.ts: scalars in register-like slots), and the docs table.

/** A value's shape. Scalars fit a fixed slot; the rest travel self-described (lib/codec). */
export type Shape =
  | 'void' | 'int' | 'num' | 'bool' | 'str' | 'bytes'
  /** Anything (e.g. a host filesystem reply, checked by its own reader). */
  | 'any'
  | { readonly optional: Shape }
  | { readonly oneOf: readonly string[] }
  | { readonly record: Readonly<Record<string, Shape>> }
  | { readonly list: Shape };

/** Whether `shape` has a fixed layout: one slot (int, num, bool, str, bytes, void) or a record of them. */
export function isFixed(shape: Shape): boolean {
  if (isSlot(shape)) return true;
  if (typeof shape === 'object' && 'record' in shape) return Object.values(shape.record).every(isSlot);
  return false;
}

/** A shape that fits one register-like slot of a fixed-layout message. */
export function isSlot(shape: Shape): boolean {
  if (typeof shape === 'string') return shape !== 'any';
  return 'oneOf' in shape || ('optional' in shape && typeof shape.optional === 'string' && shape.optional !== 'any' && shape.optional !== 'void');
}

/** Whether `v` has shape `shape`. Records must not carry unknown fields' types wrong; extra fields are allowed. */
export function conforms(shape: Shape, v: unknown, depth = 0): boolean {
  if (depth > 16) return false;
  if (typeof shape === 'string') {
    switch (shape) {
      case 'void': return v === undefined || v === null;
      case 'int': return typeof v === 'number' && Number.isInteger(v);
      case 'num': return typeof v === 'number' && !Number.isNaN(v);
      case 'bool': return typeof v === 'boolean';
      case 'str': return typeof v === 'string';
      case 'bytes': return v instanceof Uint8Array;
      case 'any': return true;
    }
  }
  if ('optional' in shape) return v === undefined || v === null || conforms(shape.optional, v, depth + 1);
  if ('oneOf' in shape) return typeof v === 'string' && shape.oneOf.includes(v);
  if ('list' in shape) return Array.isArray(v) && v.every((item) => conforms(shape.list, item, depth + 1));
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  for (const [k, s] of Object.entries(shape.record)) if (!conforms(s, (v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/** How a shape reads in the docs table. */
export function describeShape(shape: Shape): string {
  if (typeof shape === 'string') return shape;
  if ('optional' in shape) return `${describeShape(shape.optional)}?`;
  if ('oneOf' in shape) return shape.oneOf.map((s) => `'${s}'`).join(' \\| ');
  if ('list' in shape) return `${describeShape(shape.list)}[]`;
  return `{ ${Object.entries(shape.record).map(([k, s]) => `${k}: ${describeShape(s)}`).join(', ')} }`;
}
