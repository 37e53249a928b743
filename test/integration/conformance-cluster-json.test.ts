// The conformance suite over real cluster IPC, 'json' serialization (its own file, so its own process).
import test from 'ava';
import { registerConformance } from '../conformance/suite.js';
import { clusterPairFactory, WorkerPool } from './helpers.js';

const pool = new WorkerPool('json');
test.before(() => pool.warm());
test.after.always(() => pool.destroy());
registerConformance('cluster, json', clusterPairFactory(pool, 'json'), { serialization: 'json' }, { serial: true });
