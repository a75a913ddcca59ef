import { log, patched, workflowInfo } from '@temporalio/workflow';
import { domainFailure } from './domain-failure';
import { injectedSigningKeys } from './signing-slot';
import { isSignedMessage, verifyMessage, verifyStartInput, type SignatureStamp, type SignedMessage } from './signing';

/**
 * Workflow side of signed messages (kernel/temporal/signing.ts): one gate per workflow run,
 * created first thing in the workflow function.
 *
 * Compatibility with histories recorded before signing (test/histories, and any run started
 * before the deploy): the gate asks `patched(SIGNED_MESSAGES_PATCH)` once, at the start of the
 * run. A run started by this code records the patch marker and requires signatures for its whole
 * life, on first execution and on replay alike. A run whose history has no marker (started by
 * the previous code) keeps the previous behaviour: bare payloads are accepted and envelopes are
 * unwrapped without a check, so replaying it gives the same result whatever key the worker holds.
 * Once no such run is left, the unsigned branch can go (deprecatePatch, then remove).
 *
 * Replay of a signed run verifies again, so the worker must hold the key the messages were signed
 * with: rotate by setting WORKFLOW_SIGNING_KEY_PREVIOUS to the old key while runs signed with it
 * are open (README "Signed workflow messages").
 */
export const SIGNED_MESSAGES_PATCH = 'signed-messages-v1';

/** An update is answered while the API waits: a signature older than this is a replay. */
export const UPDATE_MAX_AGE_MS = 10 * 60_000;
/**
 * A signal or start input waits in history while no worker is up, and the workflow reads it with
 * the time it is processed (it cannot see when the signal arrived): a day covers an outage.
 * Replays of a captured signal within that day are refused by signature (each is used once).
 */
export const SIGNAL_MAX_AGE_MS = 24 * 3600_000;

export type Opened<T> = { ok: true; payload: T; actor: string | null } | { ok: false; refusal: string };

export class MessageGate {
  /** False only on runs started before signing (their histories carry bare payloads). */
  readonly required: boolean;
  private readonly keys = injectedSigningKeys();
  private readonly used = new Set<string>();
  private readonly workflowId = workflowInfo().workflowId;

  constructor() {
    this.required = patched(SIGNED_MESSAGES_PATCH);
  }

  /**
   * Opens a message without consuming it. `actorFor` names the actor the payload must come from
   * (null: any signed actor).
   */
  check<T>(name: string, message: unknown, maxAgeMs: number, actorFor: (payload: T) => string | null): Opened<T> {
    if (!this.required) {
      return isSignedMessage(message)
        ? { ok: true, payload: message.payload as T, actor: message.actor }
        : { ok: true, payload: message as T, actor: null };
    }
    const v = verifyMessage<T>(this.keys, { workflowId: this.workflowId, name }, message, {
      now: Date.now(),
      maxAgeMs,
    });
    if (!v.ok) return { ok: false, refusal: `${name}: ${v.reason} message refused` };
    if (this.used.has(v.signature)) return { ok: false, refusal: `${name}: message already used` };
    const expected = actorFor(v.payload);
    if (expected !== null && v.actor !== expected) {
      return { ok: false, refusal: `${name}: signed by ${v.actor}, not ${expected}` };
    }
    return { ok: true, payload: v.payload, actor: v.actor };
  }

  /**
   * For update validators: the payload, or FORBIDDEN thrown (the API answers 403; the update is
   * refused and leaves no trace in history).
   */
  validate<T>(name: string, message: unknown, actorFor: (payload: T) => string | null): T {
    const opened = this.check(name, message, UPDATE_MAX_AGE_MS, actorFor);
    if (!opened.ok) throw domainFailure('FORBIDDEN', opened.refusal);
    return opened.payload;
  }

  /** For update handlers (after the validator accepted it): the payload, marked used. */
  accept<T>(name: string, message: unknown, actorFor: (payload: T) => string | null): T {
    // The validator does not run on replay: checked again, and on replay the result is the same.
    const opened = this.check(name, message, Number.MAX_SAFE_INTEGER, actorFor);
    if (!opened.ok) throw domainFailure('FORBIDDEN', opened.refusal);
    this.markUsed(message);
    return opened.payload;
  }

  /**
   * For signal handlers: a signal cannot be refused to its sender, so a bad one is logged and
   * dropped (undefined), and the workflow goes on as if it had not come.
   */
  receive<T>(name: string, message: unknown, actorFor: (payload: T) => string | null): T | undefined {
    const opened = this.check(name, message, SIGNAL_MAX_AGE_MS, actorFor);
    if (!opened.ok) {
      log.warn('signal dropped', { signal: name, refusal: opened.refusal });
      return undefined;
    }
    this.markUsed(message);
    return opened.payload;
  }

  /** The start input, checked; throws FORBIDDEN (the run fails before doing anything) when bad. */
  startInput<T extends object>(input: T & { signed?: SignatureStamp }, actorFor: (input: T) => string | null): T {
    if (!this.required) {
      const { signed: _, ...rest } = input;
      return rest as T;
    }
    const name = workflowInfo().workflowType;
    const v = verifyStartInput<T>(this.keys, { workflowId: this.workflowId, name }, input, {
      now: Date.now(),
      maxAgeMs: SIGNAL_MAX_AGE_MS,
    });
    if (!v.ok) throw domainFailure('FORBIDDEN', `${name}: ${v.reason} start input refused`);
    const expected = actorFor(v.payload);
    if (expected !== null && v.actor !== expected) {
      throw domainFailure('FORBIDDEN', `${name}: started by ${v.actor}, not ${expected}`);
    }
    return v.payload;
  }

  private markUsed(message: unknown) {
    if (this.required && isSignedMessage(message)) this.used.add(message.signature);
  }
}

/** A signal or update argument: signed by the API; bare only in histories from before signing. */
export type Signed<T> = SignedMessage<T>;
