/**
 * Response types of the account API (`/account/v1/…`) and of the admin endpoints added for the
 * console (members, invitations, workspaces, logs, rate limits, models, operator). Shared by the
 * server (handlers build values of these types) and the console (web/ imports them), so a renamed
 * field fails the typecheck on both sides. Documented in docs/accounts.md.
 *
 * Conventions: times are ISO-8601 strings (UTC), money is a decimal USD string (exact, never a
 * float), ids are opaque strings.
 */

export type MemberRole = 'owner' | 'admin' | 'developer' | 'billing' | 'viewer';
export const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'admin', 'developer', 'billing', 'viewer'];

/** The error body of every 4xx/5xx (the admin envelope). */
export interface ApiError {
  error: { type: string; code?: string; message: string };
}

export interface UserView {
  id: string;
  email: string;
  verified: boolean;
  operator: boolean;
  created_at: string;
}

export interface MembershipView {
  org_id: string;
  org_name: string;
  role: MemberRole;
}

/** GET /account/v1/session, and the body of a successful login / sign-up. */
export interface SessionView {
  /** null when the operator signed in with TOLLGATE_ADMIN_TOKEN. */
  user: UserView | null;
  operator: boolean;
  orgs: MembershipView[];
  current_org_id: string | null;
  /** The caller's role in the current org ('operator' for the operator). */
  role: MemberRole | 'operator' | null;
  /** What that role may do on /admin/v1 (src/admin/permissions.ts). */
  permissions: string[];
  /** Send as `x-csrf-token` on every POST/PUT/PATCH/DELETE made with the session cookie. */
  csrf_token: string;
  expires_at: string;
}

export interface SignUpResponse extends SessionView {
  verification_sent: boolean;
  /** Set when the sign-up came through an invitation (the invited org was joined). */
  joined_org_id: string | null;
}

export interface VerifyResponse {
  verified: true;
  email: string;
  /** Free credits granted by this verification ("0" when the address had them already). */
  credits_granted_usd: string;
  credits_org_id: string | null;
}

export interface AcceptedResponse {
  ok: true;
}

export interface SessionListItem {
  id: string;
  current: boolean;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
  user_agent: string | null;
}
export interface SessionList {
  sessions: SessionListItem[];
}

export interface LogoutAllResponse {
  revoked: number;
}

export interface InvitationLookup {
  org_id: string;
  org_name: string;
  email: string;
  role: MemberRole;
  expires_at: string;
  /** Whether an account with that address exists (log in to accept) or not (sign up). */
  account_exists: boolean;
}

export interface AcceptInvitationResponse {
  org_id: string;
  role: MemberRole;
}

export interface CreateOrgResponse {
  org_id: string;
  name: string;
  default_workspace_id: string;
  role: 'owner';
}

// ---- /admin/v1 additions ----

export interface MemberView {
  user_id: string;
  email: string;
  role: MemberRole;
  verified: boolean;
  joined_at: string;
}
export interface MemberList {
  org_id: string;
  members: MemberView[];
}

export interface InvitationView {
  id: string;
  org_id: string;
  email: string;
  role: MemberRole;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  created_at: string;
  expires_at: string;
  invited_by: string | null;
}
export interface InvitationList {
  org_id: string;
  invitations: InvitationView[];
}

export interface WorkspaceView {
  id: string;
  org_id: string;
  name: string;
  status: 'active' | 'archived';
  created_at: string;
  archived_at: string | null;
  /** Active (not revoked, not expired) keys in the workspace. */
  active_keys: number;
}
export interface WorkspaceList {
  org_id: string;
  workspaces: WorkspaceView[];
}

export interface LogEntry {
  id: string;
  time: string;
  key_id: string;
  workspace_id: string;
  model: string;
  surface: string;
  status: number;
  outcome: string;
  stream: boolean;
  tokens: {
    input: string;
    output: string;
    cache_write_5m: string;
    cache_write_1h: string;
    cache_read: string;
  };
  cost_usd: string;
  latency_ms: number;
  ttft_ms: number | null;
  estimated: boolean;
}
export interface LogPage {
  org_id: string;
  data: LogEntry[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: string | null;
}

export interface RateClassView {
  rate_class: string;
  limits: { rpm: number; input_tpm: number; output_tpm: number };
  /** What is left right now in this instance's buckets (the full limit when nothing was used). */
  remaining: { requests: number; input_tokens: number; output_tokens: number };
  /** True when the operator set custom limits for this class. */
  custom: boolean;
}
export interface RateLimitsView {
  org_id: string;
  tier: number;
  tier_name: string;
  tier_pinned: boolean;
  total_spend_usd: string;
  monthly_spend_cap_usd: string | null;
  classes: RateClassView[];
  /** null at the top tier (or when the tier is pinned by the operator). */
  next_tier: null | {
    tier: number;
    name: string;
    min_spend_usd: string;
    /** How much more spend reaches it. */
    spend_needed_usd: string;
    classes: Array<{ rate_class: string; rpm: number; input_tpm: number; output_tpm: number }>;
  };
}

/** USD per million tokens, as decimal strings. */
export interface PriceView {
  input: string;
  output: string;
  cache_write_5m: string;
  cache_write_1h: string;
  cache_read: string;
}
export interface ModelPriceView {
  id: string;
  display_name: string;
  provider: string;
  rate_class: string;
  context_window: number | null;
  list: PriceView;
  yours: PriceView;
  /** Basis points below list (2000 = 20 % off; negative = a markup). */
  discount_bps: number;
}
export interface ModelPriceList {
  org_id: string;
  price_group: string | null;
  models: ModelPriceView[];
}

export interface OperatorOrgView {
  id: string;
  name: string;
  created_at: string;
  billing_mode: string;
  tier: number | null;
  tier_pinned: boolean;
  suspended: null | { reason: string; since: string };
  members: number;
  owner_email: string | null;
}
export interface OperatorOrgSearch {
  orgs: OperatorOrgView[];
  next_cursor: string | null;
}

export interface SignupView {
  user_id: string;
  email: string;
  created_at: string;
  verified_at: string | null;
  org_id: string | null;
  org_name: string | null;
}
export interface SignupList {
  signups: SignupView[];
}

export interface SuspendView {
  org_id: string;
  suspended: null | { reason: string; since: string };
}
