// A usage error: the CLI prints its message on one line and exits with status 2.
export class UsageError extends Error {}

/** What a command group's register function gets to report its exit status. */
export interface StatusSink { set(status: number): void }
