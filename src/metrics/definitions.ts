// Every metric typed-cluster-rpc defines: name, type, labels, help and buckets, in one frozen
// table. Names follow Prometheus conventions and OpenTelemetry's semantic conventions translated
// to Prometheus (`rpc.client.duration` in seconds → `rpc_client_duration_seconds`). The README's
// metrics table is checked against this one by a test.

/** One metric's declaration. */
export interface MetricDefinition {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labelNames: readonly string[];
  readonly help: string;
  /** Where it is measured: every process with an endpoint, HTTP workers, or the HTTP primary. */
  readonly where: 'rpc' | 'http-worker' | 'http-primary' | 'process' | 'scrape';
  readonly buckets?: readonly number[];
}

/** Buckets for IPC calls: a round trip is tens of microseconds; a slow handler takes seconds. */
export const RPC_DURATION_BUCKETS = Object.freeze([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
/** OpenTelemetry's advised buckets for `http.server.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
/** Buckets for drains and reloads, which take from milliseconds to the shutdown timeout. */
export const LIFECYCLE_BUCKETS = Object.freeze([0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]);

const define = <const D extends MetricDefinition>(d: D): D => Object.freeze(d);

/** The metrics, by the name the code uses for each. */
export const METRICS = Object.freeze({
  clientDuration: define({ name: 'rpc_client_duration_seconds', type: 'histogram', labelNames: ['method', 'outcome'], where: 'rpc', buckets: RPC_DURATION_BUCKETS, help: 'Duration of calls this process made, from the call to its settling, by method and outcome (ok or the error code).' }),
  serverDuration: define({ name: 'rpc_server_duration_seconds', type: 'histogram', labelNames: ['method', 'outcome'], where: 'rpc', buckets: RPC_DURATION_BUCKETS, help: 'Duration of calls this process served, from arrival (mailbox wait included) to the reply, by method and outcome.' }),
  clientActive: define({ name: 'rpc_client_active_calls', type: 'gauge', labelNames: [], where: 'rpc', help: 'Calls this process made that await their reply.' }),
  serverActive: define({ name: 'rpc_server_active_calls', type: 'gauge', labelNames: [], where: 'rpc', help: 'Calls this process is serving, queued in a mailbox or running.' }),
  mailboxQueue: define({ name: 'rpc_server_mailbox_queue_length', type: 'gauge', labelNames: ['mailbox'], where: 'rpc', help: "Calls waiting in a mailbox: 'shared' for the endpoint's, else the procedure that has its own." }),
  clientRefused: define({ name: 'rpc_client_refused_total', type: 'counter', labelNames: ['reason'], where: 'rpc', help: 'Calls refused before they were sent, by error code (RPC_BUSY, RPC_PAYLOAD_TOO_LARGE, RPC_CLOSED, ...).' }),
  serverRefused: define({ name: 'rpc_server_refused_total', type: 'counter', labelNames: ['reason'], where: 'rpc', help: 'Incoming calls answered with an error before any handler ran, by error code.' }),
  lateReplies: define({ name: 'rpc_client_late_replies_total', type: 'counter', labelNames: [], where: 'rpc', help: 'Replies that arrived after their call had settled (timed out, aborted), dropped.' }),
  protocolErrors: define({ name: 'rpc_protocol_errors_total', type: 'counter', labelNames: [], where: 'rpc', help: 'Malformed or unexpected frames received, ignored.' }),
  peerExits: define({ name: 'rpc_peer_exits_total', type: 'counter', labelNames: [], where: 'rpc', help: 'Times the process at the other end of a link exited or disconnected.' }),
  backlog: define({ name: 'rpc_transport_backlog_frames', type: 'gauge', labelNames: [], where: 'rpc', help: 'Frames waiting for the IPC channel to drain (backpressure).' }),

  requestDuration: define({ name: 'http_server_request_duration_seconds', type: 'histogram', labelNames: ['http_request_method', 'http_response_status_code'], where: 'http-worker', buckets: HTTP_DURATION_BUCKETS, help: 'Duration of HTTP requests, from the request to the response finishing or aborting.' }),
  activeRequests: define({ name: 'http_server_active_requests', type: 'gauge', labelNames: [], where: 'http-worker', help: 'HTTP requests in progress.' }),

  workers: define({ name: 'http_cluster_workers', type: 'gauge', labelNames: ['state'], where: 'http-primary', help: 'Workers by state: starting, ready, draining.' }),
  restarts: define({ name: 'http_cluster_worker_restarts_total', type: 'counter', labelNames: ['reason'], where: 'http-primary', help: 'Crashed workers replaced, by reason: exit, signal, ready_timeout, heartbeat_timeout, start_failed.' }),
  reloads: define({ name: 'http_cluster_reloads_total', type: 'counter', labelNames: ['outcome'], where: 'http-primary', help: 'Rolling restarts, by outcome: ok or failed.' }),
  reloadDuration: define({ name: 'http_cluster_reload_duration_seconds', type: 'histogram', labelNames: [], where: 'http-primary', buckets: LIFECYCLE_BUCKETS, help: 'Duration of rolling restarts.' }),
  drainDuration: define({ name: 'http_cluster_drain_duration_seconds', type: 'histogram', labelNames: [], where: 'http-primary', buckets: LIFECYCLE_BUCKETS, help: 'Time from asking a worker to drain to its exit.' }),
  forcedClosed: define({ name: 'http_cluster_drain_forced_connections_total', type: 'counter', labelNames: [], where: 'http-primary', help: 'Connections a draining worker still had open at its deadline, closed unfinished (as the worker reports them).' }),
  drainKills: define({ name: 'http_cluster_drain_kills_total', type: 'counter', labelNames: [], where: 'http-primary', help: 'Draining workers killed because they were still running at the shutdown deadline.' }),
  handedOver: define({ name: 'http_cluster_connections_handed_over_total', type: 'counter', labelNames: [], where: 'http-primary', help: "Connections the primary accepted and handed to a worker ('least-loaded')." }),
  handoffDropped: define({ name: 'http_cluster_connections_dropped_total', type: 'counter', labelNames: [], where: 'http-primary', help: 'Connections the primary closed because no worker could take them.' }),
  workerLoad: define({ name: 'http_cluster_worker_load', type: 'gauge', labelNames: ['worker'], where: 'http-primary', help: "The balancer's view of each ready worker's load: requests in flight at its last report plus connections handed over since." }),

  cpu: define({ name: 'process_cpu_time_seconds_total', type: 'counter', labelNames: ['cpu_mode'], where: 'process', help: 'CPU time this process used, by mode: user or system.' }),
  memory: define({ name: 'process_memory_usage_bytes', type: 'gauge', labelNames: [], where: 'process', help: 'Resident set size of this process.' }),
  heapUsed: define({ name: 'v8js_memory_heap_used_bytes', type: 'gauge', labelNames: [], where: 'process', help: 'V8 heap in use.' }),
  loopDelayP50: define({ name: 'nodejs_eventloop_delay_p50_seconds', type: 'gauge', labelNames: [], where: 'process', help: 'Median event-loop delay since the previous scrape.' }),
  loopDelayP99: define({ name: 'nodejs_eventloop_delay_p99_seconds', type: 'gauge', labelNames: [], where: 'process', help: '99th percentile event-loop delay since the previous scrape.' }),
  loopDelayMax: define({ name: 'nodejs_eventloop_delay_max_seconds', type: 'gauge', labelNames: [], where: 'process', help: 'Longest event-loop delay since the previous scrape.' }),
  workerUp: define({ name: 'cluster_worker_up', type: 'gauge', labelNames: ['worker'], where: 'scrape', help: 'Whether the worker in this slot answered the last scrape in time (1) or not (0).' }),
  scrapeErrors: define({ name: 'cluster_scrape_errors_total', type: 'counter', labelNames: ['reason'], where: 'scrape', help: 'Problems of metrics collection in the primary, by reason: timeout, exited, invalid, failed, conflict.' }),
  scrapeDuration: define({ name: 'cluster_scrape_duration_seconds', type: 'gauge', labelNames: [], where: 'scrape', help: 'How long the last scrape took to collect and merge, in seconds.' }),
  seriesDropped: define({ name: 'cluster_metrics_series_dropped_total', type: 'counter', labelNames: ['metric'], where: 'scrape', help: 'Label sets not recorded because their metric had its most series already.' }),
});
