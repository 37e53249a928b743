// NATS suite, standalone: `node --import tsx bench/nats.ts [--quick]` (needs nats-server on PATH).
// Starts its own nats-server on a free loopback port and a responder process (8 worker members and
// 8 bare nats.js echo responders, each on its own connection); this process is the caller.
//   1. sequential p50: primary.call (zod on both sides) vs a bare nats.js request/reply echo
//   2. 1,000 calls in flight: calls/s vs bare requests issued one message per call
//   3. broadcast to 8 members: p50 / p99 vs 8 parallel bare requests
// Contestants alternate in short blocks, several repeats; medians are printed as a Markdown table.
import { fork, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { defineContract } from '../src/index.js';
import { joinNamespace } from '../src/nats/index.js';

const contract = defineContract({
  worker: { echo: { input: z.object({ n: z.number(), text: z.string() }), output: z.object({ n: z.number(), text: z.string() }) } },
  primary: {},
  events: {},
});
const MEMBERS = 8;
const NAMESPACE = 'bench';
const payload = { n: 42, text: 'x'.repeat(64) };
const bytes = Buffer.from(JSON.stringify(payload));

async function serve(url: string): Promise<void> {
  for (let i = 0; i < MEMBERS; i++) {
    const nc = await connect({ servers: url });
    nc.subscribe(`bare.echo.${i}`, { callback: (_e, msg) => void msg.respond(msg.data) });
    if (i === 0) nc.subscribe('bare.echo', { queue: 'q', callback: (_e, msg) => void msg.respond(msg.data) });
    await joinNamespace(nc, contract, { namespace: NAMESPACE, side: 'worker', handlers: { echo: (input) => input } });
  }
  process.send!('ready');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = (values: number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);

/** Latencies (µs) of `n` sequential runs of `op`. */
async function latencies(op: () => Promise<unknown>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op();
    out.push((performance.now() - t0) * 1_000);
  }
  return out;
}

/** Calls per second with `inFlight` calls kept in flight for `total` calls. */
async function throughput(op: () => Promise<unknown>, inFlight: number, total: number): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      await op();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return total / ((performance.now() - t0) / 1_000);
}

interface Pair {
  name: string;
  baseline: string;
  contestant: string;
  unit: string;
  b: number[];
  c: number[];
  target?: string;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const repeats = quick ? 3 : 5;
  const port = await freePort();
  const server = spawn(process.env['NATS_SERVER_BIN'] ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  const responder = fork(fileURLToPath(import.meta.url), ['serve', url], { execArgv: ['--import', 'tsx'] });
  const stop = (): void => {
    responder.kill('SIGKILL');
    server.kill('SIGKILL');
  };
  process.once('exit', stop);
  try {
    await until(() => accepts(port), 15_000, 'nats-server');
    await new Promise<void>((resolve, reject) => {
      responder.once('message', () => resolve());
      responder.once('exit', () => reject(new Error('the responder exited')));
    });
    const nc: NatsConnection = await connect({ servers: url });
    const primary = await joinNamespace(nc, contract, { namespace: NAMESPACE, side: 'primary' });
    await until(() => primary.members().length === MEMBERS, 15_000, 'the members');
    const bare = (subject = 'bare.echo'): Promise<unknown> => nc.request(subject, bytes, { timeout: 10_000 }).then((m) => JSON.parse(m.string()));
    const rpc = (): Promise<unknown> => primary.call('echo', payload);
    const bareFan = (): Promise<unknown> => Promise.all(Array.from({ length: MEMBERS }, (_, i) => bare(`bare.echo.${i}`)));
    const rpcFan = (): Promise<unknown> => primary.broadcast('echo', payload, { timeout: 10_000 });
    const seqN = quick ? 300 : 1_000;
    const fanN = quick ? 100 : 400;
    const total = quick ? 5_000 : 20_000;
    await latencies(bare, 500);
    await latencies(rpc, 500);
    const seq: Pair = { name: 'sequential call p50', baseline: 'bare nats.js request/reply echo', contestant: 'member.call (zod on)', unit: 'µs', b: [], c: [], target: '≤ 1.15×' };
    const pipe: Pair = { name: '1,000 in flight', baseline: 'bare nats.js requests, one message per call', contestant: 'member.call', unit: 'calls/s', b: [], c: [], target: '≥ 2×' };
    const fan50: Pair = { name: 'broadcast to 8, p50', baseline: '8 parallel bare requests', contestant: 'member.broadcast', unit: 'µs', b: [], c: [] };
    const fan99: Pair = { name: 'broadcast to 8, p99', baseline: '8 parallel bare requests', contestant: 'member.broadcast', unit: 'µs', b: [], c: [] };
    for (let r = 0; r < repeats; r++) {
      const sb: number[] = [];
      const sc: number[] = [];
      for (let block = 0; block < 10; block++) {
        sb.push(...(await latencies(bare, seqN / 10)));
        sc.push(...(await latencies(rpc, seqN / 10)));
      }
      seq.b.push(median(sb));
      seq.c.push(median(sc));
      pipe.b.push(await throughput(bare, 1_000, total));
      pipe.c.push(await throughput(rpc, 1_000, total));
      const fb = (await latencies(bareFan, fanN)).sort((a, b) => a - b);
      const fc = (await latencies(rpcFan, fanN)).sort((a, b) => a - b);
      fan50.b.push(quantile(fb, 0.5));
      fan50.c.push(quantile(fc, 0.5));
      fan99.b.push(quantile(fb, 0.99));
      fan99.c.push(quantile(fc, 0.99));
    }
    console.log(`| measure | baseline | contestant | baseline | contestant | ratio (median, min–max) | target |`);
    console.log(`| --- | --- | --- | ---: | ---: | ---: | --- |`);
    for (const p of [seq, pipe, fan50, fan99]) {
      const ratios = p.b.map((b, i) => p.c[i]! / b);
      const fmt = (v: number): string => `${Math.round(v).toLocaleString('en-US')} ${p.unit}`;
      console.log(
        `| ${p.name} | ${p.baseline} | ${p.contestant} | ${fmt(median(p.b))} | ${fmt(median(p.c))} | ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${p.target ?? '—'} |`,
      );
    }
    console.log(`\n${repeats} repeats; nats-server ${nc.info?.version}; Node ${process.version}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    await primary.close();
    await nc.close();
  } finally {
    stop();
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]!);
else await main();
