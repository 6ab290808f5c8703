import type { UserView } from '../../accounts/api-types.ts';
import type { UserRow } from '../../accounts/users.ts';

export const toUserView = (u: UserRow): UserView => ({
  id: u.id,
  email: u.email,
  verified: u.verifiedAt != null,
  operator: u.operator,
  created_at: new Date(u.createdAt).toISOString(),
});
