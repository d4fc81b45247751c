import test from 'ava';
import { runSteps, type BuildStep } from '../../lib/builder/state.js';
import { isBoxwrightError } from '../../lib/errors.js';
import { stateFor } from './steps/helpers.js';

function step(name: string, order: string[], run: () => void = () => {}): BuildStep {
  return { name, run: async () => { order.push(name); run(); }, cleanup: async (_state, failed) => { order.push(`cleanup ${name}${failed ? ' (failed)' : ''}`); } };
}

test('steps run in order, the first that sets a result ends the list, and every started step is cleaned up last first', async (t) => {
  const order: string[] = [];
  const state = await stateFor('/o', { plan: false });
  const result = { box: 'b', sha256: 's', size: 1, manifestPath: 'm', inputsHash: 'k', cached: true, timings: {} };
  await runSteps([step('a', order), { ...step('b', order), run: async () => { order.push('b'); state.result = result; } }, step('c', order)], state);
  t.deepEqual(order, ['a', 'b', 'cleanup b', 'cleanup a']);
});

test('a failing step stops the list, the started ones are cleaned up as failed, and a failure after a cancel is E_CANCELLED', async (t) => {
  const order: string[] = [];
  const controller = new AbortController();
  const state = await stateFor('/o', { plan: false, options: { signal: controller.signal } });
  const error = await t.throwsAsync(runSteps([step('a', order), step('b', order, () => { controller.abort(); throw new Error('boom'); }), step('c', order)], state));
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.is((error as Error & { cause?: Error }).cause?.message, 'boom');
  t.deepEqual(order, ['a', 'b', 'cleanup b (failed)', 'cleanup a (failed)']);
});

test('a cancelled build starts no further step', async (t) => {
  const order: string[] = [];
  const state = await stateFor('/o', { plan: false, options: { forceSignal: AbortSignal.abort('force') } });
  t.true(isBoxwrightError(await t.throwsAsync(runSteps([step('a', order)], state)), 'E_CANCELLED'));
  t.deepEqual(order, []);
});
