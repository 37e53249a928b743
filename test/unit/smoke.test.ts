import test from 'ava';
import type { Endpoint } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { testContract } from '../fixtures/contract.js';
type C = typeof testContract;
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';

test('a call over the memory pair resolves to the handler output', async (t) => {
  const pair: { primary: Endpoint<C['worker'], C['events']>; worker: Endpoint<C['primary'], C['events']> } = connectMemoryPair(testContract, {
    worker: { handlers: workerHandlers(() => pair.worker, 1) },
    primary: { handlers: primaryHandlers() },
  });
  t.is(await pair.primary.call('greet', { name: 'Ada' }), 'hello Ada from 1');
  t.is(await pair.primary.call('callBack', { text: 'x' }), 'X!');
  await pair.primary.close();
});
