// What every browser worker entry point shares: a macrotask yield (a MessageChannel
// round trip: setTimeout(0) is clamped to 4 ms once nested) and the way a worker
// reports that it ended (browsers give the creator no exit event, so the worker says
// so itself before it closes).

const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => { waiting.shift()?.(); };

export function yieldMacrotask(): Promise<void> {
  return new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });
}

/** Tells the creator this worker ends (by `error`, when given) and closes it. */
export function reportExit(error?: unknown): void {
  const text = error === undefined ? undefined : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  postMessage({ type: '__exit', error: text });
  close();
}

/** From now on an uncaught error or rejection ends this worker, as it ends a Node worker thread. */
export function endOnUncaught(): void {
  addEventListener('error', (e) => { e.preventDefault(); reportExit(e.error ?? e.message); });
  addEventListener('unhandledrejection', (e) => { e.preventDefault(); reportExit(e.reason); });
}
