// The users of the application live in their own PostgreSQL schema, auth.
import { sql } from "drizzle-orm";
import { pgSchema, serial, text, jsonb, index, uniqueIndex } from "drizzle-orm/pg-core";

export const auth = pgSchema("auth");

export const users = auth.table("users", {
  id: serial("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name"),
  profile: jsonb("profile"),
}, (t) => [
  index("users_profile_gin").using("gin", t.profile),
  index("users_email_hash").using("hash", t.email),
  index("users_name_desc").on(t.name.desc()),
  index("users_name_nulls_first").on(t.name.asc().nullsFirst()),
  index("users_name_pattern").on(t.name.op("text_pattern_ops")),
  uniqueIndex("users_lower_email").on(sql`lower(${t.email})`),
]);
