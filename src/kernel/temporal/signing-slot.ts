import { hexToBytes } from './signing';

/**
 * How workflow code gets WORKFLOW_SIGNING_KEY without it ever entering a workflow's history.
 *
 * Anything a workflow receives through Temporal (start arguments, memo, headers, search
 * attributes, signals) is stored in its history and shown by the UI, so the key cannot travel
 * that way. Workflow code runs in a V8 sandbox that the SDK builds from the workflow bundle; the
 * TypeScript SDK has no supported way to hand it a value from WorkerOptions (workflow
 * interceptors live inside the sandbox too, sinks only go out of it, and validators cannot call
 * activities). So the worker puts the key into the bundle it loads: the bundle holds this slot,
 * and `withSigningKeys` (kernel/temporal/worker.ts) replaces it in the worker's memory, at start,
 * with the worker's own keys. The bundle file on disk (dist/workflow-bundle.js, the Docker image)
 * never holds a key; the stack-trace query does not return sources (showStackTraceSources is off).
 *
 * The slot's value is hex (keys as hex of their UTF-8 bytes, joined by "."), so the substitution
 * is safe inside any string literal whatever the bundler's quoting.
 */
export const SIGNING_KEYS_SLOT = '@@WORKFLOW_SIGNING_KEYS@@';

/** The keys this worker injected; empty when none was (then every signed message is refused). */
export function injectedSigningKeys(): Uint8Array[] {
  const slot: string = SIGNING_KEYS_SLOT;
  if (!/^[0-9a-f]+(\.[0-9a-f]+)*$/.test(slot)) return [];
  return slot.split('.').map(hexToBytes);
}
