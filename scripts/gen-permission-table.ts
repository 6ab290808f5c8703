/** Rewrites the permission table in docs/security.md from the router's data (`npm run docs:permissions`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { permissionTableMarkdown } from '../src/admin/permissions.ts';
import { ADMIN_ROUTES } from '../src/admin/router.ts';
import { COMPAT_ROUTES } from '../src/admin/compat/router.ts';

const path = 'docs/security.md';
const doc = readFileSync(path, 'utf8');
const re = /(<!-- permission-table:start -->\n)[\s\S]*?(\n<!-- permission-table:end -->)/;
if (!re.test(doc)) throw new Error(`${path} has no permission-table markers`);
writeFileSync(
  path,
  doc.replace(re, (_m, a: string, b: string) => a + permissionTableMarkdown([...ADMIN_ROUTES, ...COMPAT_ROUTES]) + b),
);
console.log(`${path}: permission table rewritten (${ADMIN_ROUTES.length + COMPAT_ROUTES.length} routes)`);
