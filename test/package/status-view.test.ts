// The demo's status view (examples/http-cluster/status-view.ts): lines clipped to the terminal, so
// redraws replace the table instead of leaving copies; fresh RSS for the workers a reload brings.
import test from 'ava';
import type { HttpClusterPrimary } from 'typed-cluster-rpc/http';
import { clipLine, formatTable, renderFrame, startStatusView } from '../../examples/http-cluster/status-view.js';

/** Just enough of a terminal: auto-wrap at `columns`, `ESC[nA` (up n rows, to column 0 here), `ESC[J` (clear below). */
class Terminal {
  readonly screen: string[] = [''];
  #row = 0;
  #col = 0;
  constructor(readonly columns: number) {}

  write(text: string): void {
    for (const part of text.split(/(\x1b\[\d*[AJ])/)) {
      const esc = /^\x1b\[(\d*)([AJ])$/.exec(part);
      if (esc?.[2] === 'A') {
        this.#row = Math.max(0, this.#row - Number(esc[1] || 1));
        this.#col = 0;
      } else if (esc?.[2] === 'J') {
        this.screen.length = this.#row + 1;
        this.screen[this.#row] = this.screen[this.#row]!.slice(0, this.#col);
      } else {
        for (const ch of part) this.#put(ch);
      }
    }
  }

  #put(ch: string): void {
    if (ch === '\n') return this.#moveTo(this.#row + 1);
    if (this.#col === this.columns) this.#moveTo(this.#row + 1); // deferred wrap, as xterm does
    const line = this.screen[this.#row]!.padEnd(this.#col);
    this.screen[this.#row] = line.slice(0, this.#col) + ch + line.slice(this.#col + 1);
    this.#col++;
  }

  #moveTo(row: number): void {
    this.#row = row;
    this.#col = 0;
    while (this.screen.length <= row) this.screen.push('');
  }
}

const wideTable = formatTable([
  ['1', '4242', 'ready', '3', '120', '5000', '1.2', '90', '0'],
  ['2', '4243', 'ready', '1', '110', '4800', '0.9', '91', '0'],
]);

test('clipLine leaves a line that fits and cuts a longer one to the width, marked with …', (t) => {
  t.is(clipLine('abc', 3), 'abc');
  t.is(clipLine('abcdef', 4), 'abc…');
  t.is(clipLine('abcdef', 1), 'a');
  t.is(clipLine('', 10), '');
});

test('every line of a frame fits the terminal, and the next frame moves up exactly over the table', (t) => {
  const first = renderFrame(wideTable, ['a log line'], 0, { columns: 30 });
  const tableLines = first.text.split('\n').slice(1, -1);
  t.is(first.lines, 3);
  t.deepEqual(tableLines.map((l) => l.length <= 30), [true, true, true]);
  const second = renderFrame(wideTable, [], first.lines, { columns: 30 });
  t.true(second.text.startsWith('\x1b[3A\x1b[J'));
});

test('in a terminal narrower than the table, ten redraws leave one table on screen, under the log lines', (t) => {
  t.true(wideTable.split('\n')[0]!.length > 40);
  const term = new Terminal(40);
  let drawn = 0;
  for (let i = 0; i < 10; i++) {
    const frame = renderFrame(wideTable, i === 4 ? ['reload started'] : [], drawn, { columns: 40 });
    term.write(frame.text);
    drawn = frame.lines;
  }
  const text = term.screen.join('\n');
  t.is(text.match(/in-flight/g)?.length, 1, text);
  t.is(text.match(/reload started/g)?.length, 1, text);
  t.regex(text, /^reload started\nid +pid/);
});

test('without the width, the same redraws leave copies: the bug the clipping fixes, seen by this terminal', (t) => {
  const term = new Terminal(40);
  let drawn = 0;
  for (let i = 0; i < 10; i++) {
    const frame = renderFrame(wideTable, [], drawn, {});
    term.write(frame.text);
    drawn = frame.lines;
  }
  t.true(term.screen.join('\n').match(/in-flight/g)!.length > 1);
});

test('a table taller than the terminal is cut to fit, saying how many lines are hidden', (t) => {
  const rows = Array.from({ length: 30 }, (_, i) => [String(i), '1', 'ready', '0', '0', '0', '0.0', '1', '0']);
  const frame = renderFrame(formatTable(rows), [], 0, { columns: 200, rows: 10 });
  t.is(frame.lines, 9);
  t.regex(frame.text, /… 23 more\n$/);
});

test('after a reload, the new workers show their RSS at the next draws, never 0', async (t) => {
  let workers = [{ id: 1, pid: 101, slot: 0, state: 'ready', restarts: 0, load: undefined }];
  const rssOf = new Map([[1, 50], [2, 60]]);
  const app = {
    get workers() {
      return workers;
    },
    stats: async () => ({ workers: workers.map((w) => ({ id: w.id, stats: { rssBytes: rssOf.get(w.id)! * 2 ** 20 } })) }),
    on: () => app,
  } as unknown as HttpClusterPrimary<never>;
  const frames: string[] = [];
  let onFrame = (): void => {};
  const out = { isTTY: true, columns: 200, rows: 50, write: (text: string) => (frames.push(text), onFrame(), true) };
  const view = startStatusView(app, out, 20);
  t.teardown(() => view.stop());
  const nextFrameMatching = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame matched ${re} within 20 s; last:\n${frames.at(-1)}`)), 20_000);
      onFrame = () => {
        if (re.test(frames.at(-1)!)) {
          clearTimeout(timer);
          resolve(frames.at(-1)!);
        }
      };
    });
  await nextFrameMatching(/^ +1 +101 +ready .* 50 +0$/m);
  workers = [{ id: 2, pid: 102, slot: 0, state: 'ready', restarts: 0, load: undefined }]; // the reload's worker
  await nextFrameMatching(/^ +2 +102 +ready .* 60 +0$/m);
  t.false(frames.some((f) => / 0 +0$/m.test(f.split('\n').slice(1).join('\n'))), 'no frame shows an RSS of 0');
});
