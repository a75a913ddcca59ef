import { constantTimeEqual, hmacSha256Hex, toHex, utf8 } from './hmac-sha256';

/**
 * Signed workflow messages. The API (and the worker's outbox relay) sign every decision, signal,
 * provider result and start input they send to a workflow, with WORKFLOW_SIGNING_KEY; the
 * workflow verifies with the same key before it acts. Someone who reaches Temporal directly
 * (the UI, the CLI, a gRPC client) can still send messages, but without the key they cannot make
 * one the workflow accepts: no admin decision under another admin's id, no provider result that
 * skipped the webhook's signature check, no trade opened for someone else.
 *
 * The signature is an HMAC-SHA256 over a version tag, the workflow id, the message name, the
 * actor, the signing time and the canonical JSON of the payload, so a signed message cannot be
 * moved to another workflow, renamed, re-attributed, re-dated or edited. Pure JavaScript (the
 * workflow sandbox has no node:crypto), shared by both sides.
 */

/** What crosses Temporal in place of a bare payload: visible in history, useless without the key. */
export interface SignedMessage<T> {
  payload: T;
  /** Who the message speaks for: `admin:<id>`, `user:<id>`, `provider:<NAME>`, `system:<component>`. */
  actor: string;
  /** Epoch ms at the sender. */
  signedAt: number;
  /** Lowercase hex HMAC-SHA256. */
  signature: string;
}

/** The signature of a workflow's start input, carried inside the input as `signed`. */
export type SignatureStamp = Omit<SignedMessage<unknown>, 'payload'>;

/**
 * JSON with object keys sorted, after a JSON round trip: the payload the workflow receives went
 * through Temporal's JSON converter, so both sides must read the same bytes from the same value
 * (undefined fields dropped, dates as strings, key order irrelevant).
 */
export function canonicalJson(value: unknown): string {
  const normal = value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k])}`);
      return `{${entries.join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return write(normal);
}

export interface MessageAddress {
  workflowId: string;
  /** The signal or update name, or the workflow type for a start input. */
  name: string;
}

const signingInput = (to: MessageAddress, actor: string, signedAt: number, payload: unknown) =>
  ['compliance-workflow-message-v1', to.workflowId, to.name, actor, String(signedAt), canonicalJson(payload)].join(
    '\n',
  );

export function signMessage<T>(
  key: string | Uint8Array,
  to: MessageAddress,
  actor: string,
  payload: T,
  now: number = Date.now(),
): SignedMessage<T> {
  return { payload, actor, signedAt: now, signature: hmacSha256Hex(key, signingInput(to, actor, now, payload)) };
}

/** Signs a start input: the same input with `signed` added, the signature covering the rest. */
export function signStartInput<T extends object>(
  key: string | Uint8Array,
  to: MessageAddress,
  actor: string,
  input: T,
  now: number = Date.now(),
): T & { signed: SignatureStamp } {
  const { payload: _, ...stamp } = signMessage(key, to, actor, input, now);
  return { ...input, signed: stamp };
}

export const isSignedMessage = (value: unknown): value is SignedMessage<unknown> =>
  value !== null &&
  typeof value === 'object' &&
  'payload' in value &&
  typeof (value as SignedMessage<unknown>).actor === 'string' &&
  typeof (value as SignedMessage<unknown>).signedAt === 'number' &&
  typeof (value as SignedMessage<unknown>).signature === 'string';

export interface FreshnessRule {
  /** Workflow time (or the verifier's clock), epoch ms. */
  now: number;
  /** Older than this: refused (a captured message replayed later). */
  maxAgeMs: number;
  /** Further in the future than this: refused (clock skew between the API and Temporal). */
  maxSkewMs?: number;
}

export type Verification<T> =
  | { ok: true; payload: T; actor: string; signature: string }
  | { ok: false; reason: 'unsigned' | 'bad signature' | 'stale' | 'from the future' | 'no signing key' };

/**
 * Checks a message against every key given (the current one and, during a rotation, the previous
 * one). Never throws; says why a message is refused.
 */
export function verifyMessage<T>(
  keys: readonly (string | Uint8Array)[],
  to: MessageAddress,
  message: unknown,
  freshness: FreshnessRule,
): Verification<T> {
  if (!isSignedMessage(message) || !/^[0-9a-f]{64}$/.test(message.signature)) return { ok: false, reason: 'unsigned' };
  if (keys.length === 0) return { ok: false, reason: 'no signing key' };
  const input = signingInput(to, message.actor, message.signedAt, message.payload);
  if (!keys.some((key) => constantTimeEqual(hmacSha256Hex(key, input), message.signature))) {
    return { ok: false, reason: 'bad signature' };
  }
  if (message.signedAt < freshness.now - freshness.maxAgeMs) return { ok: false, reason: 'stale' };
  if (message.signedAt > freshness.now + (freshness.maxSkewMs ?? 2 * 60_000))
    return { ok: false, reason: 'from the future' };
  return { ok: true, payload: message.payload as T, actor: message.actor, signature: message.signature };
}

/** Verifies a start input signed with `signStartInput`; on success, the input without `signed`. */
export function verifyStartInput<T extends object>(
  keys: readonly (string | Uint8Array)[],
  to: MessageAddress,
  input: T & { signed?: SignatureStamp },
  freshness: FreshnessRule,
): Verification<T> {
  const { signed, ...rest } = input;
  return verifyMessage<T>(keys, to, signed ? { ...signed, payload: rest } : undefined, freshness);
}

/** A key as the worker hands it to workflow code: hex of its UTF-8 bytes (safe in any JS string literal). */
export const keyToHex = (key: string): string => toHex(utf8(key));

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The actors a signed message may speak for. */
export const actors = {
  admin: (id: string) => `admin:${id}`,
  user: (id: string) => `user:${id}`,
  provider: (name: string) => `provider:${name}`,
  system: (component: string) => `system:${component}`,
};

/** The sending side: the API's and the worker's processes, holding WORKFLOW_SIGNING_KEY. */
export class WorkflowSigner {
  constructor(private readonly key: string) {}

  message<T>(workflowId: string, name: string, actor: string, payload: T): SignedMessage<T> {
    return signMessage(this.key, { workflowId, name }, actor, payload);
  }

  startInput<T extends object>(workflowId: string, workflowType: string, actor: string, input: T) {
    return signStartInput(this.key, { workflowId, name: workflowType }, actor, input);
  }
}
