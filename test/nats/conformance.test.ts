// The conformance suite over NATS, both serializations: a primary member calling "any worker"
// (the queue group) of a namespace with one worker member, through a real nats-server.
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { joinNamespace, type NatsMember } from '../../src/nats/index.js';
import { registerConformance, type ConformancePair } from '../conformance/suite.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';

let server: NatsServer | undefined;
test.before(async () => {
  server = await startNatsServer(undefined);
});
test.after.always(() => server?.stop());

let n = 0;
for (const serialization of ['json', 'advanced'] as const) {
  registerConformance(
    `nats, ${serialization}`,
    async (): Promise<ConformancePair> => {
      const nc = await connect({ servers: server!.url });
      const namespace = `conf${process.pid}-${++n}`;
      const common = { namespace, serialization, heartbeatInterval: 200, heartbeatTimeout: 2_000 } as const;
      const worker: NatsMember<typeof testContract, 'worker'> = await joinNamespace(nc, testContract, {
        ...common,
        side: 'worker',
        handlers: workerHandlers(() => worker, 1),
      });
      const primary = await joinNamespace(nc, testContract, { ...common, side: 'primary', handlers: primaryHandlers(), timeout: 5_000 });
      let closed: Promise<void> | undefined;
      return {
        primary,
        worker,
        close: () =>
          (closed ??= (async () => {
            await primary.close();
            await worker.close();
            await nc.close();
          })()),
      };
    },
    { serialization },
  );
}
