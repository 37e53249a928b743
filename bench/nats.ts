// 6. NATS (issue 11): typed-cluster-rpc members over one nats-server against bare nats.js
// request/reply on the same server. `npm run bench -- --only nats` (needs nats-server on PATH, or
// NATS_SERVER_BIN). The suite starts its own nats-server on a free loopback port and a responder
// process (bench/fixtures/nats-responder.ts: 8 worker members and 8 bare echo responders, each on
// its own connection), and stops both by pid however the run ends; this process is the caller
// (one connection, one `primary` member). Payload ~90 B of JSON; zod validates input and output on
// the callee and the output again on the caller (validateReplies, the default).
//   - sequential p50 / p99: primary.call vs a bare request/reply echo (target p50 ≤ 1.15×)
//   - 1,000 calls in flight: calls/s vs bare requests, one NATS message per call (target ≥ 2×)
//   - broadcast to 8 members p50 / p99 vs 8 parallel bare requests (no target)
// Each repeat measures both contestants back to back; sequential latencies alternate in 10 blocks.
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { startNatsServer } from '../test/fixtures/nats-server.js';
import { defineContract } from '../src/index.js';
import { joinNamespace } from '../src/nats/index.js';
import { block, latencyStats, makeRow, withTimeout, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

/** The contract of both sides (the responder imports it): validated input and output. */
export const natsContract = defineContract({
  worker: { echo: { input: z.object({ n: z.number(), text: z.string() }), output: z.object({ n: z.number(), text: z.string() }) } },
  primary: {},
  events: {},
});
export const MEMBERS = 8;
export const NAMESPACE = 'bench';
const IN_FLIGHT = 1_000;
const SECTION = '6 NATS request/reply over one nats-server (issue 11), ~90 B JSON';
const BARE = 'bare nats.js request/reply echo';
const payload = { n: 42, text: 'x'.repeat(64) };
const bytes = Buffer.from(JSON.stringify(payload));

const config = (quick: boolean): { repeats: number; seq: number; fan: number; total: number; warmup: number } =>
  quick ? { repeats: 2, seq: 200, fan: 50, total: 3_000, warmup: 200 } : { repeats: 5, seq: 1_000, fan: 400, total: 20_000, warmup: 500 };

function specs(): RowSpec[] {
  const seq = (stat: 'p50' | 'p99'): RowSpec => ({
    id: `nats.seq.${stat}`,
    section: SECTION,
    measure: `sequential call ${stat}`,
    unit: 'µs',
    baseline: BARE,
    contestant: 'member.call (zod on)',
    ...(stat === 'p50' ? { target: { op: '<=', value: 1.15 } as const } : {}),
  });
  const fan = (stat: 'p50' | 'p99'): RowSpec => ({ id: `nats.bcast.${stat}`, section: SECTION, measure: `broadcast to ${MEMBERS} members ${stat}`, unit: 'µs', baseline: `${MEMBERS} parallel bare requests`, contestant: 'member.broadcast' });
  const inflight: RowSpec = {
    id: 'nats.inflight',
    section: SECTION,
    measure: `${IN_FLIGHT.toLocaleString('en-US')} calls in flight`,
    unit: 'calls/s',
    baseline: 'bare requests, one message per call',
    contestant: 'member.call',
    target: { op: '>=', value: 2 },
  };
  return [seq('p50'), seq('p99'), inflight, fan('p50'), fan('p99')];
}

/** Calls per second with IN_FLIGHT calls kept in flight for `total` calls. */
async function throughput(op: () => Promise<unknown>, total: number): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      await op();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return total / ((performance.now() - t0) / 1_000);
}

/** Starts the server and the responder (both stopped by pid when the bench ends); the caller's side. */
async function setUp(ctx: SuiteContext) {
  const server = await startNatsServer(undefined);
  ctx.defer(() => server.stop());
  ctx.log(`nats: nats-server pid ${server.pid} on ${server.url}; starting the responder`);
  const responder = fork(fileURLToPath(new URL('./fixtures/nats-responder.ts', import.meta.url)), [server.url], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  ctx.defer(() => void responder.kill('SIGKILL'));
  const ready = new Promise<void>((resolve, reject) => {
    responder.once('message', () => resolve());
    responder.once('exit', (code, signal) => reject(new Error(`nats: the responder exited (${signal ?? code}) before it was ready`)));
  });
  await withTimeout(ready, 60_000, 'nats: the responder');
  const nc = await withTimeout(connect({ servers: server.url }), 15_000, 'nats: connect');
  ctx.defer(() => nc.close());
  const primary = await joinNamespace(nc, natsContract, { namespace: NAMESPACE, side: 'primary' });
  ctx.defer(() => primary.close());
  const deadline = performance.now() + 30_000;
  while (primary.members().length < MEMBERS) {
    if (performance.now() > deadline) throw new Error(`nats: ${primary.members().length} of ${MEMBERS} members after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const bare = (subject = 'bare.echo'): Promise<unknown> => nc.request(subject, bytes, { timeout: 10_000 }).then((m) => JSON.parse(m.string()));
  return {
    bare: () => bare(),
    rpc: () => primary.call('echo', payload),
    bareFan: () => Promise.all(Array.from({ length: MEMBERS }, (_, i) => bare(`bare.echo.${i}`))),
    rpcFan: async () => {
      const results = await primary.broadcast('echo', payload, { timeout: 10_000 });
      if (results.length !== MEMBERS || results.some((r) => r.status !== 'fulfilled')) throw new Error(`nats: broadcast reached ${results.length} members, some failed`);
    },
  };
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const c = config(ctx.quick);
  const calls = await setUp(ctx);
  const bounded = (p: Promise<unknown>, what: string): Promise<unknown> => withTimeout(p, 120_000, `nats ${what}`);
  const scratch = new Float64Array(c.warmup);
  await bounded(block(calls.bare, c.warmup, scratch, 0), 'warm-up bare');
  await bounded(block(calls.rpc, c.warmup, scratch, 0), 'warm-up rpc');
  const seq = { bare: [] as { p50: number; p99: number }[], rpc: [] as { p50: number; p99: number }[] };
  const fan = { bare: [] as { p50: number; p99: number }[], rpc: [] as { p50: number; p99: number }[] };
  const pipe = { bare: [] as number[], rpc: [] as number[] };
  ctx.log(`nats: ${c.repeats} repeats (${c.seq} sequential calls, ${c.total} in flight, ${c.fan} broadcasts per contestant)`);
  for (let r = 0; r < c.repeats; r++) {
    const pools = { bare: new Float64Array(c.seq), rpc: new Float64Array(c.seq) };
    const per = c.seq / 10;
    for (let b = 0; b < 10; b++) {
      await bounded(block(calls.bare, per, pools.bare, b * per), 'sequential bare');
      await bounded(block(calls.rpc, per, pools.rpc, b * per), 'sequential rpc');
    }
    seq.bare.push(latencyStats(pools.bare));
    seq.rpc.push(latencyStats(pools.rpc));
    pipe.bare.push((await bounded(throughput(calls.bare, c.total), 'in flight bare')) as number);
    pipe.rpc.push((await bounded(throughput(calls.rpc, c.total), 'in flight rpc')) as number);
    for (const who of ['bare', 'rpc'] as const) {
      const pool = new Float64Array(c.fan);
      await bounded(block(who === 'bare' ? calls.bareFan : calls.rpcFan, c.fan, pool, 0), `broadcast ${who}`);
      fan[who].push(latencyStats(pool));
    }
  }
  const [seq50, seq99, inflight, fan50, fan99] = specs() as [RowSpec, RowSpec, RowSpec, RowSpec, RowSpec];
  return [
    makeRow(seq50, seq.bare.map((s) => s.p50), seq.rpc.map((s) => s.p50)),
    makeRow(seq99, seq.bare.map((s) => s.p99), seq.rpc.map((s) => s.p99)),
    makeRow(inflight, pipe.bare, pipe.rpc),
    makeRow(fan50, fan.bare.map((s) => s.p50), fan.rpc.map((s) => s.p50)),
    makeRow(fan99, fan.bare.map((s) => s.p99), fan.rpc.map((s) => s.p99)),
  ];
}

export const natsSuite: Suite = { name: 'nats', rows: () => specs(), run };

// The standalone script this suite replaced: say where it went rather than do nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stderr.write('bench/nats.ts is a suite of the bench now: npm run bench -- --only nats [--quick]\n');
  process.exitCode = 2;
}
