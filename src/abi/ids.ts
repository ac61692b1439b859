// Branded ids: a Pid is not an Fd is not a block number, and the compiler says so.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type Pid = Brand<number, 'Pid'>;
export type Fd = Brand<number, 'Fd'>;
export type CapId = Brand<number, 'CapId'>;
export type BlockNo = Brand<number, 'BlockNo'>;
export type Ino = Brand<number, 'Ino'>;
export type HandleId = Brand<number, 'HandleId'>;

/** A pointer into a process's user memory: untrusted until copyin/copyout checked it. */
export type UserPtr = Brand<number, 'UserPtr'>;

export const asPid = (n: number): Pid => n as Pid;
export const asFd = (n: number): Fd => n as Fd;
export const asIno = (n: number): Ino => n as Ino;
export const asBlockNo = (n: number): BlockNo => n as BlockNo;
export const asHandle = (n: number): HandleId => n as HandleId;
export const asUserPtr = (n: number): UserPtr => n as UserPtr;
