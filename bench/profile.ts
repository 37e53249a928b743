// A small run of the rpc path alone, for a CPU profile of the primary (caller) and of the worker
// (callee):
//   node --cpu-prof --cpu-prof-dir=bench/results/profile --import tsx bench/profile.ts [pipelined|sequential|cold] [calls]
//   node --import tsx bench/cpuprofile-top.ts bench/results/profile
// Workers inherit --cpu-prof from the primary's execArgv and are ended gracefully (disconnect) so
// that they write their profiles. 'cold' is the first calls after connect in this fresh pair of
// processes (default 2,000); the profile then also holds module loading, which cpuprofile-top's
// --from-ms/--src options help to set apart. Default options (validation on, captureCallStack off
// unless BENCH_CAPTURE_STACK=true), 'advanced' unless BENCH_SERIALIZATION=json, the async handler
// unless BENCH_HANDLER=sync, the ~100 B payload unless BENCH_PAYLOAD=large (~10 KB).
import type { Serialization } from '../src/index.js';
import { largePayload, smallPayload } from './contract.js';
import { ipcLab } from './ipc.js';
import type { SuiteContext } from './lib.js';
import { IN_FLIGHT, pipelined } from './pipelined.js';

const mode = process.argv[2] ?? 'pipelined';
const calls = Number(process.argv[3] ?? (mode === 'pipelined' ? 200_000 : mode === 'cold' ? 2_000 : 20_000));
const serialization = (process.env['BENCH_SERIALIZATION'] ?? 'advanced') as Serialization;
const captureCallStack = process.env['BENCH_CAPTURE_STACK'] === 'true';
const method = process.env['BENCH_HANDLER'] === 'sync' ? 'echoSync' : 'echo';
const cleanups: (() => Promise<void> | void)[] = [];
const ctx: SuiteContext = { quick: true, log: (m) => process.stderr.write(`${m}\n`), defer: (fn) => void cleanups.push(fn) };
try {
  const lab = ipcLab(ctx);
  const w = await lab.fork(lab.hub('profile', { serialization, captureCallStack }));
  const payload = process.env['BENCH_PAYLOAD'] === 'large' ? largePayload() : smallPayload();
  const call = (): Promise<unknown> => w.handle.call(method, payload);
  const label = `${serialization}, ${method}, captureCallStack ${captureCallStack}`;
  // The calls' window on the monotonic clock V8's profiles use: cpuprofile-top --window A,B keeps
  // just those samples, in the primary's and the worker's profiles alike.
  const mono = (): number => Number(process.hrtime.bigint() / 1000n);
  const windowStart = mono();
  if (mode === 'pipelined') {
    const seconds = await pipelined(call, calls, IN_FLIGHT);
    ctx.log(`pipelined ${label}: ${calls} calls, ${Math.round(calls / seconds)} calls/s`);
  } else {
    const latencies = new Float64Array(calls);
    const started = performance.now();
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await call();
      latencies[i] = performance.now() - t0;
    }
    const sorted = latencies.slice().sort();
    const at = (p: number): string => (sorted[Math.min(calls - 1, Math.ceil(p * calls) - 1)]! * 1000).toFixed(1);
    ctx.log(`${mode} ${label}: ${calls} calls, ${(((performance.now() - started) / calls) * 1000).toFixed(1)} µs mean, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs, first call ${(latencies[0]! * 1000).toFixed(0)} µs`);
  }
  ctx.log(`calls window (monotonic µs): --window ${windowStart},${mono()}`);
} catch (error) {
  process.exitCode = 1;
  ctx.log(String(error));
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
