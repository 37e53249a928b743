// A small run of the rpc path alone, for a CPU profile of the primary and of the worker:
//   node --cpu-prof --cpu-prof-dir=bench/results/profile --import tsx bench/profile.ts [pipelined|sequential] [calls]
//   node --import tsx bench/cpuprofile-top.ts bench/results/profile
// Workers inherit --cpu-prof from the primary's execArgv and are ended gracefully (disconnect) so
// that they write their profiles. Default options (validation on, captureCallStack off unless BENCH_CAPTURE_STACK=true), 'advanced'.
import type { Serialization } from '../src/index.js';
import { smallPayload } from './contract.js';
import { ipcLab } from './ipc.js';
import type { SuiteContext } from './lib.js';
import { IN_FLIGHT, pipelined } from './pipelined.js';

const mode = process.argv[2] ?? 'pipelined';
const calls = Number(process.argv[3] ?? (mode === 'pipelined' ? 200_000 : 20_000));
const serialization = (process.env['BENCH_SERIALIZATION'] ?? 'advanced') as Serialization;
const captureCallStack = process.env['BENCH_CAPTURE_STACK'] === 'true';
const cleanups: (() => Promise<void> | void)[] = [];
const ctx: SuiteContext = { quick: true, log: (m) => process.stderr.write(`${m}\n`), defer: (fn) => void cleanups.push(fn) };
try {
  const lab = ipcLab(ctx);
  const w = await lab.fork(lab.hub('profile', { serialization, captureCallStack }));
  const payload = smallPayload();
  const call = (): Promise<unknown> => w.handle.call('echo', payload);
  if (mode === 'pipelined') {
    const seconds = await pipelined(call, calls, IN_FLIGHT);
    ctx.log(`pipelined ${serialization}, captureCallStack ${captureCallStack}: ${calls} calls, ${Math.round(calls / seconds)} calls/s`);
  } else {
    const started = performance.now();
    for (let i = 0; i < calls; i++) await call();
    ctx.log(`sequential ${serialization}: ${calls} calls, ${(((performance.now() - started) / calls) * 1000).toFixed(1)} µs mean`);
  }
} catch (error) {
  process.exitCode = 1;
  ctx.log(String(error));
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
