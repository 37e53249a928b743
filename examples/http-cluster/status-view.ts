// A live table of the cluster's workers: redrawn in place on a TTY, plain lines otherwise.
import type { ClusterHealth, HttpClusterPrimary, HttpWorkerInfo } from 'typed-cluster-rpc/http';

interface Output {
  readonly isTTY?: boolean;
  /** The terminal's width and height, when it is one. */
  readonly columns?: number;
  readonly rows?: number;
  write(text: string): boolean;
}

const COLUMNS = ['id', 'pid', 'state', 'in-flight', 'req/s', 'total', 'loop p99 ms', 'rss MiB', 'restarts'] as const;

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

/** The line under the table: how many workers are ready of those configured, and each empty slot and why. */
export function healthLine(health: ClusterHealth | undefined): string {
  if (health === undefined) return '';
  const counts = `${health.ready} of ${health.configured} workers ready`;
  if (!health.degraded) return counts;
  return [`DEGRADED: ${counts}`, ...health.vacant.map((v) => `slot ${v.slot} ${v.restarting ? 'restarting' : 'empty'}: ${v.reason}`)].join('\n');
}

/** Cuts a line (plain text, one column per character) to `columns`, marking a cut with `…`. */
export function clipLine(line: string, columns: number): string {
  const chars = [...line];
  if (chars.length <= columns) return line;
  return columns <= 1 ? chars.slice(0, Math.max(0, columns)).join('') : `${chars.slice(0, columns - 1).join('')}…`;
}

/**
 * One redraw on a terminal: up over the table drawn last time, clear, the log lines (which scroll
 * away and are never redrawn), then the table. Each table line is clipped to the width, so it takes
 * exactly one row and `lines` is how far the next redraw must move up; a table taller than the
 * terminal is cut too, as the cursor cannot move above the top of the screen.
 */
export function renderFrame(
  table: string,
  logs: readonly string[],
  previousLines: number,
  size: { readonly columns?: number | undefined; readonly rows?: number | undefined },
): { text: string; lines: number } {
  let lines = table.split('\n');
  const { columns, rows } = size;
  if (rows !== undefined && rows > 2 && lines.length > rows - 1) {
    const hidden = lines.length - (rows - 2);
    lines = [...lines.slice(0, rows - 2), `… ${hidden} more`];
  }
  if (columns !== undefined && columns > 0) lines = lines.map((l) => clipLine(l, columns));
  const up = previousLines > 0 ? `\x1b[${previousLines}A\x1b[J` : '';
  return { text: `${up}${logs.map((l) => `${l}\n`).join('')}${lines.join('\n')}\n`, lines: lines.length };
}

export function startStatusView(app: HttpClusterPrimary<any>, out: Output, intervalMs = 1_000): { log(line: string): void; stop(): void } {
  const previous = new Map<number, { handled: number; at: number }>();
  const rss = new Map<number, number>();
  let drawnLines = 0;
  const logs: string[] = [];

  const row = (w: HttpWorkerInfo): string[] => {
    const now = performance.now();
    const handled = w.load?.handled ?? 0;
    const before = previous.get(w.id);
    const rate = before === undefined ? 0 : ((handled - before.handled) * 1000) / Math.max(1, now - before.at);
    previous.set(w.id, { handled, at: now });
    const bytes = rss.get(w.id);
    return [
      String(w.id),
      String(w.pid ?? '-'),
      w.state,
      String(w.load?.inFlight ?? 0),
      rate.toFixed(0),
      String(handled),
      (w.load?.eventLoopDelayP99Ms ?? 0).toFixed(1),
      bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(0),
      String(w.restarts),
    ];
  };

  // rss comes from the workers' own stats, over RPC: every five draws, and at once for a worker
  // the table has not measured yet (a new one, after a restart or a reload).
  let refreshing = false;
  const refreshRss = (): void => {
    if (refreshing) return;
    refreshing = true;
    app.stats().then(
      (stats) => {
        rss.clear();
        for (const w of stats.workers) if (w.stats) rss.set(w.id, w.stats.rssBytes);
      },
      () => {},
    ).finally(() => (refreshing = false));
  };

  const draw = (): void => {
    const workers = app.workers;
    for (const id of previous.keys()) if (!workers.some((w) => w.id === id)) previous.delete(id);
    if (workers.some((w) => w.state === 'ready' && !rss.has(w.id))) refreshRss();
    // A fake app in a test may have no health view: the table alone then.
    const health = healthLine(app.health as ClusterHealth | undefined);
    const table = formatTable(workers.map(row)) + (health === '' ? '' : `\n${health}`);
    if (out.isTTY) {
      const frame = renderFrame(table, logs.splice(0), drawnLines, { columns: out.columns, rows: out.rows });
      out.write(frame.text);
      drawnLines = frame.lines;
    } else {
      for (const l of logs.splice(0)) out.write(`${l}\n`);
      out.write(`${new Date().toISOString()}\n${table}\n`);
    }
  };

  refreshRss();
  app.on('workerReady', refreshRss);
  const timers = [setInterval(draw, intervalMs), setInterval(refreshRss, intervalMs * 5)];
  for (const t of timers) t.unref();
  return {
    log: (line) => logs.push(line),
    stop: () => {
      for (const t of timers) clearInterval(t);
      for (const l of logs.splice(0)) out.write(`${l}\n`);
    },
  };
}
