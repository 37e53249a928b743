// 1. Sequential round trip, one call in flight, ~100 B and ~10 KB payloads, over 'json' and
// 'advanced' IPC: worker.call (zod on, async handler, and a synchronous handler beside it) against
// a bare process.send echo, birpc and the naive typed RPC (bench/naive.ts) on the same worker, in
// alternating blocks; and the sequential half of 5. cost of safety (validation off/on,
// captureCallStack off/on), on 'advanced'. Latency rows carry the paired difference (Δ, µs) as
// well as the ratio: the fixed cost per call, which the ratio hides when the IPC regime changes.
import { isDeepStrictEqual } from 'node:util';
import type { Serialization } from '../src/index.js';
import { largePayload, smallPayload, type Payload } from './contract.js';
import { sharedWorkers, type Contestants } from './ipc.js';
import { block, latencyStats, makeRow, withTimeout, type LatencyStats, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const seqSection = (s: Serialization): string => `1 sequential round trip (${s} IPC)`;
const SAFETY = '5 cost of safety';

interface Config {
  /** Repeats: each gives one p50/p99 per contestant, and one ratio per row. */
  readonly repeats: number;
  /** Blocks per contestant in one repeat, alternating contestants block by block. */
  readonly blocks: number;
  /** Calls per block. */
  readonly calls: number;
  readonly warmup: number;
}

// Blocks are short because this machine's round trip flips between regimes (~30 µs and ~70-90 µs,
// as the scheduler moves the two processes between its vCPUs) every few hundred milliseconds:
// short alternating blocks give every contestant the same mix of regimes within a repeat.
const config = (quick: boolean): Config =>
  quick ? { repeats: 3, blocks: 4, calls: 50, warmup: 300 } : { repeats: 5, blocks: 20, calls: 100, warmup: 2_000 };

type Size = 'small' | 'large';
const SIZES: readonly Size[] = ['small', 'large'];
const SERIALIZATIONS: readonly Serialization[] = ['json', 'advanced'];
const sizeLabel = (size: Size): string => (size === 'small' ? `~100 B` : `~10 KB`);

type Name = 'raw' | 'rpc' | 'rpcSync' | 'birpc' | 'naive' | 'rpcOff' | 'rpcStack';
const LABEL: Record<Name, string> = {
  raw: 'raw process.send echo',
  rpc: 'worker.call (zod on, async handler)',
  rpcSync: 'worker.call (zod on, sync handler)',
  birpc: 'birpc (async handler)',
  naive: 'naive typed RPC (nanoid + zod, async)',
  rpcOff: 'worker.call, validation off',
  rpcStack: 'captureCallStack true',
};
/** The safety contestants run on 'advanced' only. */
const namesOf = (s: Serialization): Name[] => (s === 'advanced' ? ['raw', 'rpc', 'rpcSync', 'birpc', 'naive', 'rpcOff', 'rpcStack'] : ['raw', 'rpc', 'rpcSync', 'birpc', 'naive']);

/** A row and where its two sides come from. */
interface Plan {
  readonly spec: RowSpec;
  readonly s: Serialization;
  readonly size: Size;
  readonly stat: keyof LatencyStats;
  readonly base: Name;
  readonly cont: Name;
}

function plans(): Plan[] {
  const out: Plan[] = [];
  for (const s of SERIALIZATIONS) {
    const section = seqSection(s);
    for (const size of SIZES) {
      const at = `p50 ${sizeLabel(size)}`;
      const tail = `p99 ${sizeLabel(size)}`;
      const row = (id: string, measure: string, stat: keyof LatencyStats, base: Name, cont: Name, target?: RowSpec['target']): void => {
        const spec: RowSpec = { id: `seq.${s}.${size}.${id}`, section, measure, unit: 'µs', baseline: LABEL[base], contestant: LABEL[cont], ...(target === undefined ? {} : { target }) };
        out.push({ spec, s, size, stat, base, cont });
      };
      row('p50.rpc', at, 'p50', 'raw', 'rpc');
      // Issue 9, target 4: the ~10 KB tail within 3x the raw echo's.
      row('p99.rpc', tail, 'p99', 'raw', 'rpc', size === 'large' ? { op: '<=', value: 3 } : undefined);
      row('p50.rpcSync', at, 'p50', 'raw', 'rpcSync');
      row('p50.birpc', at, 'p50', 'raw', 'birpc');
      row('p99.birpc', tail, 'p99', 'raw', 'birpc');
      row('p50.naive', at, 'p50', 'raw', 'naive');
      row('p99.naive', tail, 'p99', 'raw', 'naive');
      // Issue 9, target 1: overhead over the paired raw echo no more than birpc's, i.e. p50 <= birpc's.
      row('p50.rpc-vs-birpc', at, 'p50', 'birpc', 'rpc', { op: '<=', value: 1 });
      row('p50.rpc-vs-naive', at, 'p50', 'naive', 'rpc');
    }
  }
  for (const size of SIZES) {
    const spec: RowSpec = { id: `safety.seq.${size}.validation.p50`, section: SAFETY, measure: `sequential p50 ${sizeLabel(size)}`, unit: 'µs', baseline: LABEL.rpcOff, contestant: 'worker.call, zod on' };
    out.push({ spec, s: 'advanced', size, stat: 'p50', base: 'rpcOff', cont: 'rpc' });
  }
  const stack: RowSpec = { id: 'safety.seq.small.stack.p50', section: SAFETY, measure: `sequential p50 ${sizeLabel('small')}`, unit: 'µs', baseline: 'captureCallStack false', contestant: LABEL.rpcStack };
  out.push({ spec: stack, s: 'advanced', size: 'small', stat: 'p50', base: 'rpc', cont: 'rpcStack' });
  return out;
}

function contestantsOf(s: Serialization, w: { advancedStack: Contestants } & Record<Serialization, Contestants>, payload: Payload): Partial<Record<Name, () => Promise<unknown>>> {
  const c = w[s];
  return {
    raw: () => c.raw.call(payload),
    rpc: () => c.handle.call('echo', payload),
    rpcSync: () => c.handle.call('echoSync', payload),
    birpc: () => c.birpc.echo(payload),
    naive: () => c.naive.call('echo', payload),
    ...(s === 'advanced' ? { rpcOff: () => c.handle.call('echoOff', payload), rpcStack: () => w.advancedStack.handle.call('echo', payload) } : {}),
  };
}

/** Every repeat's p50/p99 of each contestant, keyed `${s}.${size}.${name}`. */
async function measure(ctx: SuiteContext, s: Serialization, size: Size, calls: Partial<Record<Name, () => Promise<unknown>>>, payload: Payload, into: Map<string, LatencyStats[]>): Promise<void> {
  const { repeats, blocks, calls: perBlock, warmup } = config(ctx.quick);
  const names = namesOf(s);
  const scratch = new Float64Array(warmup);
  for (const name of names) {
    const echoed = await calls[name]!();
    if (!isDeepStrictEqual(echoed, payload)) throw new Error(`sequential ${s} ${size}: ${name} did not echo its payload`);
    await withTimeout(block(calls[name]!, warmup, scratch, 0), 120_000, `sequential ${s} ${size} warm-up of ${name}`);
  }
  ctx.log(`sequential ${s} ${size}: ${JSON.stringify(payload).length} B payload, ${repeats} repeats x ${blocks} blocks x ${names.length} contestants x ${perBlock} calls`);
  for (let r = 0; r < repeats; r++) {
    const pools = new Map(names.map((name) => [name, new Float64Array(blocks * perBlock)]));
    for (let b = 0; b < blocks; b++) {
      // Rotate the order every block so that no contestant always follows the same one.
      const order = names.map((_, i) => names[(i + b + r) % names.length]!);
      for (const name of order) {
        await withTimeout(block(calls[name]!, perBlock, pools.get(name)!, b * perBlock), 60_000, `sequential ${s} ${size} ${name}`);
      }
    }
    for (const name of names) {
      const key = `${s}.${size}.${name}`;
      into.set(key, [...(into.get(key) ?? []), latencyStats(pools.get(name)!)]);
    }
  }
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const w = await sharedWorkers(ctx);
  const results = new Map<string, LatencyStats[]>();
  for (const s of SERIALIZATIONS) {
    for (const size of SIZES) {
      const payload: Payload = size === 'small' ? smallPayload() : largePayload();
      await measure(ctx, s, size, contestantsOf(s, w, payload), payload, results);
    }
  }
  const get = (p: Plan, name: Name): number[] => (results.get(`${p.s}.${p.size}.${name}`) ?? []).map((r) => r[p.stat]);
  return plans().map((p) => makeRow(p.spec, get(p, p.base), get(p, p.cont)));
}

export const sequentialSuite: Suite = { name: 'sequential', rows: () => plans().map((p) => p.spec), run };
