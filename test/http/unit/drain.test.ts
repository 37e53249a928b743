// The worker's drain rule, driven by hand: fake sockets, responses, timers and exit; no processes.
import test from 'ava';
import { Drain, drainExitCode, FIRST_REQUEST_GRACE_MS, isDrained, mayClose } from '../../../src/http/worker/drain.js';
import { LoadMeter } from '../../../src/http/worker/load-meter.js';

class FakeSocket {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
  }
}

class FakeResponse {
  headersSent = false;
  readonly headers = new Map<string, string>();
  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }
}

function setup() {
  const meter = new LoadMeter<FakeSocket>(() => 0);
  const timers: { callback: () => void; ms: number }[] = [];
  const exits: number[] = [];
  let accepting = true;
  const drain = new Drain(meter, {
    stopAccepting: () => void (accepting = false),
    schedule: (callback, ms) => void timers.push({ callback, ms }),
    exit: (code) => void exits.push(code),
  });
  drain.serving();
  /** A request on `socket`, through the meter and the drain as the server's listener does it. */
  const request = (socket: FakeSocket) => {
    const res = new FakeResponse();
    const connection = meter.requestStarted(socket);
    drain.responseStarted(res);
    return {
      res,
      end: () => {
        meter.requestFinished(connection);
        drain.responseEnded(res);
      },
    };
  };
  return { meter, drain, timers, exits, request, accepting: () => accepting };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('only a kept-alive connection between two requests may be closed', (t) => {
  t.true(mayClose({ served: 1, busy: 0 }));
  t.false(mayClose({ served: 0, busy: 0 }), 'its first request may be on its way');
  t.false(mayClose({ served: 3, busy: 1 }), 'a response is in progress');
});

test('the exit code is 0 only when nothing was left at the deadline', (t) => {
  t.is(drainExitCode({ drained: 4, remaining: 0 }), 0);
  t.is(drainExitCode({ drained: 4, remaining: 2 }), 1);
});

test('an idle worker drains at once: it stops accepting, answers, and exits 0', async (t) => {
  const { drain, exits, accepting } = setup();
  t.deepEqual(await drain.start(5_000), { drained: 0, remaining: 0 });
  t.false(accepting());
  await tick();
  t.deepEqual(exits, [0]);
});

test('draining closes idle kept-alive connections at once and busy ones after their response', async (t) => {
  const { meter, drain, request, exits } = setup();
  const idle = new FakeSocket();
  const busy = new FakeSocket();
  meter.opened(idle);
  meter.opened(busy);
  request(idle).end();
  const pending = request(busy);
  const result = drain.start(5_000);
  t.true(idle.destroyed);
  t.false(busy.destroyed);
  t.is(pending.res.headers.get('connection'), 'close', 'a response not yet sent tells its client not to reuse the connection');
  pending.end();
  t.true(busy.destroyed);
  t.deepEqual(await result, { drained: 1, remaining: 0 });
  await tick();
  t.deepEqual(exits, [0]);
});

test('a response that starts during the drain is marked Connection: close; one already sent is left alone', (t) => {
  const { meter, drain, request } = setup();
  const socket = new FakeSocket();
  meter.opened(socket);
  const sent = request(socket);
  sent.res.headersSent = true;
  void drain.start(5_000);
  t.false(sent.res.headers.has('connection'));
  const later = request(new FakeSocket());
  t.is(later.res.headers.get('connection'), 'close');
});

test('a connection that has not sent its first request is kept for the grace period, then closed', (t) => {
  const { meter, drain, timers } = setup();
  const fresh = new FakeSocket();
  meter.opened(fresh);
  void drain.start(5_000);
  t.false(fresh.destroyed);
  t.false(isDrained(meter), 'it still counts: its request may be on its way');
  const grace = timers.find((timer) => timer.ms === FIRST_REQUEST_GRACE_MS);
  t.truthy(grace);
  grace!.callback();
  t.true(fresh.destroyed);
});

test('the grace period never outlasts a shorter deadline', (t) => {
  const { meter, drain, timers } = setup();
  meter.opened(new FakeSocket());
  void drain.start(300);
  t.deepEqual(timers.map((timer) => timer.ms).sort((a, b) => a - b), [300, 300]);
});

test('at the deadline the drain answers with what is still in flight and the worker exits 1', async (t) => {
  const { meter, drain, timers, request, exits } = setup();
  const socket = new FakeSocket();
  meter.opened(socket);
  request(socket);
  const result = drain.start(2_000);
  const deadline = timers.find((timer) => timer.ms === 2_000);
  deadline!.callback();
  t.deepEqual(await result, { drained: 0, remaining: 1 });
  await tick();
  t.deepEqual(exits, [1]);
});

test('a second shutdown gets the same answer and the worker exits once', async (t) => {
  const { drain, exits } = setup();
  const first = drain.start(1_000);
  t.is(drain.start(50), first);
  await first;
  await tick();
  t.deepEqual(exits, [0]);
});

test('before the drain nothing is closed when responses end', (t) => {
  const { meter, request, drain } = setup();
  const socket = new FakeSocket();
  meter.opened(socket);
  request(socket).end();
  t.false(socket.destroyed);
  t.false(drain.draining);
});

test('a worker whose server never started drains without stopping a server', async (t) => {
  const meter = new LoadMeter<FakeSocket>(() => 0);
  let stopped = false;
  const drain = new Drain(meter, { stopAccepting: () => void (stopped = true), schedule: () => {}, exit: () => {} });
  t.deepEqual(await drain.start(1_000), { drained: 0, remaining: 0 });
  t.false(stopped);
});

const RELOAD = { closeIdle: false } as const;

test("a reload's drain never closes a kept-alive connection between two requests: its next response closes it", async (t) => {
  const { meter, drain, request, exits } = setup();
  const idle = new FakeSocket();
  meter.opened(idle);
  request(idle).end();
  let over = false;
  const result = drain.start(5_000, RELOAD).then((r) => ((over = true), r));
  t.false(idle.destroyed, 'the client may have its next request on the wire right now');
  // That next request arrives: its response tells the client to close, and the server closes after it.
  const next = request(idle);
  t.is(next.res.headers.get('connection'), 'close');
  next.end();
  t.false(idle.destroyed, 'not destroyed by the drain: the response itself ends the connection');
  await tick();
  t.false(over, 'the drain waits for the connection to close');
  meter.closed(idle);
  drain.settle();
  t.deepEqual(await result, { drained: 1, remaining: 0 });
  await tick();
  t.deepEqual(exits, [0]);
});

test("a reload's drain is over once every connection has closed by itself (client or keep-alive timeout)", async (t) => {
  const { meter, drain, request } = setup();
  const a = new FakeSocket();
  const b = new FakeSocket();
  for (const s of [a, b]) {
    meter.opened(s);
    request(s).end();
  }
  t.false(isDrained(meter, RELOAD));
  t.true(isDrained(meter, { closeIdle: true }), 'a shutdown would close them and be done');
  const result = drain.start(5_000, RELOAD);
  meter.closed(a);
  drain.settle();
  t.false(isDrained(meter, RELOAD));
  meter.closed(b);
  drain.settle();
  t.deepEqual(await result, { drained: 0, remaining: 0 });
  t.false(a.destroyed || b.destroyed, 'the drain destroyed none');
});

test("a shutdown during a reload's drain closes the idle connections at once and gets the same answer", async (t) => {
  const { meter, drain, request } = setup();
  const idle = new FakeSocket();
  meter.opened(idle);
  request(idle).end();
  const first = drain.start(5_000, RELOAD);
  t.false(idle.destroyed);
  t.is(drain.start(5_000, { closeIdle: true }), first);
  t.true(idle.destroyed);
});

test("only the deadline forces a reload's drain: what is still open is counted and the worker exits", async (t) => {
  const { meter, drain, timers, request, exits } = setup();
  const idle = new FakeSocket();
  meter.opened(idle);
  request(idle).end();
  const result = drain.start(2_000, RELOAD);
  timers.find((timer) => timer.ms === 2_000)!.callback();
  t.deepEqual(await result, { drained: 0, remaining: 0 });
  await tick();
  t.deepEqual(exits, [0], 'an idle connection cut at the deadline lost no request');
});
