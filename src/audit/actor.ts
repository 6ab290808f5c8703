/**
 * Who made a change, as the audit log records it. Every write path (admin API, CLI, the gateway
 * itself) names its actor; services take one and default to `system`.
 *
 * A future console user with a role plugs in as `{ kind: 'user', id: <user id> }`.
 */
import { userInfo } from 'node:os';

export type ActorKind = 'operator' | 'admin_key' | 'cli' | 'system' | 'user';

export interface Actor {
  kind: ActorKind;
  /** Admin key id, user id, OS user (CLI), 'admin-token' (operator) or the subsystem ('gateway'). */
  id: string;
  /** The admin API request that carried the change, and the client address it came from. */
  requestId?: string;
  clientIp?: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'gateway' };

/** The CLI's actor: the OS user running it (SUDO_USER when run through sudo). */
export function cliActor(env: Record<string, string | undefined> = process.env): Actor {
  let user = env.SUDO_USER || env.USER || env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { kind: 'cli', id: user };
}
