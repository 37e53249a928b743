// A live table of the cluster's workers: redrawn in place on a TTY, plain lines otherwise.
import type { HttpClusterPrimary, HttpWorkerInfo } from 'typed-cluster-rpc/http';

interface Output {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

const COLUMNS = ['id', 'pid', 'state', 'in-flight', 'req/s', 'total', 'loop p99 ms', 'rss MiB', 'restarts'] as const;

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

export function startStatusView(app: HttpClusterPrimary<never>, out: Output, intervalMs = 1_000): { log(line: string): void; stop(): void } {
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
    return [
      String(w.id),
      String(w.pid ?? '-'),
      w.state,
      String(w.load?.inFlight ?? 0),
      rate.toFixed(0),
      String(handled),
      (w.load?.eventLoopDelayP99Ms ?? 0).toFixed(1),
      ((rss.get(w.id) ?? 0) / 2 ** 20).toFixed(0),
      String(w.restarts),
    ];
  };

  const draw = (): void => {
    const table = formatTable(app.workers.map(row));
    if (out.isTTY) {
      // Move up over the previous table and redraw it in place.
      const text = `${drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[J` : ''}${logs.splice(0).map((l) => `${l}\n`).join('')}${table}\n`;
      out.write(text);
      drawnLines = table.split('\n').length;
    } else {
      for (const l of logs.splice(0)) out.write(`${l}\n`);
      out.write(`${new Date().toISOString()}\n${table}\n`);
    }
  };

  // rss comes from the workers' own stats, over RPC, less often than the table is drawn.
  const refreshRss = (): void => {
    app.stats().then(
      (stats) => {
        for (const w of stats.workers) if (w.stats) rss.set(w.id, w.stats.rssBytes);
      },
      () => {},
    );
  };
  refreshRss();
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
