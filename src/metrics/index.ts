/**
 * typed-cluster-rpc/metrics: a small metrics registry, Prometheus exposition, the primary's
 * cluster-wide scrape (every worker under its slot, with a deadline that a dead or slow worker
 * cannot break), a `/metrics` server, the prom-client adapter, and the instruments of the RPC
 * layer and of the HTTP cluster.
 *
 * @packageDocumentation
 */
export { MetricsRegistry } from './registry.js';
export type { Observation, ObservedOptions } from './registry.js';
export type { Counter, Gauge, Histogram, HistogramOptions, MetricOptions } from './metric.js';
export { readSnapshot } from './snapshot.js';
export type { HistogramSeries, Labels, MetricFamily, MetricsSnapshot, SampleValue, ScalarSeries, SummarySeries } from './snapshot.js';
export { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition.js';
export { mergeSnapshots } from './merge.js';
export type { Merged, WorkerSnapshot } from './merge.js';
export { collectSnapshots } from './collect.js';
export type { AskSnapshot, CollectionErrorReason, CollectResult, CollectTarget } from './collect.js';
export { createClusterCollector } from './collector.js';
export type { ClusterCollector, ClusterCollectorOptions } from './collector.js';
export { serveMetrics } from './server.js';
export type { MetricsServer, MetricsServerOptions } from './server.js';
export { combineSnapshots, fromPromClientJson, promClientSnapshot } from './prom-client.js';
export type { PromClientRegistryLike } from './prom-client.js';
export { createRpcMetrics, outcomeOf } from './rpc.js';
export type { RpcGaugeSource, RpcMetricsHooks, RpcSide } from './rpc.js';
export { createHttpPrimaryMetrics, createHttpWorkerMetrics } from './http.js';
export type { HttpClusterView, HttpPrimaryMetricsHooks, HttpWorkerMetricsHooks, RestartReason } from './http.js';
export { registerProcessMetrics } from './process.js';
