import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from './eventually';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The run's history so far, once `found` picks something out of it (bounded poll). */
export function historyShows<T>(
  handle: WorkflowHandle,
  found: (events: HistoryEvent[]) => T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return eventually(async () => found((await handle.fetchHistory()).events ?? []), timeoutMs, what);
}

const signalIndexes = (events: HistoryEvent[], name: string) =>
  events.flatMap((e, i) => (e.workflowExecutionSignaledEventAttributes?.signalName === name ? [i] : []));

/**
 * Resolves once the workflow has received `count` signals named `name` and a workflow task has
 * completed after the last one: its handler and whatever the workflow did next have run.
 */
export function signalsHandled(handle: WorkflowHandle, name: string, count: number): Promise<HistoryEvent[]> {
  return historyShows(
    handle,
    (events) => {
      const signals = signalIndexes(events, name);
      if (signals.length < count) return undefined;
      return events.slice(signals.at(-1)! + 1).some((e) => e.workflowTaskCompletedEventAttributes) && events;
    },
    `${count} ${name} signal(s) handled`,
  );
}

/** How many signals named `name` the run has received. */
export const signalCount = (events: HistoryEvent[], name: string) => signalIndexes(events, name).length;

/** Whether a workflow task completed after the first signal named `name`. */
export const handledAfterSignal = (events: HistoryEvent[], name: string) => {
  const [first] = signalIndexes(events, name);
  return first !== undefined && events.slice(first + 1).some((e) => e.workflowTaskCompletedEventAttributes);
};
