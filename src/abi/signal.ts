// Signal numbers (Linux values) and their default actions.

export const Signal = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGABRT: 6, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17,
  SIGCONT: 18, SIGSTOP: 19, SIGXCPU: 24, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
} as const;

export const NSIG = 32;

const names = new Map<number, string>(Object.entries(Signal).map(([k, v]) => [v, k]));

export function signalName(sig: number): string {
  return names.get(sig) ?? `SIG${sig}`;
}

export function signalNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return (Signal as Record<string, number>)[full];
}

/** Dispositions a process can set with sigaction. */
export const SigDisposition = { DEFAULT: 0, IGNORE: 1, HANDLE: 2 } as const;

/** Whether the default action of `sig` is to stop the process (until SIGCONT). */
export function stopsByDefault(sig: number): boolean {
  return sig === Signal.SIGSTOP || sig === Signal.SIGTSTP || sig === Signal.SIGTTIN || sig === Signal.SIGTTOU;
}

/** Whether the default action of `sig` is to ignore it (the rest stop or terminate). */
export function defaultIgnored(sig: number): boolean {
  return sig === Signal.SIGCHLD || sig === Signal.SIGCONT;
}
