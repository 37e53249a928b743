import { readFileSync } from 'node:fs';
import test from 'ava';
import * as api from '../../src/index.js';
import * as httpApi from '../../src/http/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('\n## ', readme.indexOf('## Errors') + 1));
const rows = [...section.matchAll(/^\| `(RPC_[A-Z_]+)` \| `(\w+)` \|/gm)].map((m) => ({ code: m[1]!, className: m[2]! }));

test('the README error table lists every code of ErrorCodes, once, in the same order', (t) => {
  t.deepEqual(
    rows.map((r) => r.code),
    Object.keys(api.ErrorCodes),
  );
});

test('each class the README names is exported and carries the code of its row', (t) => {
  for (const { code, className } of rows) {
    // The HTTP cluster's errors are exported by its own entry, typed-cluster-rpc/http.
    const ctor = (api as Record<string, unknown>)[className] ?? (httpApi as Record<string, unknown>)[className];
    t.is(typeof ctor, 'function', `${className} is exported`);
    const prototype = (ctor as { prototype: unknown }).prototype;
    t.true(prototype instanceof api.RpcError, `${className} extends RpcError`);
    t.true(readme.includes(className));
    t.true(Object.hasOwn(api.ErrorCodes, code));
  }
});

test('ErrorCodes is frozen', (t) => {
  t.true(Object.isFrozen(api.ErrorCodes));
});
