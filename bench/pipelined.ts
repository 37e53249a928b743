// 2. Pipelined throughput, 1,000 calls in flight: worker.call against naive one-message-per-send
// process.send, for both IPC serializations, and birpc; and the pipelined half of 5. cost of
// safety (validation off/on, captureCallStack off/on).
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
  quick ? { repeats: 2, calls: 10_000, chunks: 2, warmup: 5_000 } : { repeats: 3, calls: 200_000, chunks: 10, warmup: 20_000 };

const SERIALIZATIONS: readonly Serialization[] = ['json', 'advanced'];

function specs(): RowSpec[] {
  const rows: RowSpec[] = [];
  for (const s of SERIALIZATIONS) {
    const raw = `naive process.send (${s})`;
    rows.push(
      { id: `pipe.${s}.rpc`, section: PIPE, measure: `calls/s ${s}`, unit: 'calls/s', baseline: raw, contestant: `worker.call (zod on, ${s})`, target: { op: '>=', value: 2 } },
      { id: `pipe.${s}.birpc`, section: PIPE, measure: `calls/s ${s}`, unit: 'calls/s', baseline: raw, contestant: `birpc (${s})` },
      { id: `pipe.${s}.rpc-vs-birpc`, section: PIPE, measure: `calls/s ${s}`, unit: 'calls/s', baseline: `birpc (${s})`, contestant: `worker.call (zod on, ${s})`, target: { op: '>=', value: 3 } },
    );
  }
  rows.push(
    { id: 'pipe.rpc.advanced-vs-json', section: PIPE, measure: 'calls/s', unit: 'calls/s', baseline: 'worker.call (json)', contestant: 'worker.call (advanced)' },
    { id: 'safety.pipe.validation', section: SAFETY, measure: 'pipelined calls/s (advanced)', unit: 'calls/s', baseline: 'worker.call, validation off', contestant: 'worker.call, zod on' },
    { id: 'safety.pipe.stack', section: SAFETY, measure: 'pipelined calls/s (advanced)', unit: 'calls/s', baseline: 'captureCallStack false', contestant: 'captureCallStack true' },
  );
  return rows;
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

type Name = `${'raw' | 'rpc' | 'birpc'}.${Serialization}` | 'rpcOff.advanced' | 'rpcStack.advanced';

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
    contestants[`birpc.${s}`] = () => on[s].birpc.echo(payload);
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
  return specs().map((spec) => {
    switch (spec.id) {
      case 'pipe.rpc.advanced-vs-json':
        return makeRow(spec, get('rpc.json'), get('rpc.advanced'));
      case 'safety.pipe.validation':
        return makeRow(spec, get('rpcOff.advanced'), get('rpc.advanced'));
      case 'safety.pipe.stack':
        return makeRow(spec, get('rpc.advanced'), get('rpcStack.advanced'));
    }
    const [, s, who] = spec.id.split('.') as [string, Serialization, string];
    if (who === 'rpc') return makeRow(spec, get(`raw.${s}`), get(`rpc.${s}`));
    if (who === 'birpc') return makeRow(spec, get(`raw.${s}`), get(`birpc.${s}`));
    return makeRow(spec, get(`birpc.${s}`), get(`rpc.${s}`));
  });
}

export const pipelinedSuite: Suite = { name: 'pipelined', rows: () => specs(), run };
