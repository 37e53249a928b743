// 2. Pipelined throughput, 1,000 calls in flight, over 'json' and 'advanced' IPC: worker.call
// (zod on, async handler, and a synchronous handler beside it) against naive one-message-per-call
// process.send, birpc and the naive typed RPC (bench/naive.ts); and the pipelined half of 5. cost
// of safety (validation off/on, captureCallStack off/on). Handlers are async unless marked sync.
import type { Serialization } from '../src/index.js';
import { smallPayload } from './contract.js';
import { sharedWorkers, type Contestants } from './ipc.js';
import { makeRow, withTimeout, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const PIPE = '2 pipelined throughput (1,000 in flight, ~100 B)';
const SAFETY = '5 cost of safety';
export const IN_FLIGHT = 1_000;

interface Config {
  readonly repeats: number;
  /** Calls per contestant in one repeat, made in `chunks` runs alternating with the other contestants'. */
  readonly calls: number;
  readonly chunks: number;
  readonly warmup: number;
}

// The machine is shared and its background load changes from second to second, so a repeat's
// 200,000 calls per contestant are made in 10 chunks of 20,000 that alternate between contestants:
// each contestant meets the same mix of load. Filling and draining 1,000 lanes is ~5% of a chunk.
const config = (quick: boolean): Config =>
  quick ? { repeats: 2, calls: 6_000, chunks: 2, warmup: 3_000 } : { repeats: 3, calls: 200_000, chunks: 10, warmup: 20_000 };

const SERIALIZATIONS: readonly Serialization[] = ['json', 'advanced'];

type Who = 'raw' | 'rpc' | 'rpcSync' | 'birpc' | 'naive';
type Name = `${Who}.${Serialization}` | 'rpcOff.advanced' | 'rpcStack.advanced';
const label = (who: Who, s: Serialization): string =>
  ({
    raw: `naive process.send (${s})`,
    rpc: `worker.call (zod on, async handler, ${s})`,
    rpcSync: `worker.call (zod on, sync handler, ${s})`,
    birpc: `birpc (async handler, ${s})`,
    naive: `naive typed RPC (nanoid + zod, async, ${s})`,
  })[who];

interface Plan {
  readonly spec: RowSpec;
  readonly base: Name;
  readonly cont: Name;
}

function plans(): Plan[] {
  const out: Plan[] = [];
  const row = (id: string, measure: string, base: [Who, Serialization], cont: [Who, Serialization], target?: RowSpec['target']): void => {
    const spec: RowSpec = { id, section: PIPE, measure, unit: 'calls/s', baseline: label(...base), contestant: label(...cont), ...(target === undefined ? {} : { target }) };
    out.push({ spec, base: `${base[0]}.${base[1]}`, cont: `${cont[0]}.${cont[1]}` });
  };
  for (const s of SERIALIZATIONS) {
    const m = `calls/s ${s}`;
    // Issue 9, target 2: async handlers, at least twice naive raw in both serializations.
    row(`pipe.${s}.rpc`, m, ['raw', s], ['rpc', s], { op: '>=', value: 2 });
    row(`pipe.${s}.rpcSync`, m, ['raw', s], ['rpcSync', s]);
    row(`pipe.${s}.birpc`, m, ['raw', s], ['birpc', s]);
    row(`pipe.${s}.naive`, m, ['raw', s], ['naive', s]);
    row(`pipe.${s}.rpc-vs-birpc`, m, ['birpc', s], ['rpc', s]);
    row(`pipe.${s}.async-vs-sync`, m, ['rpcSync', s], ['rpc', s]);
  }
  row('pipe.rpc.advanced-vs-json', 'calls/s', ['rpc', 'json'], ['rpc', 'advanced']);
  out.push(
    {
      spec: { id: 'safety.pipe.validation', section: SAFETY, measure: 'pipelined calls/s (advanced)', unit: 'calls/s', baseline: 'worker.call, validation off', contestant: 'worker.call, zod on' },
      base: 'rpcOff.advanced',
      cont: 'rpc.advanced',
    },
    {
      spec: { id: 'safety.pipe.stack', section: SAFETY, measure: 'pipelined calls/s (advanced)', unit: 'calls/s', baseline: 'captureCallStack false', contestant: 'captureCallStack true' },
      base: 'rpc.advanced',
      cont: 'rpcStack.advanced',
    },
  );
  return out;
}

/** `total` calls with `inFlight` of them outstanding at any time; returns the seconds it took. */
export async function pipelined(call: () => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  let issued = 0;
  const lane = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      await call();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
  return (performance.now() - started) / 1000;
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const { repeats, calls, chunks, warmup } = config(ctx.quick);
  const chunk = Math.ceil(calls / chunks);
  const w = await sharedWorkers(ctx);
  const payload = smallPayload();
  const on: Record<Serialization, Contestants> = { json: w.json, advanced: w.advanced };
  const contestants = {} as Record<Name, () => Promise<unknown>>;
  for (const s of SERIALIZATIONS) {
    contestants[`raw.${s}`] = () => on[s].raw.call(payload);
    contestants[`rpc.${s}`] = () => on[s].handle.call('echo', payload);
    contestants[`rpcSync.${s}`] = () => on[s].handle.call('echoSync', payload);
    contestants[`birpc.${s}`] = () => on[s].birpc.echo(payload);
    contestants[`naive.${s}`] = () => on[s].naive.call('echo', payload);
  }
  contestants['rpcOff.advanced'] = () => w.advanced.handle.call('echoOff', payload);
  contestants['rpcStack.advanced'] = () => w.advancedStack.handle.call('echo', payload);
  const names = Object.keys(contestants) as Name[];
  // Generous: 2,000 calls/s is 10-50 times slower than any contestant on the 2-core reference machine.
  const bound = (n: number): number => Math.max(30_000, n / 2);
  for (const name of names) await withTimeout(pipelined(contestants[name], warmup, IN_FLIGHT), bound(warmup), `pipelined warm-up of ${name}`);
  ctx.log(`pipelined: ${repeats} repeats x ${names.length} contestants x ${chunks} chunks x ${chunk} calls, ${IN_FLIGHT} in flight`);
  const results = new Map<Name, number[]>();
  for (let r = 0; r < repeats; r++) {
    const seconds = new Map<Name, number>(names.map((name) => [name, 0]));
    for (let c = 0; c < chunks; c++) {
      const order = names.map((_, i) => names[(i + c + r) % names.length]!);
      for (const name of order) {
        seconds.set(name, seconds.get(name)! + (await withTimeout(pipelined(contestants[name], chunk, IN_FLIGHT), bound(chunk), `pipelined ${name}`)));
      }
    }
    for (const name of names) results.set(name, [...(results.get(name) ?? []), (chunk * chunks) / seconds.get(name)!]);
    ctx.log(`  repeat ${r + 1}: ${names.map((name) => `${name} ${Math.round(results.get(name)!.at(-1)!)}/s`).join(', ')}`);
  }
  const get = (name: Name): number[] => results.get(name) ?? [];
  return plans().map((p) => makeRow(p.spec, get(p.base), get(p.cont)));
}

export const pipelinedSuite: Suite = { name: 'pipelined', rows: () => plans().map((p) => p.spec), run };
