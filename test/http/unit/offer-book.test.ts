// The dealer's ledger of open offers: ids, order per worker, the clock that starts when an offer is
// written, answers that settle earlier lost offers, and a worker's offers dropped at its end.
import test from 'ava';
import { OfferBook } from '../../../src/http/primary/offer-book.js';

const setup = () => {
  let now = 0;
  const book = new OfferBook<{ name: string }, string>(() => now);
  return { book, a: { name: 'a' }, b: { name: 'b' }, at: (ms: number) => (now = ms) };
};

test('an offer ages only from when it was written to the channel', (t) => {
  const { book, a, at } = setup();
  const id = book.add(a, 's1', 1);
  at(50);
  t.is(book.oldest(a), undefined);
  book.sent(id);
  t.is(book.oldest(a), 50);
  t.is(book.count(a), 1);
});

test('an answer settles its offer and returns the earlier ones to the same worker as lost', (t) => {
  const { book, a, b } = setup();
  const first = book.add(a, 's1', 1);
  book.add(b, 's2', 1);
  const third = book.add(a, 's3', 2);
  const settled = book.answer(a, third)!;
  t.is(settled.entry.socket, 's3');
  t.is(settled.entry.offers, 2);
  t.deepEqual(settled.skipped.map((e) => e.socket), ['s1']);
  t.is(book.answer(a, first), undefined, 'a lost offer is settled once');
  t.is(book.count(a), 0);
  t.is(book.count(b), 1, "another worker's offers are untouched");
});

test("an answer from another worker than the one offered, or to an unknown id, is ignored", (t) => {
  const { book, a, b } = setup();
  const id = book.add(a, 's1', 1);
  t.is(book.answer(b, id), undefined);
  t.is(book.answer(a, 999), undefined);
  t.is(book.size, 1);
});

test("a worker's end drops every open offer it had, in order", (t) => {
  const { book, a, b } = setup();
  book.add(a, 's1', 1);
  book.add(b, 's2', 1);
  book.add(a, 's3', 1);
  t.deepEqual(book.drop(a).map((e) => e.socket), ['s1', 's3']);
  t.deepEqual(book.drop(a), []);
  t.is(book.size, 1);
});

test('an offer that could not be written is taken back', (t) => {
  const { book, a } = setup();
  const id = book.add(a, 's1', 3);
  t.is(book.take(id)?.offers, 3);
  t.is(book.take(id), undefined);
  t.is(book.count(a), 0);
});
