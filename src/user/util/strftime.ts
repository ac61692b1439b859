// strftime for date(1), in UTC and the C locale: the conversions GNU date knows
// that people use (%Y %m %d %H %M %S %y %C %j %e %k %l %I %p %P %a %A %b %B %h %u %w
// %s %N %F %T %D %R %r %c %x %X %Z %z %:z %n %t %%) with the flags - _ 0 ^.

const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Formats `ns` nanoseconds since the epoch with `format`, as GNU date -u does. */
export function strftime(format: string, ns: number): string {
  const seconds = Math.floor(ns / 1e9);
  const nanos = Math.round(ns - seconds * 1e9);
  const d = new Date(seconds * 1000);
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  const yearStart = Date.UTC(year, 0, 1);
  const dayOfYear = Math.floor((d.getTime() - yearStart) / 86400000) + 1;
  const num = (v: number, width: number, pad: string, flag: string): string => {
    if (flag === '-') return String(v);
    const p = flag === '_' ? ' ' : flag === '0' ? '0' : pad;
    const s = String(Math.abs(v)).padStart(width, p);
    return v < 0 ? '-' + s : s;
  };
  const text = (s: string, flag: string, upper: boolean): string => (upper ? s.toUpperCase() : s);
  const conv = (c: string, flag: string, upper: boolean): string | null => {
    switch (c) {
      case 'Y': return num(year, 1, '0', flag);
      case 'C': return num(Math.floor(year / 100), 2, '0', flag);
      case 'y': return num(year % 100, 2, '0', flag);
      case 'm': return num(d.getUTCMonth() + 1, 2, '0', flag);
      case 'd': return num(d.getUTCDate(), 2, '0', flag);
      case 'e': return num(d.getUTCDate(), 2, ' ', flag);
      case 'j': return num(dayOfYear, 3, '0', flag);
      case 'H': return num(hour, 2, '0', flag);
      case 'k': return num(hour, 2, ' ', flag);
      case 'I': return num(hour % 12 === 0 ? 12 : hour % 12, 2, '0', flag);
      case 'l': return num(hour % 12 === 0 ? 12 : hour % 12, 2, ' ', flag);
      case 'M': return num(d.getUTCMinutes(), 2, '0', flag);
      case 'S': return num(d.getUTCSeconds(), 2, '0', flag);
      case 'N': return String(nanos).padStart(9, '0');
      case 's': return String(seconds);
      case 'u': return String(d.getUTCDay() === 0 ? 7 : d.getUTCDay());
      case 'w': return String(d.getUTCDay());
      case 'p': return text(hour < 12 ? 'AM' : 'PM', flag, upper);
      case 'P': return hour < 12 ? 'am' : 'pm';
      case 'a': return text((days[d.getUTCDay()] as string).slice(0, 3), flag, upper);
      case 'A': return text(days[d.getUTCDay()] as string, flag, upper);
      case 'b': case 'h': return text((months[d.getUTCMonth()] as string).slice(0, 3), flag, upper);
      case 'B': return text(months[d.getUTCMonth()] as string, flag, upper);
      case 'Z': return text('UTC', flag, upper);
      case 'z': return '+0000';
      case 'F': return `${num(year, 4, '0', '')}-${conv('m', '', false)}-${conv('d', '', false)}`;
      case 'T': return `${conv('H', '', false)}:${conv('M', '', false)}:${conv('S', '', false)}`;
      case 'R': return `${conv('H', '', false)}:${conv('M', '', false)}`;
      case 'D': case 'x': return `${conv('m', '', false)}/${conv('d', '', false)}/${conv('y', '', false)}`;
      case 'X': return conv('T', '', false);
      case 'r': return `${conv('I', '', false)}:${conv('M', '', false)}:${conv('S', '', false)} ${conv('p', '', false)}`;
      case 'c': return `${conv('a', '', false)} ${conv('b', '', false)} ${conv('e', '', false)} ${conv('T', '', false)} ${year}`;
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return '%';
      default: return null;
    }
  };
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] as string;
    if (ch !== '%') { out += ch; continue; }
    let j = i + 1;
    let flag = '';
    let upper = false;
    while (j < format.length && '-_0^#'.includes(format[j] as string)) {
      if (format[j] === '^') upper = true; else if (format[j] !== '#') flag = format[j] as string;
      j++;
    }
    if (format.startsWith(':z', j)) { out += '+00:00'; i = j + 1; continue; }
    const c = format[j];
    const r = c === undefined ? null : conv(c, flag, upper);
    if (r === null) { out += format.slice(i, j + 1); i = j; continue; }
    out += r;
    i = j;
  }
  return out;
}
