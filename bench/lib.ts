// Shared pieces of the benchmark suite: the row and suite shapes, statistics, bounded waits, and
// the table in text and Markdown.

/** Whether a smaller or a larger value of a measure is better. */
export type Better = 'lower' | 'higher';

/**
 * The unit of a row's values: latencies (lower is better), throughputs (higher is better), or
 * `failed`, a count of failed requests (lower is better).
 */
export type Unit = 'µs' | 'ms' | 'calls/s' | 'req/s' | 'failed';

/** Whether lower or higher values of `unit` are better. */
export const betterOf = (unit: Unit): Better => (unit === 'calls/s' || unit === 'req/s' ? 'higher' : 'lower');

/** Whether `unit` is a latency (those rows also report the difference contestant − baseline). */
const isLatency = (unit: Unit): boolean => unit === 'µs' || unit === 'ms';

/**
 * A target of the issue, checked against a row's median ratio, or with `of: 'contestant'`
 * against the contestant's median value itself, in the row's unit (an absolute target: "≤ 50 ms",
 * "0 failed requests").
 */
export interface Target {
  readonly op: '<=' | '>=' | '<';
  readonly value: number;
  readonly of?: 'ratio' | 'contestant';
}

/** One line of the results: a contestant against its baseline, measured in the same run. */
export interface Row {
  /** Stable identifier, e.g. `seq.small.p50.rpc`. */
  readonly id: string;
  /** The section: `1 sequential`, `2 pipelined`, … */
  readonly section: string;
  readonly measure: string;
  readonly unit: Unit;
  readonly better: Better;
  readonly baseline: string;
  readonly contestant: string;
  /** Medians over repeats. */
  readonly baselineValue: number;
  readonly contestantValue: number;
  /** Median over repeats of contestant / baseline, each repeat's pair measured back to back. */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  /**
   * Latency rows only: median over repeats of contestant − baseline (paired by repeat), in the
   * row's unit: the fixed cost a user pays per call, whatever the IPC regime.
   */
  readonly delta?: number;
  readonly repeats: number;
  readonly target?: Target;
  /** Whether the row meets its target (the median ratio, or the contestant for an absolute one), when there is one. */
  readonly met?: boolean;
}

/** What one repeat measured for a contestant: a latency or a throughput. */
export type Samples = readonly number[];

export interface RowSpec {
  readonly id: string;
  readonly section: string;
  readonly measure: string;
  readonly unit: Unit;
  readonly baseline: string;
  readonly contestant: string;
  readonly target?: Target;
}

/** A row from per-repeat values of its baseline and its contestant (same length, paired by repeat). */
export function makeRow(spec: RowSpec, baseline: Samples, contestant: Samples): Row {
  if (baseline.length === 0 || baseline.length !== contestant.length) {
    throw new Error(`row ${spec.id}: ${baseline.length} baseline and ${contestant.length} contestant repeats`);
  }
  // A count of failures is often 0 on both sides: 0 / 0 is "the same" (1), n / 0 is Infinity.
  const ratios = baseline.map((b, i) => (b === 0 && contestant[i] === 0 ? 1 : contestant[i]! / b));
  const ratio = median(ratios);
  const better = betterOf(spec.unit);
  const row: Row = {
    ...spec,
    better,
    baselineValue: median(baseline),
    contestantValue: median(contestant),
    ratio,
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    ...(isLatency(spec.unit) ? { delta: median(baseline.map((b, i) => contestant[i]! - b)) } : {}),
    repeats: ratios.length,
  };
  if (spec.target === undefined) return row;
  return { ...row, met: meets(spec.target, targetSubject(spec.target, ratio, row.contestantValue)) };
}

/** What `target` is checked against: the median ratio, or the contestant's median value for an absolute target. */
export const targetSubject = (target: Target, ratio: number, contestantValue: number): number => (target.of === 'contestant' ? contestantValue : ratio);

/** Whether `value` (the median ratio, or the contestant's value for an absolute target) meets `target`. */
export function meets(target: Target, value: number): boolean {
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
    case '>=':
      return value >= target.value;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..1) of samples sorted ascending. */
export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

export interface LatencyStats {
  readonly p50: number;
  readonly p99: number;
}

/** `n` calls one after the other, their latencies (ms) written to `into` from `at`. */
export async function block(call: () => Promise<unknown>, n: number, into: Float64Array, at: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    into[at + i] = performance.now() - started;
  }
}

/** p50 and p99 in µs of latencies in ms. */
export function latencyStats(samples: Float64Array): LatencyStats {
  const sorted = samples.slice().sort();
  return { p50: percentile(sorted, 0.5) * 1000, p99: percentile(sorted, 0.99) * 1000 };
}

/** Rejects with `label` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The context every suite runs in. */
export interface SuiteContext {
  readonly quick: boolean;
  /** Progress, to stderr (stdout carries the table only). */
  log(message: string): void;
  /** Registers a cleanup step run when the bench ends, however it ends (last registered, first run). */
  defer(cleanup: () => Promise<void> | void): void;
}

/** One group of measurements. The list in bench/suites.ts is the extension point (HTTP goes there). */
export interface Suite {
  readonly name: string;
  /** The rows this suite produces, known before it runs (the quick-bench test checks them all). */
  rows(quick: boolean): RowSpec[];
  run(ctx: SuiteContext): Promise<Row[]>;
}

// ---- formatting ----

/** A row's value with its unit, as the tables print it. */
export function fmtValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'calls/s':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'req/s':
      return `${Math.round(value).toLocaleString('en-US')} req/s`;
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toString()} ms`;
    case 'µs':
      return `${value < 100 ? value.toFixed(1) : Math.round(value).toString()} µs`;
    case 'failed':
      return `${Math.round(value).toLocaleString('en-US')} failed`;
  }
}

const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : String(r));

/** A latency difference with its sign and unit ('' for throughput rows). */
export function fmtDelta(delta: number | undefined, unit: Unit): string {
  if (delta === undefined) return '';
  if (!Number.isFinite(delta)) return String(delta);
  const abs = Math.abs(delta);
  const digits = abs < 10 ? 1 : 0;
  const text = unit === 'ms' && abs < 10 ? abs.toFixed(2) : abs.toFixed(digits);
  return `${delta < 0 ? '−' : '+'}${text} ${unit}`;
}

/** A target's bound as the tables print it: `<= 1.15` on the ratio, `<= 50.0 ms` absolute. */
export const fmtTargetBound = (target: Target, unit: Unit): string => `${target.op} ${target.of === 'contestant' ? fmtValue(target.value, unit) : target.value.toFixed(2)}`;

function fmtTarget(row: Row): string {
  if (row.target === undefined) return '';
  return `${fmtTargetBound(row.target, row.unit)} ${row.met === true ? 'met' : 'MISSED'}`;
}

const HEADER = ['measure', 'baseline', 'contestant', 'baseline', 'contestant', 'Δ', 'ratio', 'min–max', 'better', 'target'] as const;
/** Columns printed right-aligned: the values, the difference and the ratios. */
const NUMERIC_FROM = 3;
const NUMERIC_TO = 7;

function cells(row: Row): string[] {
  return [
    row.measure,
    row.baseline,
    row.contestant,
    fmtValue(row.baselineValue, row.unit),
    fmtValue(row.contestantValue, row.unit),
    fmtDelta(row.delta, row.unit),
    fmtRatio(row.ratio),
    `${fmtRatio(row.ratioMin)}–${fmtRatio(row.ratioMax)}`,
    row.better === 'lower' ? 'lower ↓' : 'higher ↑',
    fmtTarget(row),
  ];
}

/** The table as aligned text, one section after another. */
export function textTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((cell, i) => (i >= NUMERIC_FROM && i <= NUMERIC_TO ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  ')];
  let section = '';
  rows.forEach((row, i) => {
    if (row.section !== section) {
      section = row.section;
      out.push(`[${section}]`);
    }
    out.push(line(body[i]!));
  });
  return out.join('\n');
}

/** The table in Markdown, one section after another. */
export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const out = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i >= NUMERIC_FROM && i <= NUMERIC_TO ? ' ---: ' : ' --- ')).join('|')}|`];
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push(`| **${esc(section)}** |${' |'.repeat(HEADER.length - 1)}`);
    }
    out.push(`| ${cells(row).map(esc).join(' | ')} |`);
  }
  return out.join('\n');
}
