// 4. HTTP: runHttpCluster against a plain node:cluster hello-world with the same workers (keep-alive
// requests per second), then a skewed workload (every 10th request burns ~20 ms of CPU) where
// least-loaded is compared with round-robin and os at p50/p99/p99.9, with `Connection: close` and
// with keep-alive, open-loop (constant rate, 70% of the capacity measured in the same run) and
// closed-loop. Each server is a process tree of its own (bench/fixtures/http-*.ts): node:cluster
// fixes its scheduling policy at the first fork, so each balance strategy needs its own primary.
// Everything is on 127.0.0.1; the load generator runs in this process, on the same 2 cores.
//
// Load generators:
// - autocannon (programmatic, 20 keep-alive connections, closed-loop) for hello-world and for the
//   skewed workload's keep-alive closed-loop run (its `requests` list cycles 9 x `/` + `/slow` per
//   connection; latencies are taken from its per-response times, not its 1 ms histogram).
// - a generator of our own (node:http) for the rest: autocannon cannot open a connection per
//   request (its reconnectRate drops the response it reconnects after), and its rate option is
//   per connection and measures latency from the actual send, which hides queueing. Open-loop:
//   request i is due at t0 + i / rate and its latency runs from that due time, so a request that
//   waits (in the generator, the kernel, the primary or a worker) shows it. `agent: false` (a new
//   connection per request) for Connection: close; a keep-alive http.Agent with bounded maxSockets
//   (fresh per block) for keep-alive. Closed-loop Connection: close: 20 lanes, one request each.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { stopGroup } from './fixtures/process-group.js';
import { makeRow, median, percentile, withTimeout, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const WORKERS = 2;
/** Closed-loop concurrency: autocannon connections, or lanes of our generator. */
const CONNECTIONS = 20;
/** Every SLOW_EVERY-th request is `/slow`. */
const SLOW_EVERY = 10;
const SLOW_MS = 20;
/** Open-loop rate, as a fraction of the capacity measured closed-loop in the same run. */
const LOAD = 0.7;
/** The keep-alive agent's bound on connections of the open-loop generator. */
const MAX_SOCKETS = 16;
/** A request that takes longer fails; a failed request counts as this latency (never as a fast one). */
const REQUEST_TIMEOUT_MS = 10_000;
/** The bound of one block (a few seconds of load, then its last requests). */
const BLOCK_BOUND_MS = 60_000;

const HELLO = `4 HTTP hello-world, keep-alive, ${WORKERS} workers (autocannon, ${CONNECTIONS} connections, closed-loop)`;
const skewSection = (conn: Conn, loop: Loop): string =>
  `4 HTTP skewed (every ${SLOW_EVERY}th request /slow: ${SLOW_MS} ms CPU), ${WORKERS} workers, ${conn === 'close' ? 'Connection: close' : 'keep-alive'}, ${
    loop === 'open'
      ? `open-loop at ${Math.round(LOAD * 100)}% of capacity (own generator${conn === 'close' ? ', agent: false' : `, Agent maxSockets ${MAX_SOCKETS}`})`
      : `closed-loop (${conn === 'close' ? `own generator, ${CONNECTIONS} lanes` : `autocannon, ${CONNECTIONS} connections`})`
  }`;

type Balance = 'least-loaded' | 'round-robin' | 'os';
type Server = 'plain' | Balance;
type Conn = 'close' | 'keepalive';
type Loop = 'open' | 'closed';
/** `fp99`: the p99 of the fast requests (`/`) alone, which is what a balancer can move. */
type Stat = 'p50' | 'p99' | 'p99.9' | 'fp99';

const BALANCES: readonly Balance[] = ['least-loaded', 'round-robin', 'os'];
const CONNS: readonly Conn[] = ['close', 'keepalive'];
const LOOPS: readonly Loop[] = ['open', 'closed'];
const STATS: readonly Stat[] = ['p50', 'p99', 'p99.9'];
/** Open loops also report the fast requests' p99: the all-requests p99 sits inside the slow tenth. */
const OPEN_STATS: readonly Stat[] = [...STATS, 'fp99'];
const BASELINES = ['round-robin', 'os'] as const;
const short = { 'least-loaded': 'll', 'round-robin': 'rr', os: 'os' } as const;
const label = (b: Balance): string => `runHttpCluster '${b}'`;
const PLAIN = 'plain node:cluster (SCHED_RR)';

interface Config {
  readonly warmupSeconds: number;
  /**
   * A repeat gives one value per contestant, from `rounds` short blocks per contestant that
   * alternate between contestants (order rotated every round): the machine is shared and its load
   * changes from second to second, so each contestant meets the same mix of it.
   */
  readonly rounds: number;
  /** Hello-world: repeats, and the seconds of one block. */
  readonly helloRepeats: number;
  readonly helloSeconds: number;
  /** Skewed: repeats (each a closed-loop run, then an open-loop run at LOAD of its capacity), and block seconds. */
  readonly skewRepeats: number;
  readonly closedSeconds: number;
  readonly openSeconds: number;
}

const config = (quick: boolean): Config =>
  quick
    ? { warmupSeconds: 0.3, rounds: 1, helloRepeats: 1, helloSeconds: 0.7, skewRepeats: 1, closedSeconds: 0.5, openSeconds: 0.7 }
    : { warmupSeconds: 1, rounds: 3, helloRepeats: 5, helloSeconds: 1, skewRepeats: 3, closedSeconds: 1, openSeconds: 2 };

const targets: Partial<Record<string, RowSpec['target']>> = {
  'http.skew.close.open.p99.vs-rr': { op: '<=', value: 0.8 },
  'http.skew.close.open.p99.vs-os': { op: '<=', value: 1.0 },
  'http.skew.close.open.fp99.vs-rr': { op: '<=', value: 0.5 },
  'http.skew.close.open.fp99.vs-os': { op: '<', value: 1.0 },
};

function skewSpec(conn: Conn, loop: Loop, what: Stat | 'rps', base: (typeof BASELINES)[number], rate?: number): RowSpec {
  const id = `http.skew.${conn}.${loop}.${what.replace('.', '')}.vs-${short[base]}`;
  const target = targets[id];
  const measure =
    what === 'rps'
      ? 'req/s (capacity)'
      : `${what === 'fp99' ? 'p99 latency of the fast requests' : `${what} latency`}${loop === 'open' && rate !== undefined ? ` at ~${Math.round(rate)} req/s` : ''}`;
  return {
    id,
    section: skewSection(conn, loop),
    measure,
    unit: what === 'rps' ? 'req/s' : 'ms',
    baseline: label(base),
    contestant: label('least-loaded'),
    ...(target === undefined ? {} : { target }),
  };
}

function helloSpecs(): RowSpec[] {
  return (['round-robin', 'least-loaded'] as const).map(
    (b): RowSpec => ({
      id: `http.hello.${short[b]}`,
      section: HELLO,
      measure: 'req/s hello-world',
      unit: 'req/s',
      baseline: PLAIN,
      contestant: label(b),
      target: { op: '>=', value: 0.97 },
    }),
  );
}

interface SkewKey {
  readonly conn: Conn;
  readonly loop: Loop;
  readonly what: Stat | 'rps';
  readonly base: (typeof BASELINES)[number];
}

/** Every skewed-workload row, in table order. */
function skewKeys(): SkewKey[] {
  const keys: SkewKey[] = [];
  for (const conn of CONNS) {
    for (const loop of LOOPS) {
      for (const what of loop === 'closed' ? (['rps', ...STATS] as const) : OPEN_STATS) {
        for (const base of BASELINES) keys.push({ conn, loop, what, base });
      }
    }
  }
  return keys;
}

function specs(): RowSpec[] {
  return [...helloSpecs(), ...skewKeys().map((k) => skewSpec(k.conn, k.loop, k.what, k.base)), ...blockedSpecs()];
}

// ---- the servers: one process tree each ----

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Running {
  readonly name: Server;
  readonly port: number;
  readonly pids: readonly number[];
  /** Why the fixture is gone, once it exited before the bench stopped it. */
  died?: string;
  /** Stops the fixture now (it is stopped at the end of the run otherwise). */
  stop(): Promise<void>;
}

/** Starts a fixture in a process group of its own and waits for the port it prints. */
async function startServer(ctx: SuiteContext, name: Server, extraEnv: NodeJS.ProcessEnv = {}): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, WORKERS: String(WORKERS), SLOW_MS: String(SLOW_MS), ...extraEnv };
  delete env['NODE_CLUSTER_SCHED_POLICY'];
  if (name !== 'plain') env['BALANCE'] = name;
  // detached: its own process group, so that cleanup reaches the workers too (by the group's id).
  const child = spawn(process.execPath, ['--import=tsx', fixture(name === 'plain' ? 'http-plain.ts' : 'http-cluster.ts')], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stopping = false;
  const stop = (): Promise<void> => {
    stopping = true;
    return stopGroup(child, 3_000);
  };
  ctx.defer(stop);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const ready = new Promise<Running>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { port?: unknown; pids?: unknown };
        if (typeof parsed.port === 'number') resolve({ name, port: parsed.port, pids: (parsed.pids as number[] | undefined) ?? [], stop });
      } catch {
        // not our line
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`http ${name}: the fixture exited (${signal ?? code}) before listening\n${stderr}`)));
    child.once('error', reject);
  });
  const running = await withTimeout(ready, 60_000, `http ${name}: start`);
  // From now on, a fixture that dies fails the bench (at its next block) instead of skewing it.
  child.once('exit', (code, signal) => {
    if (!stopping) running.died = `http ${name}: the fixture exited (${signal ?? code}) during the bench\n${stderr}`;
  });
  return running;
}

// ---- load generators ----

const pathOf = (i: number): string => (i % SLOW_EVERY === SLOW_EVERY - 1 ? '/slow' : '/');

interface Latencies {
  /** Milliseconds, one per completed request. */
  readonly ms: Float64Array;
  /** The same, of the fast requests (`/`) only; empty where the generator cannot tell them apart. */
  readonly fast: Float64Array;
  readonly errors: number;
  /** Completed requests, and the seconds the block took. */
  readonly count: number;
  readonly seconds: number;
}

/** One GET; resolves to whether it answered 200. Never rejects; bounded by REQUEST_TIMEOUT_MS. */
function get(port: number, path: string, agent: http.Agent | false): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean): void => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    const req = http.request({ host: '127.0.0.1', port, path, agent, headers: agent === false ? { connection: 'close' } : {} }, (res) => {
      res.on('error', () => done(false));
      res.on('end', () => done(res.statusCode === 200));
      res.resume();
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', () => done(false));
    req.end();
  });
}

/**
 * Open loop: `rate` requests per second for `seconds`, request i due at t0 + i / rate whatever
 * happened to the others; latency from the due time to the end of the response.
 */
async function openLoop(port: number, conn: Conn, rate: number, seconds: number, path: (i: number) => string = pathOf): Promise<Latencies> {
  const count = Math.max(SLOW_EVERY, Math.round(rate * seconds));
  const agent = conn === 'close' ? false : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const ms = new Float64Array(count);
  let errors = 0;
  let completed = 0;
  const interval = 1_000 / rate;
  const started = performance.now();
  const t0 = started + 5;
  try {
    await new Promise<void>((resolve) => {
      let next = 0;
      const fire = (i: number): void => {
        const due = t0 + i * interval;
        void get(port, path(i), agent).then((ok) => {
          const elapsed = performance.now() - due;
          ms[i] = ok ? elapsed : Math.max(elapsed, REQUEST_TIMEOUT_MS);
          if (!ok) errors++;
          if (++completed === count) resolve();
        });
      };
      const tick = (): void => {
        const now = performance.now();
        while (next < count && t0 + next * interval <= now) fire(next++);
        if (next < count) setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
      };
      setTimeout(tick, 5);
    });
  } finally {
    if (agent !== false) agent.destroy();
  }
  const fast = ms.filter((_, i) => path(i) === '/');
  return { ms, fast, errors, count, seconds: (performance.now() - started) / 1_000 };
}

/** Closed loop with a new connection per request: CONNECTIONS lanes, each one request after the other. */
async function closedLoopClose(port: number, seconds: number): Promise<Latencies> {
  const ms: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const until = started + seconds * 1_000;
  const lane = async (): Promise<void> => {
    while (performance.now() < until) {
      const i = issued++;
      const t = performance.now();
      const ok = await get(port, pathOf(i), false);
      const elapsed = performance.now() - t;
      ms.push(ok ? elapsed : Math.max(elapsed, REQUEST_TIMEOUT_MS));
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  return { ms: Float64Array.from(ms), fast: new Float64Array(0), errors, count: ms.length, seconds: (performance.now() - started) / 1_000 };
}

/** autocannon, closed loop over CONNECTIONS keep-alive connections; `skewed` cycles 9 x `/` + `/slow` per connection. */
async function cannon(port: number, seconds: number, skewed: boolean): Promise<Latencies> {
  const ms: number[] = [];
  const options: autocannon.Options & { sampleInt: number } = {
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    // autocannon stops at its first sample tick after `duration`: sample often so short blocks end on time.
    sampleInt: 100,
    timeout: REQUEST_TIMEOUT_MS / 1_000,
    ...(skewed ? { requests: Array.from({ length: SLOW_EVERY }, (_, i) => ({ method: 'GET' as const, path: pathOf(i) })) } : {}),
    // Every response's own time, in fractional ms (the result's histogram has 1 ms steps).
    setupClient: (client) => {
      (client as unknown as NodeJS.EventEmitter).on('response', (_status: number, _bytes: number, responseTime: number) => ms.push(responseTime));
    },
  };
  let instance: autocannon.Instance | undefined;
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (error: unknown, res: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(res)));
  });
  try {
    const res = await withTimeout(result, seconds * 1_000 + REQUEST_TIMEOUT_MS + 5_000, `autocannon on port ${port}`);
    return { ms: Float64Array.from(ms), fast: new Float64Array(0), errors: res.errors + res.non2xx, count: res.requests.total, seconds: res.duration };
  } catch (error) {
    (instance as { stop?: () => void } | undefined)?.stop?.();
    throw error;
  }
}

// ---- statistics ----

type Percentiles = Record<Stat, number>;

function percentiles(ms: Float64Array, fast: Float64Array): Percentiles {
  const sorted = ms.slice().sort();
  const fastSorted = fast.slice().sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), 'p99.9': percentile(sorted, 0.999), fp99: fast.length === 0 ? NaN : percentile(fastSorted, 0.99) };
}

/** The order of the contestants in repeat `r`: rotated, so that none always runs first or last. */
const rotate = <T>(list: readonly T[], r: number): T[] => list.map((_, i) => list[(i + r) % list.length]!);

const fmt = (n: number): string => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toString());

/** Blocks of one contestant in one repeat, pooled. */
function pool(parts: readonly Latencies[]): Latencies {
  const concat = (f: (p: Latencies) => Float64Array): Float64Array => {
    const all = new Float64Array(parts.reduce((n, p) => n + f(p).length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(f(p), at);
      at += f(p).length;
    }
    return all;
  };
  const sum = (f: (p: Latencies) => number): number => parts.reduce((n, p) => n + f(p), 0);
  return { ms: concat((p) => p.ms), fast: concat((p) => p.fast), errors: sum((p) => p.errors), count: sum((p) => p.count), seconds: sum((p) => p.seconds) };
}

interface Block extends Percentiles {
  readonly rps: number;
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const c = config(ctx.quick);
  ctx.log(`http: starting plain node:cluster and runHttpCluster (${BALANCES.join(', ')}), ${WORKERS} workers each`);
  const servers = await Promise.all((['plain', ...BALANCES] as const).map((name) => startServer(ctx, name)));
  const port = Object.fromEntries(servers.map((s) => [s.name, s.port])) as Record<Server, number>;
  const check = (what: string, result: Latencies): Latencies => {
    for (const s of servers) if (s.died !== undefined) throw new Error(s.died);
    if (result.errors > 0) ctx.log(`http ${what}: ${result.errors} of ${result.count} requests failed (counted as ${REQUEST_TIMEOUT_MS} ms)`);
    if (result.count === 0) throw new Error(`http ${what}: no request completed`);
    return result;
  };
  /** One repeat: `rounds` blocks of each contestant, alternating, pooled per contestant. */
  const repeat = async <K extends string>(names: readonly K[], r: number, what: string, block: (name: K) => Promise<Latencies>): Promise<Record<K, Latencies>> => {
    const parts = Object.fromEntries(names.map((n) => [n, [] as Latencies[]])) as Record<K, Latencies[]>;
    for (let round = 0; round < c.rounds; round++) {
      for (const name of rotate(names, r * c.rounds + round)) {
        // Every request is bounded by REQUEST_TIMEOUT_MS; so is the block, generously.
        const result = await withTimeout(block(name), BLOCK_BOUND_MS, `http ${what} ${name}`);
        parts[name].push(check(`${what} ${name}`, result));
      }
    }
    return Object.fromEntries(names.map((n) => [n, pool(parts[n])])) as Record<K, Latencies>;
  };
  const rows: Row[] = [];

  // 1. Hello-world, keep-alive, closed-loop.
  const helloServers = ['plain', 'round-robin', 'least-loaded'] as const;
  for (const s of helloServers) check(`hello warm-up ${s}`, await cannon(port[s], c.warmupSeconds, false));
  ctx.log(`http hello-world: ${c.helloRepeats} repeats x ${c.rounds} rounds x ${helloServers.length} servers x ${c.helloSeconds} s (autocannon, ${CONNECTIONS} connections)`);
  const hello: Record<(typeof helloServers)[number], number[]> = { plain: [], 'round-robin': [], 'least-loaded': [] };
  for (let r = 0; r < c.helloRepeats; r++) {
    const out = await repeat(helloServers, r, 'hello', (s) => cannon(port[s], c.helloSeconds, false));
    for (const s of helloServers) hello[s].push(out[s].count / out[s].seconds);
  }
  ctx.log(`http hello-world req/s: ${helloServers.map((s) => `${s} ${hello[s].map((v) => Math.round(v)).join('/')}`).join('; ')}`);
  for (const spec of helloSpecs()) rows.push(makeRow(spec, hello.plain, spec.id === 'http.hello.rr' ? hello['round-robin'] : hello['least-loaded']));

  // 2. Skewed workload. Each repeat: closed-loop (its capacity), then open-loop at LOAD of it.
  const rates: Record<Conn, number[]> = { close: [], keepalive: [] };
  const blocks = {} as Record<`${Conn}.${Loop}`, Record<Balance, Block[]>>;
  for (const conn of CONNS) {
    for (const loop of LOOPS) blocks[`${conn}.${loop}`] = { 'least-loaded': [], 'round-robin': [], os: [] };
    ctx.log(
      `http skewed ${conn}: ${c.skewRepeats} repeats x ${c.rounds} rounds x ${BALANCES.length} balancers x (${c.closedSeconds} s closed-loop, then ${c.openSeconds} s open-loop at ${Math.round(LOAD * 100)}% of the repeat's capacity)`,
    );
    for (let r = 0; r < c.skewRepeats; r++) {
      for (const loop of ['closed', 'open'] as const) {
        // The capacity of this workload: the median of the balancers' closed-loop throughputs in this repeat.
        const rate = loop === 'open' ? LOAD * median(BALANCES.map((b) => blocks[`${conn}.closed`][b][r]!.rps)) : undefined;
        if (rate !== undefined) rates[conn].push(rate);
        const out = await repeat(BALANCES, r, `skewed ${conn} ${loop}`, (b) =>
          loop === 'open' ? openLoop(port[b], conn, rate!, c.openSeconds) : conn === 'close' ? closedLoopClose(port[b], c.closedSeconds) : cannon(port[b], c.closedSeconds, true),
        );
        for (const b of BALANCES) blocks[`${conn}.${loop}`][b].push({ ...percentiles(out[b].ms, out[b].fast), rps: out[b].count / out[b].seconds });
        ctx.log(
          `  ${conn} ${loop}-loop repeat ${r + 1}${rate === undefined ? '' : ` at ${Math.round(rate)} req/s`}: ${BALANCES.map((b) => {
            const x = blocks[`${conn}.${loop}`][b][r]!;
            return `${b} ${Math.round(x.rps)} req/s p50 ${fmt(x.p50)} p99 ${fmt(x.p99)} p99.9 ${fmt(x['p99.9'])}${loop === 'open' ? ` fast p99 ${fmt(x.fp99)}` : ''} ms`;
          }).join(' | ')}`,
        );
      }
    }
  }
  for (const k of skewKeys()) {
    const data = blocks[`${k.conn}.${k.loop}`];
    const spec = skewSpec(k.conn, k.loop, k.what, k.base, k.loop === 'open' ? median(rates[k.conn]) : undefined);
    rows.push(makeRow(spec, data[k.base].map((x) => x[k.what]), data['least-loaded'].map((x) => x[k.what])));
  }
  for (const s of servers) await s.stop();
  rows.push(...(await blockedRows(ctx, c, repeat)));
  return rows;
}

const BLOCKED_RATE = 200;
const BLOCKED = `4 HTTP one of ${WORKERS} workers blocked 400 ms out of every 500, every request fast, new connection per request, open-loop at ${BLOCKED_RATE} req/s (target: least-loaded p99 <= 150 ms)`;

function blockedSpecs(): RowSpec[] {
  return BASELINES.map((base) => ({
    id: `http.blocked.p99.vs-${short[base]}`,
    section: BLOCKED,
    measure: 'p99 latency',
    unit: 'ms' as const,
    baseline: label(base),
    contestant: label('least-loaded'),
  }));
}

type Repeat = <K extends string>(names: readonly K[], r: number, what: string, block: (name: K) => Promise<Latencies>) => Promise<Record<K, Latencies>>;

/** A worker that blocks its event loop in bursts: what each balance strategy makes new connections wait. */
async function blockedRows(ctx: SuiteContext, c: Config, repeat: Repeat): Promise<Row[]> {
  ctx.log(`http blocked worker: ${c.skewRepeats} repeats x ${c.rounds} rounds x ${BALANCES.length} balancers x ${c.openSeconds} s at ${BLOCKED_RATE} req/s`);
  const servers = await Promise.all(BALANCES.map((name) => startServer(ctx, name, { BLOCK_SLOT: '0' })));
  const port = Object.fromEntries(servers.map((s) => [s.name, s.port])) as Record<Balance, number>;
  const p99s: Record<Balance, number[]> = { 'least-loaded': [], 'round-robin': [], os: [] };
  try {
    for (let r = 0; r < c.skewRepeats; r++) {
      const out = await repeat(BALANCES, r, 'blocked', (b) => openLoop(port[b], 'close', BLOCKED_RATE, c.openSeconds, () => '/'));
      for (const b of BALANCES) p99s[b].push(percentiles(out[b].ms, out[b].fast).p99);
      ctx.log(`  blocked repeat ${r + 1}: ${BALANCES.map((b) => `${b} p99 ${fmt(p99s[b][r]!)} ms`).join(' | ')}`);
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  return blockedSpecs().map((spec, i) => makeRow(spec, p99s[BASELINES[i]!], p99s['least-loaded']));
}

export const httpSuite: Suite = { name: 'http', rows: () => specs(), run };
