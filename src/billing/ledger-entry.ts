/** One row of an org's credit ledger, as the ledger and the credit lots read it. */
export type EntryKind = 'purchase' | 'grant' | 'refund' | 'adjustment' | 'expiry';
export const CREDIT_KINDS: EntryKind[] = ['purchase', 'grant', 'refund', 'adjustment', 'expiry'];

export interface LedgerEntry {
  id: string;
  orgId: string;
  kind: EntryKind;
  amount: bigint;
  createdAt: number;
  expiresAt: number | null;
  ref: string | null;
  note: string | null;
}
