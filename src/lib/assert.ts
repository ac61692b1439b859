// Assertions that name the invariant they guard.

export class AssertionError extends Error {
  constructor(message: string) { super(`assertion failed: ${message}`); this.name = 'AssertionError'; }
}

export function assert(cond: unknown, invariant: string): asserts cond {
  if (!cond) throw new AssertionError(invariant);
}

export function unreachable(x: never, what: string): never {
  throw new AssertionError(`unreachable ${what}: ${String(x)}`);
}
