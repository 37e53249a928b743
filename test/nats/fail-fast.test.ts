// Fail fast, as over IPC: a member that is killed, goes silent or vanishes settles the calls
// pending on it within the heartbeat timeout, not at their own timeout.
import test from 'ava';
import { RpcNoWorkerError, RpcPeerExitedError, RpcTimeoutError } from '../../src/index.js';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, forkMember, freshNamespace, joinPrimary, knows, withTimeout } from './helpers.js';

let server: NatsServer;
test.before(async () => {
  server = await startNatsServer(undefined);
});
test.after.always(() => server?.stop());

test('a member SIGKILLed with a call pending on it: RPC_PEER_EXITED (sent) within the heartbeat timeout', async (t) => {
  const ns = freshNamespace();
  const { child, id } = await forkMember(t, server.url, ns);
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { timeout: 60_000 });
  await knows(primary, [id]);
  const pending = primary.member(id)!.call('hang');
  await eventually(() => primary.inFlight().length === 1, 10_000, 'the call to be in flight');
  const left = new Promise<string>((resolve) => primary.onMembers('left', (m, why) => resolve(`${m.id}:${why.reason}`)));
  const killedAt = performance.now();
  child.kill('SIGKILL');
  const error = await t.throwsAsync(withTimeout(pending, 20_000, 'the call to settle'), { instanceOf: RpcPeerExitedError });
  t.true(performance.now() - killedAt < 15_000);
  t.like(error, { code: 'RPC_PEER_EXITED', sent: true });
  t.is(await withTimeout(left, 10_000, 'left'), `${id}:silent`);
  t.like(primary.stats(), { inFlight: 0 });
});

test('a call to any member, taken by one that is then SIGKILLed, rejects with RPC_PEER_EXITED (sent)', async (t) => {
  const ns = freshNamespace();
  const { child, id } = await forkMember(t, server.url, ns);
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { timeout: 60_000 });
  await knows(primary, [id]);
  const pending = primary.call('hang');
  // Wait for the member to have taken it: its next answer rides behind the acknowledgement.
  await primary.member(id)!.call('stats');
  child.kill('SIGKILL');
  const error = await t.throwsAsync(withTimeout(pending, 20_000, 'the call to settle'), { instanceOf: RpcPeerExitedError });
  t.like(error, { sent: true });
  t.regex(error!.message, new RegExp(id));
});

test('a member that goes silent (SIGSTOP) with a call pending: RPC_PEER_EXITED within the heartbeat timeout', async (t) => {
  const ns = freshNamespace();
  const { child, id } = await forkMember(t, server.url, ns);
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { timeout: 60_000 });
  await knows(primary, [id]);
  const pending = primary.member(id)!.call('hang');
  await eventually(() => primary.inFlight().length === 1, 10_000, 'the call to be in flight');
  child.kill('SIGSTOP');
  t.teardown(() => void child.kill('SIGKILL'));
  const error = await t.throwsAsync(withTimeout(pending, 20_000, 'the call to settle'), { instanceOf: RpcPeerExitedError });
  t.like(error, { sent: true });
  t.regex(error!.message, /heartbeats stopped/);
  t.false(primary.members().some((m) => m.id === id));
});

test('a call to a member that vanished before its heartbeats lapsed fails at once with RPC_NO_WORKER', async (t) => {
  const ns = freshNamespace();
  const { child, id } = await forkMember(t, server.url, ns);
  const nc = await connectTo(t, server.url);
  // Heartbeats so slow that only the server's no-responders can tell.
  const primary = await joinPrimary(t, nc, ns, { heartbeatInterval: 10_000, heartbeatTimeout: 60_000, timeout: 60_000 });
  await knows(primary, [id]);
  const handle = primary.member(id)!;
  await handle.call('stats');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  // The server drops the dead client's subscriptions once it sees the socket close; a call that
  // raced that moment was delivered to the dying connection and times out (short attempts here).
  const error = await withTimeout(
    (async () => {
      for (;;) {
        try {
          await handle.call('stats', undefined, { timeout: 500 });
        } catch (e) {
          if (!(e instanceof RpcTimeoutError)) return e;
        }
      }
    })(),
    20_000,
    'a call to fail with RPC_NO_WORKER',
  );
  t.true(error instanceof RpcNoWorkerError, String(error));
  t.false((error as RpcNoWorkerError).sent);
  await eventually(() => !primary.members().some((m) => m.id === id), 20_000, 'the member to be dropped');
  await t.throwsAsync(handle.call('stats'), { instanceOf: RpcNoWorkerError, message: /not in namespace/ });
});
