/**
 * One 'abort' listener per signal, fanning out to the requests in flight.
 * A run hands every request the same AbortSignal; Node's EventTarget walks
 * its whole listener list on each addEventListener (to skip duplicates), so
 * with a listener per request in flight, adding one cost O(in flight): 5% of
 * the engine worker's time at 1,000 streams in flight (bench/capacity.mjs
 * under --cpu-prof). Here adding and removing are O(1), and on abort every
 * callback still runs, in the order the requests registered.
 */
const fanouts = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `onAbort` once when `signal` aborts; returns the function that unregisters it. Not for an aborted signal. */
export function onAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let callbacks = fanouts.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    fanouts.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        fanouts.delete(signal);
        // A copy: a callback may unregister others (a request settling ends its registration).
        for (const cb of [...set]) if (set.has(cb)) {
          set.delete(cb);
          cb();
        }
      },
      { once: true },
    );
  }
  // Each registration is its own entry, even for the same function.
  const entry = (): void => onAbort();
  callbacks.add(entry);
  const set = callbacks;
  return () => void set.delete(entry);
}
