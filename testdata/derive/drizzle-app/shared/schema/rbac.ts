// The application's RBAC tables, as the code keeps them: role_permissions
// is still denormalised, (resource, permission) as text.
import { pgEnum, pgTable, serial, text, integer, primaryKey, index } from "drizzle-orm/pg-core";
import { users } from "./auth";

export const permissionScope = pgEnum("permission_scope", ["own", "team", "global"]);

export const roles = pgTable("roles", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
});

export const userRoles = pgTable("user_roles", {
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  roleId: integer("role_id").notNull().references(() => roles.id, { onDelete: "cascade" }),
  scope: permissionScope("scope").notNull().default("own"),
}, (t) => [primaryKey({ columns: [t.userId, t.roleId] })]);

export const rolePermissions = pgTable("role_permissions", {
  roleId: integer("role_id").notNull().references(() => roles.id, { onDelete: "cascade" }),
  resource: text("resource").notNull(),
  permission: text("permission").notNull(),
}, (t) => [
  primaryKey({ columns: [t.roleId, t.resource, t.permission] }),
  index("role_permissions_resource_idx").on(t.resource.desc(), t.permission),
]);
