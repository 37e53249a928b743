// In-process A/B of the library's own per-call JS, caller and callee together: two endpoints joined
// by a transport that hands the envelope object across on a microtask (no serialization, no
// syscall, no other process), beside a hand-written naive RPC (nanoid + Map + zod, the same
// microtask hops as its transport). Each compiled copy of the library given on the command line is
// loaded into this one process and measured in alternation with the others (15 rounds of 20,000
// sequential calls each; min and median µs per call). Far less noisy than an IPC pair on a shared
// machine, so it resolves changes of ~0.1 µs that bench/overhead.ts cannot (bench/PROFILE-NOTES.md
// section 9). Plain JS: it imports compiled copies (dist/ by default), not src/.
//   npm run build && node bench/inproc.mjs [distA distB …]      SIZE=large (~10 KB), SER=json
import { z } from 'zod';
import { nanoid } from 'nanoid';
import { pathToFileURL } from 'node:url';
const item = z.object({ id: z.number(), name: z.string(), score: z.number(), active: z.boolean(), tags: z.array(z.string()) });
const payloadSchema = z.object({ id: z.number(), name: z.string(), ok: z.boolean(), n: z.number(), text: z.string(), items: z.array(item) });
const small = { id: 1, name: 'bench', ok: true, n: 3.25, text: 'the quick brown fox jumps over it', items: [] };
const large = { id: 2, name: 'bench-large', ok: true, n: 6.5, text: 'lorem ipsum dolor sit amet '.repeat(250),
  items: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item-${i}`, score: i * 1.5, active: i % 2 === 0, tags: ['alpha', 'beta'] })) };
const payload = process.env.SIZE === 'large' ? large : small;
const ser = process.env.SER ?? 'advanced';

async function setup(dir) {
  const root = pathToFileURL(dir.replace(/\/$/, '') + '/').href;
  const lib = await import(root + 'index.js');
  const { BatchingTransport } = await import(root + 'transport/batching.js');
  class Instant extends BatchingTransport {
    other;
    write(message) { const o = this.other; queueMicrotask(() => o.deliver(message)); return true; }
    isConnected() { return true; }
    detach() {}
  }
  const a = new Instant(ser, 'b'), b = new Instant(ser, 'a');
  a.other = b; b.other = a;
  const contract = lib.defineContract({ worker: { echo: { input: payloadSchema, output: payloadSchema } }, primary: {}, events: {} });
  lib.createEndpoint(contract, 'worker', b, { handlers: { echo: async (x) => x } });
  const primary = lib.createEndpoint(contract, 'primary', a, {});
  await primary.call('echo', payload);
  return () => primary.call('echo', payload);
}
function naiveSetup() {
  const pending = new Map();
  const serve = async (m) => {
    const out = payloadSchema.parse(await (async (x) => x)(payloadSchema.parse(m.p)));
    queueMicrotask(() => { const p = pending.get(m.id); pending.delete(m.id); p.resolve(out); });
  };
  return () => { const id = nanoid(); return new Promise((resolve, reject) => { pending.set(id, { resolve, reject }); const msg = { q: 1, id, m: 'echo', p: payload }; queueMicrotask(() => serve(msg)); }); };
}
const names = process.argv.length > 2 ? process.argv.slice(2) : [new URL('../dist', import.meta.url).pathname];
const calls = [];
for (const d of names) calls.push(await setup(d));
names.push('naive'); calls.push(naiveSetup());
const N = 20000;
const results = names.map(() => []);
for (let r = 0; r < 15; r++) {
  for (let k = 0; k < calls.length; k++) {
    const i = (k + r) % calls.length;
    const t = performance.now();
    for (let c = 0; c < N; c++) await calls[i]();
    results[i].push((performance.now() - t) / N * 1000);
  }
}
for (let i = 0; i < names.length; i++) {
  const s = results[i].sort((x, y) => x - y);
  console.log(`${ser} ${process.env.SIZE ?? 'small'} ${names[i].split('/').pop()}: min ${s[0].toFixed(3)} µs, median ${s[Math.floor(s.length / 2)].toFixed(3)} µs per call`);
}
process.exit(0);
