// The lab's figures drawn in the page (HTML and CSS, no canvas: every bar is an element
// a test or a screen reader can read, with its figure as text beside it): times on a
// log scale with their 95% intervals as whiskers, ratios to monolithic on a log scale
// around 1x, and the trusted computing base as stacked bars (kernel domain vs rest).

import type { TcbRow } from '../lab/tcb.js';
import { el, formatUs } from './dom.js';

/** Position (0–100%) of `x` on a log scale from `low` to `high`. */
export function logPosition(x: number, low: number, high: number): number {
  if (!(x > 0)) return 0;
  return Math.max(0, Math.min(100, (100 * Math.log(x / low)) / Math.log(high / low)));
}

export interface TimeBar { label: string; us: number; lowUs: number; highUs: number; note?: string }

/**
 * One chart: a row per bar, the median as a bar on a log scale of µs that spans every
 * interval of the chart (rounded out to powers of ten), the interval as a whisker.
 */
export function timeChart(caption: string, bars: TimeBar[], attrs: Record<string, string> = {}): HTMLElement {
  const finite = bars.filter((b) => b.us > 0);
  const low = 10 ** Math.floor(Math.log10(Math.min(...finite.map((b) => b.lowUs > 0 ? b.lowUs : b.us), 1))), high = 10 ** Math.ceil(Math.log10(Math.max(...finite.map((b) => b.highUs), 10)));
  return el('table', { class: 'chart', ...attrs },
    el('caption', {}, `${caption} (log scale, ${formatUs(low)} – ${formatUs(high)}; the whisker is the 95% interval)`),
    el('tbody', {}, ...bars.map((b) => el('tr', {},
      el('th', { scope: 'row' }, b.label),
      el('td', { class: 'plot' }, b.us > 0 ? el('div', { class: 'bar' },
        el('span', { class: 'fill', style: `width:${logPosition(b.us, low, high)}%` }),
        el('span', { class: 'whisker', style: `left:${logPosition(b.lowUs, low, high)}%;width:${Math.max(0.5, logPosition(b.highUs, low, high) - logPosition(b.lowUs, low, high))}%` })) : el('span', {}, '')),
      el('td', {}, b.us > 0 ? `${formatUs(b.us)} [${formatUs(b.lowUs)}–${formatUs(b.highUs)}]` : b.note ?? 'not measured')))));
}

/** A ratio and its interval on a log scale from 1/8x to 16x, with a line at 1x. */
export function ratioBar(point: number, low: number, high: number): HTMLElement {
  const at = (x: number): number => logPosition(x, 1 / 8, 16);
  return el('div', { class: 'bar log' },
    el('span', { class: 'one', style: `left:${at(1)}%` }),
    el('span', { class: 'whisker', style: `left:${at(low)}%;width:${Math.max(0.5, at(high) - at(low))}%` }),
    el('span', { class: 'dot', style: `left:${at(point)}%` }));
}

/** Kernel-domain lines against the whole system's, per preset, as stacked bars. */
export function tcbChart(tcb: TcbRow[]): HTMLElement {
  const most = Math.max(1, ...tcb.map((t) => t.total_loc));
  return el('table', { class: 'cells tcb' },
    el('caption', {}, 'lines of code per preset: kernel domain (red) and the rest of the same system (blue)'),
    el('tbody', {}, ...tcb.map((t) => el('tr', { 'data-preset': t.preset },
      el('th', { scope: 'row' }, t.preset),
      el('td', {}, el('div', { class: 'bar stacked' },
        el('span', { class: 'kernel', style: `width:${(100 * t.kernel_loc) / most}%` }),
        el('span', { class: 'rest', style: `left:${(100 * t.kernel_loc) / most}%;width:${(100 * (t.total_loc - t.kernel_loc)) / most}%` }))),
      el('td', {}, `kernel ${t.kernel_loc} of ${t.total_loc} lines (${t.kernel_components.join(', ') || 'no components'} in the kernel)`)))));
}
