// Prometheus text exposition format 0.0.4: HELP and TYPE lines, escaping, histogram buckets with
// `+Inf`, `_sum` and `_count`. Pure; the output is sorted, so equal data renders equal text.
import type { Labels, MetricFamily, SampleValue } from './snapshot.js';

/**
 * The `Content-Type` of the text this module renders.
 * @public
 */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A number as the format writes it: `+Inf`, `-Inf`, `NaN`, or JavaScript's shortest round-trip form. */
export function formatValue(value: SampleValue): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The order of series in a family: by label names and values, a label set before its extensions. */
function orderKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((n) => `${n}\u0002${labels[n]}`)
    .join('\u0001');
}

/** `{a="1",b="2"}` with names sorted, plus an extra label last (`le`, `quantile`); `''` for none. */
function renderLabels(labels: Labels, extra?: readonly [string, string]): string {
  const names = Object.keys(labels).sort();
  const parts = names.map((n) => `${n}="${escapeValue(labels[n]!)}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeValue(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function familyLines(family: MetricFamily): string[] {
  const { name } = family;
  switch (family.type) {
    case 'counter':
    case 'gauge':
      return sorted(family.series.map((s) => [orderKey(s.labels), [`${name}${renderLabels(s.labels)} ${formatValue(s.value)}`]]));
    case 'histogram':
      return sorted(
        family.series.map((s) => {
          const lines = family.bounds.map((b, i) => `${name}_bucket${renderLabels(s.labels, ['le', formatValue(b)])} ${s.buckets[i]}`);
          lines.push(`${name}_bucket${renderLabels(s.labels, ['le', '+Inf'])} ${s.count}`);
          lines.push(`${name}_sum${renderLabels(s.labels)} ${formatValue(s.sum)}`, `${name}_count${renderLabels(s.labels)} ${s.count}`);
          return [orderKey(s.labels), lines];
        }),
      );
    case 'summary':
      return sorted(
        family.series.map((s) => {
          const lines = s.quantiles.map(([q, v]) => `${name}${renderLabels(s.labels, ['quantile', formatValue(q)])} ${formatValue(v)}`);
          lines.push(`${name}_sum${renderLabels(s.labels)} ${formatValue(s.sum)}`, `${name}_count${renderLabels(s.labels)} ${s.count}`);
          return [orderKey(s.labels), lines];
        }),
      );
  }
}

function sorted(entries: [string, string[]][]): string[] {
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.flatMap((e) => e[1]);
}

/**
 * Renders metric families as Prometheus text (format 0.0.4), sorted by family name and, within
 * a family, by label set. Families must have distinct names (a merged snapshot has).
 * @public
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const ordered = [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const family of ordered) {
    out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`, ...familyLines(family));
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
