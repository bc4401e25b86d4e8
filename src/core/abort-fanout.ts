/**
 * One 'abort' listener per signal, fanning out to the requests in flight.
 * A run hands every request the same AbortSignal; Node's EventTarget walks
 * its whole listener list on each addEventListener (to skip duplicates), so
 * with a listener per request in flight, adding one cost O(in flight): 5% of
 * the engine worker's time at 1,000 streams in flight (bench/capacity.mjs
 * under --cpu-prof). Here adding and removing are O(1), and on abort every
 * callback still runs, in the order the requests registered.
 *
 * The registrations are a ring of links rather than a Set: with a Set of one
 * fresh function per request, added and deleted at every request's start and
 * end, V8 ran about seven times as many full (mark-compact) collections (41
 * against 6 over 320,000 requests, --trace-gc), and a non-streaming request
 * cost about 2.5 times the CPU (executeRequest called as the engine calls it,
 * over a stand-in dispatcher).
 */

/** A registration; the ring's head is one too, whose callback never runs. Unlinked: prev and next null. */
interface Link {
  readonly callback: () => void;
  prev: Link | null;
  next: Link | null;
}

const fanouts = new WeakMap<AbortSignal, Link>();

function unlink(link: Link): void {
  if (link.prev === null || link.next === null) return;
  link.prev.next = link.next;
  link.next.prev = link.prev;
  link.prev = null;
  link.next = null;
}

/** Runs `onAbort` once when `signal` aborts; returns the function that unregisters it. Not for an aborted signal. */
export function onAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let head = fanouts.get(signal);
  if (!head) {
    const ring: Link = { callback: () => {}, prev: null, next: null };
    ring.prev = ring;
    ring.next = ring;
    head = ring;
    fanouts.set(signal, ring);
    signal.addEventListener(
      'abort',
      () => {
        fanouts.delete(signal);
        // The first one still registered, each time: a callback may unregister others (a request settling ends
        // its registration).
        for (let link = ring.next; link !== null && link !== ring; link = ring.next) {
          unlink(link);
          link.callback();
        }
      },
      { once: true },
    );
  }
  // Each registration is its own link, even for the same function; the newest goes last.
  const last = head.prev ?? head;
  const link: Link = { callback: onAbort, prev: last, next: head };
  last.next = link;
  head.prev = link;
  return () => unlink(link);
}
