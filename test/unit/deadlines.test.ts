import test from 'ava';
import { Deadlines } from '../../src/endpoint/deadlines.js';

interface Item {
  readonly name: string;
  readonly deadline: number;
  settled: boolean;
}

function item(name: string, timeout: number): Item {
  return { name, deadline: performance.now() + timeout, settled: false };
}


test('items expire in deadline order across lanes of different timeouts, settled ones never', async (t) => {
  const fired: string[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const d = new Deadlines<Item>((i) => {
    fired.push(i.name);
    if (fired.length === 3) done();
  });
  const a = item('a-40', 40);
  const b = item('b-10', 10);
  const c = item('c-40', 40);
  const s = item('settled-10', 10);
  const e = item('e-20', 20);
  d.add(a, 40);
  d.add(b, 10);
  d.add(s, 10);
  d.add(c, 40);
  d.add(e, 20);
  s.settled = true;
  d.settled(10);
  a.settled = true; // out of order: behind nothing, at the head of its lane
  d.settled(40);
  await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error('not within 2 s')), 2_000))]);
  t.deepEqual(fired, ['b-10', 'e-20', 'c-40']);
  d.clear();
});

test('a settled item in the middle of a lane is skipped when the head expires', async (t) => {
  const fired: string[] = [];
  let done: () => void = () => {};
  const both = new Promise<void>((resolve) => (done = resolve));
  const d = new Deadlines<Item>((i) => {
    fired.push(i.name);
    if (fired.length === 2) done();
  });
  const items = ['x', 'y', 'z'].map((n) => item(n, 15));
  for (const i of items) d.add(i, 15);
  items[1]!.settled = true;
  d.settled(15); // y is not at the head: it stays, marked
  await Promise.race([both, new Promise((_, reject) => setTimeout(() => reject(new Error('not within 2 s')), 2_000))]);
  t.deepEqual(fired, ['x', 'z']);
  d.clear();
});

test('clear() stops every timer: nothing expires afterwards', async (t) => {
  const fired: string[] = [];
  const d = new Deadlines<Item>((i) => fired.push(i.name));
  d.add(item('a', 5), 5);
  d.clear();
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.deepEqual(fired, []);
});


test('one call that never settles does not keep the settled calls behind it', (t) => {
  const d = new Deadlines<Item>(() => {});
  const stuck = item('stuck', 60_000);
  d.add(stuck, 60_000);
  for (let i = 0; i < 10_000; i++) {
    const quick = item(`q${i}`, 60_000);
    d.add(quick, 60_000);
    quick.settled = true;
    d.settled(60_000);
  }
  t.true(d.held < 2_100, `held ${d.held} items for 1 live one`);
  d.clear();
});
