/** Table types of the accounts domain (migration 030), intersected into the store's `DB`. */
import type { ColumnType } from 'kysely';

type Int = ColumnType<bigint, bigint | number, bigint | number>;
type IntNull = ColumnType<bigint | null, bigint | number | null | undefined, bigint | number | null>;
type IntDefault = ColumnType<bigint, bigint | number | undefined, bigint | number>;

export interface UsersTable {
  id: string;
  email_norm: string;
  email: string;
  password_hash: string;
  created_at: Int;
  verified_at: IntNull;
  operator: IntDefault;
  disabled_at: IntNull;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: string;
  created_at: Int;
}

export interface SessionsTable {
  id: string;
  public_id: string;
  user_id: string | null;
  operator: IntDefault;
  current_org_id: string | null;
  created_at: Int;
  last_seen_at: Int;
  expires_at: Int;
  revoked_at: IntNull;
  client_ip: string | null;
  user_agent: string | null;
}

export interface AccountTokensTable {
  id: string;
  kind: string;
  user_id: string | null;
  invitation_id: string | null;
  email_norm: string;
  created_at: Int;
  expires_at: Int;
  used_at: IntNull;
}

export interface InvitationsTable {
  id: string;
  org_id: string;
  email: string;
  email_norm: string;
  role: string;
  invited_by: string | null;
  created_at: Int;
  expires_at: Int;
  accepted_at: IntNull;
  accepted_by: string | null;
  revoked_at: IntNull;
}

export interface FreeCreditClaimsTable {
  email_norm: string;
  org_id: string;
  user_id: string;
  claimed_at: Int;
}

export interface AccountSecretsTable {
  name: string;
  value: string;
  created_at: Int;
}

export interface AccountTables {
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  invitations: InvitationsTable;
  free_credit_claims: FreeCreditClaimsTable;
  account_secrets: AccountSecretsTable;
}
