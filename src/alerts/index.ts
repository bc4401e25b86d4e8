/** The alert machinery `check`, `replay` and `watch` share: rules and their state machine (pure), and the notifier. */
export * from './rules.js';
export { alertSummary, formatAlertValue } from './alert-text.js';
export {
  Notifier,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_QUEUE_CAP,
  DEFAULT_RESEND_INTERVAL_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type NotifierOptions,
} from './notifier.js';
export type { DeliveryCounts } from './sinks/queue.js';
