import test from 'ava';
import { z } from 'zod';
import { warmable, warmObjectSchema } from '../../src/contract/warm.js';

/** Counts the functions zod compiles (its object fastpass is built with `new Function`) while `fn` runs. */
function compiledDuring(fn: () => void): number {
  const original = globalThis.Function;
  let compiled = 0;
  globalThis.Function = new Proxy(original, {
    construct(target, args, newTarget) {
      compiled++;
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  try {
    fn();
  } finally {
    globalThis.Function = original;
  }
  return compiled;
}

test('an object schema is compiled by the warm-up and runs none of its author code; later parses are unchanged', (t) => {
  const ran: string[] = [];
  const item = z.object({ id: z.number(), tag: z.string().refine((s) => (ran.push('item refine'), s.length > 0)) });
  const schema = z
    .object({
      name: z.preprocess((v) => (ran.push('preprocess'), v), z.string()),
      count: z.number().default(() => (ran.push('default'), 7)),
      upper: z.string().transform((s) => (ran.push('transform'), s.toUpperCase())),
      items: z.array(item),
    })
    .refine(() => (ran.push('object refine'), true));
  const found = warmable(schema);
  // The refined object is a pipe-less object with checks: it and the nested item schema are found.
  t.is(found.length, 2);
  const compiled = compiledDuring(() => {
    for (const s of found) t.true(warmObjectSchema(s));
  });
  t.is(compiled, 2, 'one fastpass per object schema');
  t.deepEqual(ran, [], 'no preprocess, default, transform or refinement ran');
  // Warming again compiles nothing more.
  t.is(compiledDuring(() => found.forEach((s) => warmObjectSchema(s))), 0);
  // Parsing works as before, and compiles nothing more: the warm-up left no state behind.
  let parsed: unknown;
  t.is(
    compiledDuring(() => {
      parsed = schema.parse({ name: 'a', upper: 'b', items: [{ id: 1, tag: 'x' }] });
    }),
    0,
  );
  t.deepEqual(parsed, { name: 'a', count: 7, upper: 'B', items: [{ id: 1, tag: 'x' }] });
  t.deepEqual(ran.sort(), ['default', 'item refine', 'object refine', 'preprocess', 'transform']);
  t.false(schema.safeParse({ name: 1, upper: 'b', items: [] }).success);
});

test('schemas the warm-up cannot prove are left cold: a lazy, a getter in a shape', (t) => {
  let calls = 0;
  const viaLazy = z.object({ next: z.lazy(() => (calls++, z.string())) });
  const withGetter = z.object({
    get child() {
      calls++;
      return z.string();
    },
  });
  t.deepEqual(warmable(viaLazy), []);
  t.deepEqual(warmable(withGetter), []);
  t.is(calls, 0, 'neither the lazy getter nor the shape getter ran');
  t.true(viaLazy.safeParse({ next: 'x' }).success);
  t.true(withGetter.safeParse({ child: 'x' }).success);
});

test('non-zod schemas and non-object zod schemas are not warmed', (t) => {
  const standard = { '~standard': { version: 1, vendor: 'x', validate: (value: unknown) => ({ value }) } };
  t.deepEqual(warmable(standard), []);
  t.deepEqual(warmable(z.string()), []);
  t.deepEqual(warmable(undefined), []);
  const inArray = z.array(z.object({ a: z.number() }));
  t.is(warmable(inArray).length, 1);
});

test('a recursive zod schema parses correctly after other schemas were warmed', (t) => {
  const warmedFirst = z.object({ a: z.number() });
  for (const s of warmable(warmedFirst)) t.true(warmObjectSchema(s));
  interface Node {
    value: number;
    children: Node[];
  }
  const node: z.ZodType<Node> = z.object({ value: z.number(), children: z.array(z.lazy(() => node)) });
  t.deepEqual(warmable(node), []);
  const tree = { value: 1, children: [{ value: 2, children: [] }] };
  t.deepEqual(node.parse(tree), tree);
  t.deepEqual(warmedFirst.parse({ a: 1 }), { a: 1 });
});
