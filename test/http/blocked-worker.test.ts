// A worker whose event loop blocks gets no new connections: least-loaded marks it busy as soon as
// an offer to it stays unanswered a few milliseconds, without waiting for its load report to go
// stale; under 'os' (the default) a blocked worker accepts nothing. One of two workers blocks 400 ms
// out of every 500, new connections arrive at a steady rate.
import test from 'ava';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startCluster, withTimeout } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/handoff-server.ts', import.meta.url));

/** A GET on a new connection: resolves to its latency from `due` in ms and the answering pid, or the error. */
function timedGet(port: number, due: number): Promise<{ ms: number; pid: number } | Error> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ ms: performance.now() - due, pid: (JSON.parse(body) as { pid: number }).pid }));
      res.on('error', resolve);
    });
    req.on('error', resolve);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
  });
}

/** Open loop: `count` new connections, one every `intervalMs`, each timed from when it was due. */
async function openLoop(port: number, count: number, intervalMs: number): Promise<({ ms: number; pid: number } | Error)[]> {
  const t0 = performance.now() + 10;
  const pending: Promise<{ ms: number; pid: number } | Error>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(timedGet(port, due));
  }
  return Promise.all(pending);
}

/** The connections due in the first second of the open loop (one every 10 ms), before the first load report is sure to have come. */
const LEARNING_CONNECTIONS = 100;

const p99 = (values: number[]): number => values.slice().sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

// One after the other: two clusters each with a worker spinning 80% of a core would take the
// machine's two cores from each other, and the answers the least-loaded budget learns from with them.
for (const balance of ['least-loaded', 'os'] as const) {
  test.serial(`with one of two workers blocked 400 ms out of every 500, new connections go to the other one (${balance})`, async (t) => {
    // Load reports far apart: under least-loaded only the unanswered offers can tell the primary that
    // the worker is blocked; under 'os' (the default) a blocked worker does not accept.
    const c = await startCluster(t, { WORKERS: '2', BLOCK_SLOT: '0', LOAD_REPORT_INTERVAL: '1000', HEARTBEAT_TIMEOUT: '10000', BALANCE: balance }, FIXTURE);
    const { port, workers } = await c.listening(90_000);
    const blocked = workers.find((w) => w.slot === 0)!;
    const results = await withTimeout(openLoop(port, 400, 10), 60_000, 'the open loop');
    const errors = results.filter((r): r is Error => r instanceof Error);
    t.deepEqual(errors.map((e) => e.message), []);
    const answered = results.filter((r): r is { ms: number; pid: number } => !(r instanceof Error));
    const latency = p99(answered.map((r) => r.ms));
    const byBlocked = answered.filter((r) => r.pid === blocked.pid).length;
    const late = results.flatMap((r, i) => (r instanceof Error || r.ms <= 300 ? [] : [{ i, ms: r.ms }]));
    t.log(`p99 ${latency.toFixed(1)} ms; the blocked worker answered ${byBlocked} of ${answered.length}; waited over 300 ms: ${late.length} (${late.map((w) => `#${w.i} ${w.ms.toFixed(0)} ms`).join(', ')})`);
    // What the balancer controls: how many connections wait out a block (without the unanswered
    // rule about one in ten did). No balancer that picks on arrival sees a block coming: a
    // connection dealt as one starts waits it out, and the worker's silence on it only marks the
    // worker busy from then on. Least-loaded learns that the worker keeps stalling from its load
    // report (the event-loop delay p99), here a second apart; until then each block may cost a
    // connection or, on a loaded machine where the other worker is slow to answer too, a few.
    // Under 'os' a worker that blocks right after accepting makes its connection wait, in any block.
    // Node's round-robin hands a worker its next connection only once it took the last, so it too
    // loses one connection per block, but in every block: measured, 8 per run, 6 of them after the
    // first second, which the second bound refuses.
    const learning = late.filter((w) => w.i < LEARNING_CONNECTIONS).length;
    t.true(learning <= 8, `at most a few connections waited out the blocks of the first second (${learning})`);
    t.true(late.length - learning <= answered.length / 100, 'after it, at most 1% of the connections waited out most of a block');
  });
}
