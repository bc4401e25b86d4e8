/**
 * Recording: values arrive as counts-array indices in batches (the open
 * slot buffers them), and are folded into a sparse histogram a batch at a
 * time: sort, count runs, merge once.
 */
import { COUNTS_LENGTH, type SparseHistogram } from './histogram.js';

const RUN_IDX = new Uint16Array(COUNTS_LENGTH);
const RUN_CNT = new Float64Array(COUNTS_LENGTH);
let radixTmp = new Uint16Array(1024);
const radixCount = new Int32Array(256);

/** Sorts 16-bit values in place: two byte-wise counting passes (a comparison sort costs ~10× more here). */
function radixSort(a: Uint16Array): void {
  const n = a.length;
  if (radixTmp.length < n) radixTmp = new Uint16Array(n);
  const tmp = radixTmp;
  for (let shift = 0; shift <= 8; shift += 8) {
    const src = shift === 0 ? a : tmp;
    const dst = shift === 0 ? tmp : a;
    radixCount.fill(0);
    for (let i = 0; i < n; i++) radixCount[(src[i]! >> shift) & 255]!++;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = radixCount[b]!;
      radixCount[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      dst[radixCount[(v >> shift) & 255]!++] = v;
    }
  }
}

/** Adds a batch of raw counts indices (unsorted, repeats allowed) to h. Sorts the batch in place. */
export function addIndexBatch(h: SparseHistogram, batch: Uint16Array): void {
  const n = batch.length;
  if (n === 0) return;
  if (n < 32) batch.sort();
  else radixSort(batch);
  let runs = 0;
  let prev = batch[0]!;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = batch[i]!;
    if (v !== prev) {
      RUN_IDX[runs] = prev;
      RUN_CNT[runs++] = c;
      prev = v;
      c = 0;
    }
    c++;
  }
  RUN_IDX[runs] = prev;
  RUN_CNT[runs++] = c;
  h.addRuns(RUN_IDX, RUN_CNT, runs, n);
}
