// Argument checks at the public boundary, for every layer: one rule per kind of value (duration,
// count, boolean, choice, options object), each throwing a TypeError that says where, what was
// expected and what was got. Imports nothing from the library: every other module may import it.

/** The longest delay `setTimeout` holds, in milliseconds; longer ones fire at once. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** A short, safe description of a value for error messages: `the string "x"`, `number NaN`, `an array`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'null prototype'})`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks a duration in milliseconds: a positive number. With `allowInfinity` (a timeout whose
 * timers re-arm past {@link MAX_TIMER_DELAY}), `Infinity` and any larger value are accepted;
 * without it, it must be finite and at most `MAX_TIMER_DELAY`. 0, negatives and NaN are refused.
 */
export function checkDuration(where: string, name: string, value: unknown, allowInfinity: boolean): number {
  if (allowInfinity) {
    if (typeof value === 'number' && !Number.isNaN(value) && value > 0) return value;
    throw new TypeError(`${where}: ${name} must be a positive number of milliseconds or Infinity, got ${describe(value)}`);
  }
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_DELAY) return value;
  throw new TypeError(`${where}: ${name} must be a positive number of milliseconds up to ${MAX_TIMER_DELAY}, got ${describe(value)}`);
}

/** Checks a timeout: a positive number of milliseconds, or `Infinity` (no timeout). */
export function checkTimeout(where: string, value: unknown): number {
  return checkDuration(where, 'timeout', value, true);
}

/** Checks a count: a positive integer (non-negative with `allowZero`), or `Infinity` where allowed. */
export function checkCount(where: string, name: string, value: unknown, allowInfinity: boolean, allowZero = false): number {
  const ok =
    typeof value === 'number' &&
    ((Number.isInteger(value) && (allowZero ? value >= 0 : value > 0)) || (allowInfinity && value === Infinity));
  if (!ok) {
    throw new TypeError(`${where}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer${allowInfinity ? ' or Infinity' : ''}, got ${describe(value)}`);
  }
  return value;
}

/** Checks a boolean option. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${where}: ${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** Checks that a value is one of a few strings. */
export function checkOneOf<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const listed = choices.map((c) => `'${c}'`);
  const expected = listed.length > 1 ? `${listed.slice(0, -1).join(', ')} or ${listed.at(-1)!}` : listed[0]!;
  throw new TypeError(`${where}: ${name} must be ${expected}, got ${describe(value)}`);
}

/** The IPC serializations Node offers, as the options name them. */
export const SERIALIZATIONS = Object.freeze(['advanced', 'json'] as const);

/** Checks a `serialization` option: `'advanced'` or `'json'`. */
export function checkSerialization(where: string, value: unknown): (typeof SERIALIZATIONS)[number] {
  return checkOneOf(where, 'serialization', value, SERIALIZATIONS);
}

/**
 * Checks an options bag: an object whose every key is known (`known`: the defaults object's keys,
 * or a list). Returns its defined entries, ready to spread over the defaults.
 */
export function checkOptions(where: string, options: unknown, known: object | readonly string[], extraKeys: readonly string[] = []): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  const isKnown = (key: string): boolean => (Array.isArray(known) ? known.includes(key) : Object.hasOwn(known, key)) || extraKeys.includes(key);
  for (const key of Object.keys(options)) if (!isKnown(key)) throw new TypeError(`${where}: unknown option "${key}"`);
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
