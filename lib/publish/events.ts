/** Steps of a publish, in order. */
export type PublishStepName = 'verify' | 'box' | 'version' | 'provider' | 'upload' | 'release' | 'copy' | 'metadata';

/** What happened at a step. */
export type PublishStepAction = 'found' | 'created' | 'updated' | 'skipped' | 'done' | 'noop';

/**
 * Progress of a publish. Events never carry a token or a signed upload URL.
 *
 * - `step`: one step of the flow reached an outcome.
 * - `log`: a line for humans (retries, warnings).
 */
export type PublishEvent =
  | { type: 'step'; step: PublishStepName; action: PublishStepAction; message: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

/** Receives {@link PublishEvent}s. */
export type PublishEventHandler = (event: PublishEvent) => void;
