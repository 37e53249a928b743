// 1. Sequential round trip, one call in flight, ~100 B and ~10 KB payloads: worker.call against a
// bare process.send echo and birpc on the same worker, in alternating blocks; and the sequential
// half of 5. cost of safety (validation off/on, captureCallStack off/on).
import { isDeepStrictEqual } from 'node:util';
import { largePayload, smallPayload, type Payload } from './contract.js';
import { sharedWorkers } from './ipc.js';
import { block, latencyStats, makeRow, withTimeout, type LatencyStats, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const SEQ = '1 sequential round trip (advanced IPC)';
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
  quick ? { repeats: 3, blocks: 5, calls: 60, warmup: 300 } : { repeats: 5, blocks: 20, calls: 100, warmup: 2_000 };

type Size = 'small' | 'large';
const SIZES: readonly Size[] = ['small', 'large'];
const sizeLabel = (size: Size): string => (size === 'small' ? `~100 B` : `~10 KB`);

const RAW = 'raw process.send echo';
const RPC = 'worker.call (zod on)';
const BIRPC = 'birpc';

function specs(): RowSpec[] {
  const rows: RowSpec[] = [];
  for (const size of SIZES) {
    const s = sizeLabel(size);
    rows.push(
      { id: `seq.${size}.p50.rpc`, section: SEQ, measure: `p50 ${s}`, unit: 'µs', baseline: RAW, contestant: RPC, target: { op: '<=', value: 1.1 } },
      { id: `seq.${size}.p99.rpc`, section: SEQ, measure: `p99 ${s}`, unit: 'µs', baseline: RAW, contestant: RPC },
      { id: `seq.${size}.p50.birpc`, section: SEQ, measure: `p50 ${s}`, unit: 'µs', baseline: RAW, contestant: BIRPC },
      { id: `seq.${size}.p99.birpc`, section: SEQ, measure: `p99 ${s}`, unit: 'µs', baseline: RAW, contestant: BIRPC },
      { id: `seq.${size}.p50.rpc-vs-birpc`, section: SEQ, measure: `p50 ${s}`, unit: 'µs', baseline: BIRPC, contestant: RPC, target: { op: '<', value: 1 } },
    );
  }
  for (const size of SIZES) {
    rows.push({
      id: `safety.seq.${size}.validation.p50`,
      section: SAFETY,
      measure: `sequential p50 ${sizeLabel(size)}`,
      unit: 'µs',
      baseline: 'worker.call, validation off',
      contestant: 'worker.call, zod on',
    });
  }
  rows.push({
    id: 'safety.seq.small.stack.p50',
    section: SAFETY,
    measure: `sequential p50 ${sizeLabel('small')}`,
    unit: 'µs',
    baseline: 'captureCallStack false',
    contestant: 'captureCallStack true',
  });
  return rows;
}

type Name = 'raw' | 'rpc' | 'birpc' | 'rpcOff' | 'rpcStack';

async function run(ctx: SuiteContext): Promise<Row[]> {
  const { repeats, blocks, calls, warmup } = config(ctx.quick);
  const w = await sharedWorkers(ctx);
  const scratch = new Float64Array(warmup);
  const results = new Map<string, LatencyStats[]>();
  for (const size of SIZES) {
    const payload: Payload = size === 'small' ? smallPayload() : largePayload();
    const contestants: Record<Name, () => Promise<unknown>> = {
      raw: () => w.advanced.raw.call(payload),
      rpc: () => w.advanced.handle.call('echo', payload),
      birpc: () => w.advanced.birpc.echo(payload),
      rpcOff: () => w.advanced.handle.call('echoOff', payload),
      rpcStack: () => w.advancedStack.handle.call('echo', payload),
    };
    const names = Object.keys(contestants) as Name[];
    for (const name of names) {
      const echoed = await contestants[name]();
      if (!isDeepStrictEqual(echoed, payload)) throw new Error(`sequential ${size}: ${name} did not echo its payload`);
      await withTimeout(block(contestants[name], warmup, scratch, 0), 120_000, `sequential ${size} warm-up of ${name}`);
    }
    ctx.log(`sequential ${size}: ${JSON.stringify(payload).length} B payload, ${repeats} repeats x ${blocks} blocks x ${names.length} contestants x ${calls} calls`);
    for (let r = 0; r < repeats; r++) {
      const pools = new Map(names.map((name) => [name, new Float64Array(blocks * calls)]));
      for (let b = 0; b < blocks; b++) {
        // Rotate the order every block so that no contestant always follows the same one.
        const order = names.map((_, i) => names[(i + b + r) % names.length]!);
        for (const name of order) {
          await withTimeout(block(contestants[name], calls, pools.get(name)!, b * calls), 60_000, `sequential ${size} ${name}`);
        }
      }
      for (const name of names) {
        const key = `${size}.${name}`;
        results.set(key, [...(results.get(key) ?? []), latencyStats(pools.get(name)!)]);
      }
    }
  }
  const get = (size: Size, name: Name, stat: keyof LatencyStats): number[] => (results.get(`${size}.${name}`) ?? []).map((r) => r[stat]);
  return specs().map((spec) => {
    const [kind, size, ...rest] = spec.id.split('.') as [string, Size, ...string[]];
    if (kind === 'seq') {
      const [stat, who] = rest as ['p50' | 'p99', string];
      if (who === 'rpc') return makeRow(spec, get(size, 'raw', stat), get(size, 'rpc', stat));
      if (who === 'birpc') return makeRow(spec, get(size, 'raw', stat), get(size, 'birpc', stat));
      return makeRow(spec, get(size, 'birpc', stat), get(size, 'rpc', stat));
    }
    // safety.seq.<size>.<what>.p50
    const sz = rest[0] as Size;
    if (rest[1] === 'validation') return makeRow(spec, get(sz, 'rpcOff', 'p50'), get(sz, 'rpc', 'p50'));
    return makeRow(spec, get(sz, 'rpc', 'p50'), get(sz, 'rpcStack', 'p50'));
  });
}

export const sequentialSuite: Suite = { name: 'sequential', rows: () => specs(), run };
