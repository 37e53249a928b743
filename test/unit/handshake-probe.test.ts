// The handshake's probe: each side learns what the channel really carries from what it did to a Date.
import { deserialize, serialize } from 'node:v8';
import test from 'ava';
import { ENVELOPE_TAG, handshake, openEnvelope, PROTOCOL_VERSION, type Opened } from '../../src/protocol/frames.js';

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const viaAdvanced = (value: unknown): unknown => deserialize(serialize(value));

test("a handshake read after 'json' IPC shows a 'json' channel", (t) => {
  t.like(openEnvelope(viaJson(handshake(1))) as Opened, { handshake: 1, channel: 'json' });
});

test("a handshake read after 'advanced' IPC shows an 'advanced' channel", (t) => {
  t.like(openEnvelope(viaAdvanced(handshake(2))) as Opened, { handshake: 2, channel: 'advanced' });
});

test('a handshake without a recognisable probe shows nothing, and frames of other envelopes are untouched', (t) => {
  t.like(openEnvelope({ [ENVELOPE_TAG]: PROTOCOL_VERSION, f: [], h: 1 }) as Opened, { handshake: 1, channel: undefined });
  t.like(openEnvelope({ [ENVELOPE_TAG]: PROTOCOL_VERSION, f: [], h: 1, c: 5 }) as Opened, { channel: undefined });
  t.like(openEnvelope({ [ENVELOPE_TAG]: PROTOCOL_VERSION, f: [], c: 'x' }) as Opened, { handshake: undefined, channel: undefined });
  // An inherited probe is not the message's own: ignored.
  const inherited = Object.assign(Object.create({ c: 'x' }) as object, { [ENVELOPE_TAG]: PROTOCOL_VERSION, f: [], h: 1 });
  t.like(openEnvelope(inherited) as Opened, { channel: undefined });
});
