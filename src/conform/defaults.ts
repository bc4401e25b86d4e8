import type { Protocol } from '../core/result.js';

/**
 * The model reasoning_passthrough asks when --reasoning-model is not given:
 * a small reasoning model of the protocol's vendor (the suite's --model is
 * usually not one). Apart from plan.ts: `conform --help` quotes it, and
 * registering a command must not load the probe plans.
 */
export function defaultReasoningModel(protocol: Protocol): string {
  return protocol === 'anthropic' ? 'claude-haiku-4-5' : 'o4-mini';
}
