// 8. The cost of observability (issue 12): pipelined calls (1,000 in flight, 'advanced' IPC, zod
// on, async handler) with the endpoint's `metrics` on both sides against none, and with `tracing`
// loaded over an OpenTelemetry SDK that samples nothing (AlwaysOffSampler) against no tracing,
// the calls made inside an unsampled request span in both. Four hubs of their own, one worker
// each; the contestants alternate in chunks so that each meets the same background load.
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createPrimary, type PrimaryHub, type PrimaryOptions, type WorkerHandle } from '../src/index.js';
import { createRpcMetrics, MetricsRegistry } from '../src/metrics/index.js';
import { loadRpcTracing } from '../src/tracing/index.js';
import { benchContract, smallPayload } from './contract.js';
import { makeRow, withTimeout, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';
import { IN_FLIGHT, pipelined } from './pipelined.js';

type C = typeof benchContract;
const SECTION = '8 cost of observability (issue 12)';
const WORKER_SCRIPT = fileURLToPath(new URL('./fixtures/observe-worker.ts', import.meta.url));
const MEASURE = `pipelined calls per CPU-second, primary + worker (advanced, ${IN_FLIGHT.toLocaleString('en-US')} in flight, zod on, async handler)`;

const SPECS: readonly RowSpec[] = [
  { id: 'observe.metrics', section: SECTION, measure: MEASURE, unit: 'calls/s', baseline: 'no metrics', contestant: 'metrics option on both sides', target: { op: '>=', value: 0.95 } },
  {
    id: 'observe.tracing',
    section: SECTION,
    measure: `${MEASURE}, in an unsampled span`,
    unit: 'calls/s',
    baseline: 'no tracing',
    contestant: 'tracing option on both sides, SDK with AlwaysOffSampler',
    target: { op: '>=', value: 0.9 },
  },
];

const config = (quick: boolean) => (quick ? { repeats: 2, calls: 4_000, chunks: 2, warmup: 2_000 } : { repeats: 5, calls: 100_000, chunks: 10, warmup: 20_000 });

type Name = 'plain' | 'metrics' | 'plainInSpan' | 'tracing';

/** A hub of its own with one worker in `mode`, ended when the bench ends. */
async function start(ctx: SuiteContext, mode: 'none' | 'metrics' | 'tracing', options: PrimaryOptions<C>): Promise<WorkerHandle<C>> {
  const hub: PrimaryHub<C> = createPrimary(benchContract, options);
  cluster.setupPrimary({ exec: WORKER_SCRIPT });
  const handle = hub.fork({ OBSERVE: mode });
  ctx.defer(() => end(hub, handle.worker));
  await withTimeout(handle.call('echo', smallPayload(), { timeout: 30_000 }), 35_000, `observe worker (${mode}) ready`);
  return handle;
}

async function end(hub: PrimaryHub<C>, worker: Worker): Promise<void> {
  await hub.close().catch(() => {});
  const child = worker.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (worker.isConnected()) worker.disconnect();
  await withTimeout(exited, 3_000, 'observe worker exit').catch(() => child.kill('SIGKILL'));
}

/** The primary's SDK, registered for this suite only: it samples nothing. */
function registerSdk(ctx: SuiteContext): void {
  const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  ctx.defer(() => {
    trace.disable();
    context.disable();
  });
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc; undefined where there is none. */
function procCpu(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Runs one chunk and returns what it cost: the CPU seconds of this process and of the worker that
 * served it (on a shared 2-core machine, wall-clock throughput swings with the neighbours' load,
 * while CPU per call does not), or wall-clock seconds where /proc is missing.
 */
async function cost(chunk: () => Promise<number>, workerPid: number | undefined): Promise<number> {
  const worker = procCpu(workerPid);
  const mine = process.cpuUsage();
  const wall = await chunk();
  const workerAfter = procCpu(workerPid);
  if (worker === undefined || workerAfter === undefined) return wall;
  const used = process.cpuUsage(mine);
  return (used.user + used.system) / 1e6 + (workerAfter - worker);
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const { repeats, calls, chunks, warmup } = config(ctx.quick);
  const chunk = Math.ceil(calls / chunks);
  registerSdk(ctx);
  const tracing = await loadRpcTracing();
  if (tracing === undefined) throw new Error('observe: @opentelemetry/api is not installed');
  const payload = smallPayload();
  const plain = await start(ctx, 'none', { serialization: 'advanced' });
  const metered = await start(ctx, 'metrics', { serialization: 'advanced', metrics: createRpcMetrics(new MetricsRegistry()) });
  const traced = await start(ctx, 'tracing', { serialization: 'advanced', tracing });
  // An unsampled request span, as an HTTP server's instrumentation would leave with nothing sampled.
  const unsampled = trace.setSpan(context.active(), trace.getTracer('bench').startSpan('request'));
  const contestants: Record<Name, () => Promise<number>> = {
    plain: () => pipelined(() => plain.call('echo', payload), chunk, IN_FLIGHT),
    metrics: () => pipelined(() => metered.call('echo', payload), chunk, IN_FLIGHT),
    plainInSpan: () => context.with(unsampled, () => pipelined(() => plain.call('echo', payload), chunk, IN_FLIGHT)),
    tracing: () => context.with(unsampled, () => pipelined(() => traced.call('echo', payload), chunk, IN_FLIGHT)),
  };
  const pids: Record<Name, number | undefined> = { plain: plain.pid, metrics: metered.pid, plainInSpan: plain.pid, tracing: traced.pid };
  const names = Object.keys(contestants) as Name[];
  const bound = Math.max(30_000, chunk / 2);
  for (const handle of [plain, metered, traced]) await withTimeout(pipelined(() => handle.call('echo', payload), warmup, IN_FLIGHT), Math.max(30_000, warmup / 2), 'observe warm-up');
  ctx.log(`observe: ${repeats} repeats x ${names.length} contestants x ${chunks} chunks x ${chunk} calls, ${IN_FLIGHT} in flight`);
  const results = new Map<Name, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < repeats; r++) {
    const seconds = new Map<Name, number>(names.map((n) => [n, 0]));
    for (let c = 0; c < chunks; c++) {
      // Rotated every chunk and repeat, so that no contestant always follows the same one.
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + c + r) % names.length]!;
        seconds.set(name, seconds.get(name)! + (await withTimeout(cost(contestants[name], pids[name]), bound, `observe ${name}`)));
      }
    }
    for (const name of names) results.get(name)!.push((chunk * chunks) / seconds.get(name)!);
    ctx.log(`  repeat ${r + 1}: ${names.map((n) => `${n} ${Math.round(results.get(n)!.at(-1)!)}/s`).join(', ')}`);
  }
  const get = (name: Name): number[] => results.get(name)!;
  return [makeRow(SPECS[0]!, get('plain'), get('metrics')), makeRow(SPECS[1]!, get('plainInSpan'), get('tracing'))];
}

export const observeSuite: Suite = { name: 'observe', rows: () => [...SPECS], run };
