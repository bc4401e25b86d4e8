/**
 * Sends alert transitions where each rule's `notify:` says: the terminal bell,
 * a webhook, Alertmanager; in headless mode also one JSON line per transition
 * on stderr. handle() only queues: a slow or dead receiver never blocks or
 * slows measuring, and nothing here throws at the caller.
 */
import type { Dispatcher } from 'undici';
import type { NotifyConfig } from '../config/schema.js';
import { redact } from '../core/redact.js';
import type { AlertRule, AlertTransition, NotifyChannel } from './rule-state.js';
import { alertmanagerEndpoint, resolveEndpoint } from './sinks/endpoint.js';
import { createNotifyDispatcher } from './sinks/http.js';
import { alertmanagerAlert, headlessLine, webhookBody, type Notice } from './sinks/payloads.js';
import { DeliveryQueue, type DeliveryCounts, type DeliveryReport } from './sinks/queue.js';

export interface NotifierOptions {
  rules: AlertRule[];
  notify: NotifyConfig | undefined;
  env: NodeJS.ProcessEnv;
  headless: boolean;
  stderr: (line: string) => void;
  /** Rings the terminal bell; null when there is no terminal to ring. */
  bell: (() => void) | null;
  /** Wall clock for notification times (default Date.now). */
  now?: () => number;
  /** Alertmanager forgets an alert not updated within its resolve_timeout (5m by default): re-send firing ones this often. */
  resendIntervalMs?: number;
  /** Waits between tries of one delivery (default 0.5 s, 2 s: three tries). */
  retryDelaysMs?: readonly number[];
  /** Per try (default 5 s). */
  timeoutMs?: number;
  /** Most notifications waiting per sink (default 100); beyond it the oldest is dropped. */
  queueCap?: number;
  /** Linked from Alertmanager (e.g. the /metrics page); none by default. */
  generatorURL?: string;
}

export const DEFAULT_RESEND_INTERVAL_MS = 60_000;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [500, 2000];
export const DEFAULT_DELIVERY_TIMEOUT_MS = 5000;
export const DEFAULT_QUEUE_CAP = 100;

type RemoteChannel = Exclude<NotifyChannel, 'bell'>;

export class Notifier {
  private readonly rulesByName: Map<string, AlertRule>;
  private readonly queues = new Map<RemoteChannel, DeliveryQueue>();
  private readonly lastProblem = new Map<RemoteChannel, string>();
  /** Alerts Alertmanager must keep hearing about, by rule name. */
  private readonly firing = new Map<string, Notice>();
  private readonly dispatcher: Dispatcher | null = null;
  private readonly resendTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly generatorURL: string | null;
  private closed = false;

  /** Throws a ConfigError when a notify URL is unusable or names an unset variable (bad config: exit 2). */
  constructor(private readonly opts: NotifierOptions) {
    this.now = opts.now ?? Date.now;
    this.generatorURL = opts.generatorURL ?? null;
    this.rulesByName = new Map(opts.rules.map((r) => [r.name, r]));
    const used = new Set(opts.rules.flatMap((r) => r.notify));
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    const delivery = {
      cap: opts.queueCap ?? DEFAULT_QUEUE_CAP,
      retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      timeoutMs,
    };
    const webhook = used.has('webhook') ? opts.notify?.webhook : undefined;
    const alertmanager = used.has('alertmanager') ? opts.notify?.alertmanager : undefined;
    if (webhook === undefined && alertmanager === undefined) return;
    const webhookTarget = webhook !== undefined ? resolveEndpoint(webhook, opts.env, 'notify.webhook', true) : null;
    const amTarget =
      alertmanager !== undefined ? alertmanagerEndpoint(resolveEndpoint(alertmanager, opts.env, 'notify.alertmanager', false)) : null;
    this.dispatcher = createNotifyDispatcher(opts.env, timeoutMs);
    if (webhookTarget) {
      this.queues.set('webhook', new DeliveryQueue(webhookTarget, this.dispatcher, delivery, (r) => this.report('webhook', r)));
    }
    if (amTarget) {
      this.queues.set('alertmanager', new DeliveryQueue(amTarget, this.dispatcher, delivery, (r) => this.report('alertmanager', r)));
      this.resendTimer = setInterval(() => this.resend(), opts.resendIntervalMs ?? DEFAULT_RESEND_INTERVAL_MS);
      this.resendTimer.unref();
    }
  }

  handle(transitions: AlertTransition[]): void {
    if (this.closed) return;
    const wallNow = this.now();
    for (const t of transitions) {
      try {
        this.handleOne(t, wallNow);
      } catch {
        // A notification is never worth disturbing the measurement it reports on.
      }
    }
  }

  /** Waits until every queued notification is delivered or given up, or `timeoutMs` passed. */
  async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    try {
      await Promise.race([Promise.all([...this.queues.values()].map((q) => q.idle())), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops re-sending, drops what still waits and aborts what is in flight. Call after flush(). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.resendTimer) clearInterval(this.resendTimer);
    for (const q of this.queues.values()) q.close();
    await this.dispatcher?.destroy().catch(() => undefined);
  }

  stats(): DeliveryCounts {
    const total: DeliveryCounts = { sent: 0, failed: 0, dropped: 0 };
    for (const q of this.queues.values()) {
      total.sent += q.counts.sent;
      total.failed += q.counts.failed;
      total.dropped += q.counts.dropped;
    }
    return total;
  }

  private handleOne(t: AlertTransition, wallNow: number): void {
    const rule = this.rulesByName.get(t.rule);
    if (!rule) return;
    // The evaluator's clock may be monotonic or simulated; only its differences are carried over.
    const startsAtMs = wallNow - Math.max(0, t.atMs - t.startsAtMs);
    const notice: Notice = {
      rule,
      transition: t,
      at: iso(wallNow),
      startsAt: iso(startsAtMs),
      endsAt: t.to === 'resolved' ? iso(wallNow) : null,
    };
    if (this.opts.headless) this.write(headlessLine(notice));
    if (t.to !== 'firing' && t.to !== 'resolved') return;
    if (t.to === 'firing' && rule.notify.includes('bell') && this.opts.bell) ring(this.opts.bell);
    if (rule.notify.includes('webhook')) this.queues.get('webhook')?.push(rule.name, redactDeep(webhookBody(notice)), false);
    if (rule.notify.includes('alertmanager')) {
      if (t.to === 'firing') this.firing.set(rule.name, notice);
      else this.firing.delete(rule.name);
      this.sendToAlertmanager(notice);
    }
  }

  private sendToAlertmanager(notice: Notice): void {
    const body = [alertmanagerAlert(notice, this.generatorURL)];
    // Only the latest state of an alert matters to Alertmanager, so a waiting one is replaced.
    this.queues.get('alertmanager')?.push(notice.rule.name, redactDeep(body), true);
  }

  private resend(): void {
    try {
      for (const notice of this.firing.values()) this.sendToAlertmanager(notice);
    } catch {
      // See handle().
    }
  }

  /** One line per new problem: a dead receiver must not flood stderr every minute. */
  private report(channel: RemoteChannel, r: DeliveryReport): void {
    if (r.ok) {
      this.lastProblem.delete(channel);
      return;
    }
    if (this.lastProblem.get(channel) === r.reason) return;
    this.lastProblem.set(channel, r.reason);
    const tries = r.tries > 1 ? ` (gave up after ${r.tries} tries)` : '';
    this.write(`relaymon: alert ${channel}: ${r.reason}${tries}`);
  }

  private write(line: string): void {
    try {
      this.opts.stderr(redact(line));
    } catch {
      // stderr gone (closed pipe): nothing better to do with the line.
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function ring(bell: () => void): void {
  try {
    bell();
  } catch {
    // A terminal that cannot ring is not worth losing the other notifications over.
  }
}

/** Every string in a JSON value (keys too) through the redactor. */
function redactDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactValue(v)]));
  }
  return value;
}
