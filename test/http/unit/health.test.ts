// The health view, pure: vacant slots make the cluster degraded, and the demo's status line says why.
import test from 'ava';
import { clusterHealth, type SlotVacancy } from '../../../src/http/primary/health.js';
import { healthLine } from '../../../examples/http-cluster/status-view.js';

test('a cluster with every slot filled is not degraded', (t) => {
  const health = clusterHealth(2, ['ready', 'ready', 'draining'], new Map());
  t.deepEqual(health, { configured: 2, ready: 2, degraded: false, vacant: [] });
  t.is(healthLine(health), '2 of 2 workers ready');
});

test('a vacant slot makes it degraded, and the status line names each slot and why, in slot order', (t) => {
  const vacancies = new Map<number, SlotVacancy>([
    [2, { slot: 2, reason: 'restarting in 200 ms: the last worker exited with code 1', restarting: true }],
    [1, { slot: 1, reason: 'restarts stopped: 6 crashes of slot 1 within 60000 ms', restarting: false }],
  ]);
  const health = clusterHealth(3, ['ready'], vacancies);
  t.like(health, { configured: 3, ready: 1, degraded: true });
  t.deepEqual(health.vacant.map((v) => v.slot), [1, 2]);
  t.is(
    healthLine(health),
    'DEGRADED: 1 of 3 workers ready\nslot 1 empty: restarts stopped: 6 crashes of slot 1 within 60000 ms\nslot 2 restarting: restarting in 200 ms: the last worker exited with code 1',
  );
});
