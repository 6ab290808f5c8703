/** What every page gets: who is signed in, in which org, with which permissions, and the gateway's clock. */
import type { UserView } from '../../src/accounts/api-types.ts';

export interface Ctx {
  /** 'session': a user (or the operator) logged in with a cookie; 'key': an admin key or the admin token in this tab. */
  mode: 'session' | 'key';
  operator: boolean;
  user: UserView | null;
  orgId: string | null;
  orgName: string | null;
  /** The admin key signed in with (key mode), so revoking it signs out. */
  keyId: string | null;
  role: string;
  permissions: readonly string[];
  workspaceId: string | null;
  now: string;
  month: string;
  orgs: Array<{ id: string; name: string; role?: string }>;
  can(p: string): boolean;
  signOut(message?: string): void;
  /** Re-reads the session (after switching org, accepting an invitation, verifying). */
  refresh(): Promise<void>;
  go(route: string): void;
}

export type Page = (root: HTMLElement, ctx: Ctx) => void;
