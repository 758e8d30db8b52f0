// The application of the founding incident: its permission loader is built
// with drizzle's query builder, so nobody on the team has its SQL text.
// DATABASE_URL is the database; the user ids to load come as arguments.
import pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { eq } from "drizzle-orm";
import { pgTable, pgEnum, integer, text, primaryKey } from "drizzle-orm/pg-core";

export const permissionScope = pgEnum("permission_scope", ["global", "org", "own"]);

export const permissions = pgTable("permissions", {
  id: integer("id").primaryKey(),
  resource: text("resource").notNull(),
  action: text("action").notNull(),
});

export const userRoles = pgTable("user_roles", {
  userId: integer("user_id").notNull(),
  roleId: integer("role_id").notNull(),
}, (t) => [primaryKey({ columns: [t.userId, t.roleId] })]);

// The normalised layout the current release expects.
export const rolePermissions = pgTable("role_permissions", {
  roleId: integer("role_id").notNull(),
  permissionId: integer("permission_id").notNull(),
  scope: permissionScope("scope").notNull().default("global"),
}, (t) => [primaryKey({ columns: [t.roleId, t.permissionId, t.scope] })]);

// loadPermissions is the loader: what a user may do, for every request.
async function loadPermissions(db, userId) {
  return db
    .select({ resource: permissions.resource, action: permissions.action, scope: rolePermissions.scope })
    .from(userRoles)
    .innerJoin(rolePermissions, eq(rolePermissions.roleId, userRoles.roleId))
    .innerJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
    .where(eq(userRoles.userId, userId));
}

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const db = drizzle(pool);
try {
  for (const arg of process.argv.slice(2)) {
    const rows = await loadPermissions(db, Number(arg));
    console.log(`user ${arg}: ${rows.length} permissions`);
  }
} finally {
  await pool.end();
}
