// `npm run bench [-- --quick] [-- --out DIR] [-- --only sequential,pipelined,observe]`: runs the suites of
// bench/suites.ts, prints one table on stdout (progress goes to stderr), and writes the same as
// JSON and Markdown to bench/results/ (latest.json, latest.md, plus a timestamped JSON copy).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable, textTable, type Row, type SuiteContext } from './lib.js';
import { largePayload, smallPayload } from './contract.js';
import { IN_FLIGHT } from './pipelined.js';
import { SUITES } from './suites.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = args.quick === true;
const outDir = path.resolve(args.out ?? fileURLToPath(new URL('./results/', import.meta.url)));
const only = args.only?.split(',').map((s) => s.trim());
/** The whole run's bound: past it the bench ends its workers and fails. */
// Quick: ~2 min on 2 cores at a load average of 15-20 since the reload suite (three clusters, each
// reloaded idle and under load) joined.
const WATCHDOG_MS = quick ? 240_000 : 1_200_000;

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
  readonly platform: string;
  readonly memoryGiB: number;
  readonly loadavgStart: readonly number[];
  loadavgEnd?: readonly number[];
}

/** The CPU as /proc/cpuinfo names it, with family/model/stepping and clock (a VM may name only the brand). */
function cpuModel(): string {
  try {
    const first = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0] ?? '';
    const field = (name: string): string | undefined => {
      const line = first.split('\n').find((l) => l.startsWith(name));
      return line === undefined ? undefined : line.slice(line.indexOf(':') + 1).trim();
    };
    const name = field('model name');
    if (name !== undefined) {
      const mhz = field('cpu MHz');
      const detail = [`family ${field('cpu family') ?? '?'} model ${field('model\t') ?? '?'} stepping ${field('stepping') ?? '?'}`, mhz === undefined ? undefined : `${Math.round(Number(mhz))} MHz`];
      return `${name} (${detail.filter((d) => d !== undefined).join(', ')})`;
    }
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

const machine: Machine = {
  nproc: os.availableParallelism(),
  cpu: cpuModel(),
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  loadavgStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
};

const method = [
  'Load generator: closed-loop, in the primary process (no external tool): sequential = one call in flight;',
  `pipelined = ${IN_FLIGHT.toLocaleString('en-US')} async lanes. IPC: node:cluster channels (process.send / worker.send).`,
  'The raw echo, birpc, the naive typed RPC (nanoid + zod, bench/naive.ts) and typed-cluster-rpc share each worker\'s channel,',
  'each ignoring the others\' messages by tag; they run in alternating blocks (order rotated every round) on the same workers.',
  'Handlers are async ((x) => Promise) unless a row says "sync handler". "First 2,000 calls": a fresh primary and worker per',
  'contestant and round (bench/cold.ts). Values are medians over repeats; ratio = contestant / baseline per repeat (median,',
  'min–max); Δ = contestant − baseline per repeat (median), latency rows only. Lower latency, higher throughput is better.',
  `Payloads: ~100 B = ${JSON.stringify(smallPayload()).length} B, ~10 KB = ${JSON.stringify(largePayload()).length} B as JSON.`,
  '"validation off" = a pass-through Standard Schema (a procedure with no schema carries no value); "zod on" = z.object input and output schemas.',
].join('\n');

const cleanups: (() => Promise<void> | void)[] = [];
const log = (message: string): void => {
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);
};
const ctx: SuiteContext = { quick, log, defer: (fn) => void cleanups.push(fn) };
const startedAt = performance.now();

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`cleanup failed: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

function abort(reason: string, code: number): void {
  log(reason);
  process.exitCode = code;
  // Clean up within a bound, then leave whatever else is pending.
  setTimeout(() => process.exit(code), 10_000).unref();
  void cleanup().then(() => process.exit(code));
}

const watchdog = setTimeout(() => abort(`watchdog: the bench did not finish within ${WATCHDOG_MS / 1000} s`, 1), WATCHDOG_MS);
watchdog.unref();
process.once('SIGINT', () => abort('interrupted (SIGINT)', 130));
process.once('SIGTERM', () => abort('terminated (SIGTERM)', 143));

function write(rows: Row[], error: string | undefined, durationMs: number): void {
  machine.loadavgEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const date = new Date();
  const report = { date: date.toISOString(), mode: quick ? 'quick' : 'full', durationMs: Math.round(durationMs), machine, method, error, rows };
  const md = [
    `# typed-cluster-rpc benchmark (${report.mode}, ${report.date})`,
    '',
    `Machine: ${machine.nproc} CPUs (nproc), ${machine.cpu}, Node ${machine.node}, ${machine.platform}, ${machine.memoryGiB} GiB;`,
    `load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end. Run time ${(durationMs / 1000).toFixed(1)} s.`,
    '',
    method,
    '',
    markdownTable(rows),
    ...(error === undefined ? [] : ['', `**The run failed:** ${error}`]),
    '',
  ].join('\n');
  mkdirSync(outDir, { recursive: true });
  const stamp = date.toISOString().replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(outDir, `run-${report.mode}-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'latest.md'), md);
  log(`wrote ${path.join(outDir, 'latest.json')} and latest.md`);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  let error: string | undefined;
  const suites = SUITES.filter((s) => only === undefined || only.includes(s.name));
  if (only !== undefined && suites.length !== only.length) throw new Error(`--only: unknown suite in ${only.join(',')} (known: ${SUITES.map((s) => s.name).join(', ')})`);
  log(`${quick ? 'quick' : 'full'} run on ${machine.nproc} x ${machine.cpu}, Node ${machine.node}; suites: ${suites.map((s) => s.name).join(', ')}`);
  try {
    for (const suite of suites) {
      const t0 = performance.now();
      rows.push(...(await suite.run(ctx)));
      log(`suite ${suite.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(`FAILED: ${error}`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
  // Sections in the order; rows keep their order within a section.
  rows.sort((a, b) => a.section.localeCompare(b.section));
  const durationMs = performance.now() - startedAt;
  process.stdout.write(`typed-cluster-rpc benchmark (${quick ? 'quick' : 'full'}) on ${machine.nproc} x ${machine.cpu}, Node ${machine.node}\n${method}\n\n${textTable(rows)}\n`);
  write(rows, error, durationMs);
  log(`done in ${(durationMs / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  process.exitCode = 1;
  log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void cleanup();
});
