// The conformance suite over real cluster IPC, 'advanced' serialization: the primary's side is a
// hub's WorkerHandle, the worker a forked process serving the shared handlers.
import test from 'ava';
import { registerConformance } from '../conformance/suite.js';
import { clusterPairFactory, WorkerPool } from './helpers.js';

const pool = new WorkerPool('advanced');
test.before(() => pool.warm());
test.after.always(() => pool.destroy());
registerConformance('cluster, advanced', clusterPairFactory(pool, 'advanced'), { serialization: 'advanced' }, { serial: true });
