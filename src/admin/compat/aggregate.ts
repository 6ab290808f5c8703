/** Bucketing of the per-bucket usage rows (src/usage/events.ts `usageByBucket`) for the Admin API's compatible reports. */
/** Rows grouped into `buckets` consecutive buckets (empty ones kept, with no rows). */
export function byBucket<T extends { bucket: number }>(rows: T[], buckets: number): T[][] {
  const out: T[][] = Array.from({ length: buckets }, () => []);
  for (const r of rows) if (r.bucket >= 0 && r.bucket < buckets) out[r.bucket]!.push(r);
  return out;
}
