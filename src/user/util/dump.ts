// What od and hexdump share: input bytes cut into fixed-width lines, a run of
// identical full lines after the first shown as one "*" line (unless verbose), and
// the total length as the last offset.

/** Writes `data` line by line with `format(chunk, offset)`; returns the lines. */
export function dumpLines(data: Uint8Array, width: number, verbose: boolean, format: (chunk: Uint8Array, offset: number) => string): string[] {
  const out: string[] = [];
  let previous: Uint8Array | null = null;
  let starred = false;
  for (let at = 0; at < data.length; at += width) {
    const chunk = data.subarray(at, at + width);
    const same = !verbose && previous !== null && chunk.length === width && previous.length === width && chunk.every((b, i) => b === previous![i]);
    previous = chunk;
    if (same) {
      if (!starred) out.push('*');
      starred = true;
      continue;
    }
    starred = false;
    out.push(format(chunk, at));
  }
  return out;
}

/** The byte as shown in a dump's text column: itself if printable ASCII, else '.'. */
export function printableOrDot(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** `n` in lowercase hex, zero-padded to `width`. */
export const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
