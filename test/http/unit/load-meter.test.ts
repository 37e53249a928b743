// The worker's load meter: pure counters and the report the balancer reads, with an injected clock.
import test from 'ava';
import { LoadMeter } from '../../../src/http/worker/load-meter.js';

function meterAt(start = 1_000): { meter: LoadMeter; advance(ms: number): void } {
  let now = start;
  const meter = new LoadMeter(() => now);
  return { meter, advance: (ms) => void (now += ms) };
}

test('a new connection counts as load until its first request arrives', (t) => {
  const { meter } = meterAt();
  const socket = {};
  t.true(meter.opened(socket));
  t.deepEqual(meter.report(0), { inFlight: 1, handled: 0, eventLoopDelayP99Ms: 0, connections: 0 });
  const connection = meter.requestStarted(socket);
  t.is(meter.awaitingFirstRequest, 0);
  t.is(meter.report(0).inFlight, 1, 'now as the request in flight');
  meter.requestFinished(connection);
  t.deepEqual(meter.report(3), { inFlight: 0, handled: 1, eventLoopDelayP99Ms: 3, connections: 0 });
});

test('a connection seen twice (a hand-off emitted as connection) is counted once', (t) => {
  const { meter } = meterAt();
  const socket = {};
  t.true(meter.opened(socket));
  t.false(meter.opened(socket));
  t.is(meter.awaitingFirstRequest, 1);
});

test('a connection closed before its first request stops counting', (t) => {
  const { meter } = meterAt();
  const socket = {};
  meter.opened(socket);
  meter.closed(socket);
  t.is(meter.awaitingFirstRequest, 0);
  t.is(meter.report(0).inFlight, 0);
  meter.closed(socket);
  t.is(meter.awaitingFirstRequest, 0, 'a second close changes nothing');
});

test('each connection counts the requests it served and those in progress', (t) => {
  const { meter } = meterAt();
  const socket = {};
  meter.opened(socket);
  const first = meter.requestStarted(socket);
  const second = meter.requestStarted(socket);
  t.deepEqual([...meter.connections()].map(([, c]) => ({ ...c })), [{ served: 2, busy: 2 }]);
  meter.requestFinished(first);
  meter.requestFinished(second);
  t.deepEqual([...meter.connections()].map(([, c]) => ({ ...c })), [{ served: 2, busy: 0 }]);
  t.false(meter.awaitsFirstRequest());
});

test('a request on a socket the meter never saw is still counted in flight and handled', (t) => {
  const { meter } = meterAt();
  const connection = meter.requestStarted({});
  t.is(connection, undefined);
  t.is(meter.inFlight, 1);
  meter.requestFinished(connection);
  t.deepEqual([meter.inFlight, meter.handled], [0, 1]);
});

test('hand-offs taken are reported cumulatively, so the primary can subtract them from what it handed', (t) => {
  const { meter } = meterAt();
  meter.tookHandoff();
  meter.tookHandoff();
  t.is(meter.report(0).connections, 2);
  t.is(meter.report(0).connections, 2, 'a report does not reset the count');
});

test('uptime reads the injected clock', (t) => {
  const { meter, advance } = meterAt(5_000);
  t.is(meter.uptime(), 0);
  advance(250);
  t.is(meter.uptime(), 250);
});
