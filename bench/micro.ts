// Micro-costs of the pieces of one call, in one process, warm: what each piece of per-call work
// costs on this machine, to put a number of µs on each suggestion in bench/PROFILE-NOTES.md.
//   node --import tsx bench/micro.ts
// Each line: the median over 7 rounds of (time for N operations) / N. Noisy on a shared machine;
// read as orders of magnitude (0.05 µs vs 0.5 µs vs 5 µs), not to the last digit.
import v8 from 'node:v8';
import { nanoid } from 'nanoid';
import { check } from '../src/contract/schema.js';
import { inspectPayload, payloadSize } from '../src/protocol/payload.js';
import { largePayload, payloadSchema, smallPayload } from './contract.js';
import { median } from './lib.js';

const ROUNDS = 7;
let sink: unknown;

function time(label: string, n: number, op: (i: number) => unknown): void {
  for (let i = 0; i < n; i++) sink = op(i); // warm up
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink = op(i);
    perOp.push(((performance.now() - t0) * 1000) / n);
  }
  console.log(`${median(perOp).toFixed(3).padStart(8)} µs  ${label}`);
}

async function timeAsync(label: string, n: number, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await op();
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await op();
    perOp.push(((performance.now() - t0) * 1000) / n);
  }
  console.log(`${median(perOp).toFixed(3).padStart(8)} µs  ${label}`);
}

const small = smallPayload();
const large = largePayload();
const LIMIT = 8 * 1024 * 1024;
const frame = (p: unknown) => ({ '~crpc': 1, f: [{ k: 'ok', i: 'abcdefghij.1a2b', p }] });

console.log('payload walks and validation (per call, each side runs some of these):');
time('inspectPayload ~100 B, advanced', 200_000, () => inspectPayload(small, LIMIT, 'advanced'));
time('inspectPayload ~100 B, json', 200_000, () => inspectPayload(small, LIMIT, 'json'));
time('inspectPayload ~10 KB, advanced', 20_000, () => inspectPayload(large, LIMIT, 'advanced'));
time('inspectPayload ~10 KB, json', 20_000, () => inspectPayload(large, LIMIT, 'json'));
time('payloadSize ~100 B, advanced (the call path\'s lean walk)', 200_000, () => payloadSize(small, LIMIT, 'advanced'));
time('payloadSize ~10 KB, advanced', 20_000, () => payloadSize(large, LIMIT, 'advanced'));
time('payloadSize ~10 KB, json', 20_000, () => payloadSize(large, LIMIT, 'json'));
time('zod ~standard.validate ~100 B (one schema, a copy)', 200_000, () => payloadSchema['~standard'].validate(small));
time('zod ~standard.validate ~10 KB', 20_000, () => payloadSchema['~standard'].validate(large));
time('check() around it, ~100 B', 200_000, () => check(payloadSchema, small));
console.log('\nthe serializer itself (for scale; every contestant pays it):');
time('v8.serialize envelope, ~100 B payload', 100_000, () => v8.serialize(frame(small)));
time('v8.deserialize it', 100_000, (() => {
  const b = v8.serialize(frame(small));
  return () => v8.deserialize(b);
})());
time('JSON.stringify envelope, ~100 B payload', 100_000, () => JSON.stringify(frame(small)));
time('v8.serialize envelope, ~10 KB payload', 10_000, () => v8.serialize(frame(large)));
time('JSON.stringify envelope, ~10 KB payload', 10_000, () => JSON.stringify(frame(large)));
console.log('\nthe wire format: serialize + parse of one message (as node\'s IPC does it), ours against flat ones:');
/** One serialize + parse round of `message`, with node's 'advanced' serializer classes or JSON. */
function roundTrip(message: () => unknown, json: boolean): unknown {
  if (json) return JSON.parse(JSON.stringify(message()));
  const ser = new v8.DefaultSerializer();
  ser.writeHeader();
  ser.writeValue(message());
  const des = new v8.DefaultDeserializer(ser.releaseBuffer());
  des.readHeader();
  return des.readValue();
}
const id = 'Ab3dE_fGh1.1a2';
const wire: [string, () => unknown][] = [
  ['ours: call envelope', () => ({ '~crpc': 1, f: [{ k: 'call', i: id, m: 'echo', p: small }] })],
  ['ours: ok envelope', () => ({ '~crpc': 1, f: [{ k: 'ok', i: id, p: small }] })],
  ['naive: request', () => ({ '~naive': 'q', id: 'V1StGXR8_Z5jdHi6B-myT', m: 'echo', p: small })],
  ['naive: response', () => ({ '~naive': 's', id: 'V1StGXR8_Z5jdHi6B-myT', p: small })],
  ['birpc: request', () => ({ t: 'q', i: 'V1StGXR8_Z5jdHi6B-myT', m: 'echo', a: [small] })],
  ['birpc: response', () => ({ t: 's', i: 'V1StGXR8_Z5jdHi6B-myT', r: small })],
];
for (const json of [false, true]) for (const [label, message] of wire) time(`${label}, ~100 B, ${json ? 'json' : 'advanced'}`, 50_000, () => roundTrip(message, json));
console.log('\nper-call objects and bookkeeping:');
let seq = 0;
time('id: prefix + (++seq).toString(36)', 500_000, () => 'abcdefghij.' + (++seq).toString(36));
time('id: nanoid() (the naive contestant)', 500_000, () => nanoid());
const map = new Map<string, object>();
time('Map set + get + delete, string key', 500_000, (i) => {
  const k = 'abcdefghij.' + i.toString(36);
  map.set(k, small);
  map.get(k);
  return map.delete(k);
});
time('new Promise + resolve (executor closure, resolving functions)', 500_000, () => {
  let r!: (v: unknown) => void;
  const p = new Promise((resolve) => (r = resolve));
  r(1);
  return p;
});
time('new AbortController()', 200_000, () => new AbortController());
time('Error.captureStackTrace({})', 100_000, () => {
  const o = {};
  Error.captureStackTrace(o);
  return o;
});
time('performance.now()', 1_000_000, () => performance.now());
time('Object.keys(~100 B payload)', 1_000_000, () => Object.keys(small));
console.log('\nhops (per call, a hop is one more trip through the microtask or tick queue):');
await timeAsync('await of a resolved value (1 microtask hop)', 200_000, async () => undefined);
await timeAsync('async fn result .then(cb) (the dispatcher on an async handler)', 200_000, () => (async (x: unknown) => x)(small).then((v) => v));
await timeAsync('process.nextTick hop', 200_000, () => new Promise<void>((resolve) => process.nextTick(resolve)));
await timeAsync('queueMicrotask hop', 200_000, () => new Promise<void>((resolve) => queueMicrotask(resolve)));
void sink;
