// Name resolution from /etc/hosts: a dotted quad stands for itself, a name is looked
// up in /etc/hosts (first match; "localhost" is 127.0.0.1 even without the file).
import { open, read, close, O, parseIpv4, SysError, Errno } from '../libc/index.js';

/** The IPv4 address `name` stands for; SysError(ENOENT) when /etc/hosts does not know it. */
export function resolveHost(name: string): string {
  if (parseIpv4(name) !== undefined) return name;
  for (const line of readHosts().split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length >= 2 && parseIpv4(fields[0]!) !== undefined && fields.slice(1).includes(name)) return fields[0]!;
  }
  if (name === 'localhost') return '127.0.0.1';
  throw new SysError(Errno.ENOENT, 'resolve', `${name}: unknown host`);
}

function readHosts(): string {
  let fd: number;
  try { fd = open('/etc/hosts', O.RDONLY); } catch { return ''; }
  try {
    let text = '';
    const decoder = new TextDecoder();
    for (let i = 0; i < 64; i++) {
      const b = read(fd, 65536);
      if (b.length === 0) break;
      text += decoder.decode(b, { stream: true });
    }
    return text;
  } finally {
    close(fd);
  }
}
