package migrations

import (
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// touched renders objects one a line: "line action kind name [table] [-> to]".
func touched(objs []Object) []string {
	var out []string
	for _, o := range objs {
		s := fmt.Sprintf("%d %s %s %s", o.Line, o.Action, o.Kind, o.Name)
		if o.Table != "" && o.Kind != "column" {
			s += " on " + o.Table
		}
		if o.To != "" {
			s += " -> " + o.To
		}
		out = append(out, s)
	}
	return out
}

func TestTouches(t *testing.T) {
	sql := `-- Migration 0007: normalise role_permissions.
-- Not a statement: ALTER TABLE users DROP COLUMN email;
/* Nor this: CREATE TABLE ghosts (id int); /* nested */ DROP TYPE x; */
CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');
ALTER TABLE public.role_permissions
    ADD COLUMN permission_id integer REFERENCES permissions (id),
    ADD COLUMN IF NOT EXISTS "Scope" permission_scope NOT NULL DEFAULT 'global',
    ADD CONSTRAINT role_permissions_scope_check CHECK (scope <> 'none'),
    ALTER COLUMN role_id SET NOT NULL,
    DROP COLUMN IF EXISTS resource,
    DROP CONSTRAINT IF EXISTS role_permissions_pkey;
ALTER TABLE role_permissions RENAME COLUMN permission TO legacy_permission;
ALTER TABLE ONLY role_grants RENAME TO role_permission_grants;
INSERT INTO audit_log (note) VALUES ('DROP TABLE role_permissions; ALTER TABLE users ADD COLUMN x int');
UPDATE settings SET value = E'it\'s; CREATE TABLE fake (id int)';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS role_permissions_permission_id_idx ON ONLY role_permissions USING btree (permission_id);
CREATE INDEX ON user_roles (role_id);
CREATE OR REPLACE FUNCTION app.has_permission(uid integer, perm text) RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT true; DROP TABLE users; -- never parsed: a dollar-quoted body is one token
$fn$;
DO $$ BEGIN ALTER TABLE secrets ADD COLUMN leaked int; END $$;
ALTER TYPE permission_scope ADD VALUE IF NOT EXISTS 'team';
GRANT SELECT, INSERT (role_id) ON TABLE role_permissions, public.permissions TO app_user;
GRANT USAGE ON TYPE permission_scope TO app_user;
GRANT SELECT ON ALL TABLES IN SCHEMA rbac TO auditor;
GRANT app_admin TO alice;
REVOKE ALL ON role_permissions FROM PUBLIC;
CREATE POLICY own_rows ON role_permissions FOR SELECT USING (role_id = current_setting('app.role')::int);
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS old_rows ON role_permissions;
DROP TABLE IF EXISTS legacy_grants, "Old Table" CASCADE;
DROP FUNCTION IF EXISTS app.old_check(integer, text);
CREATE TABLE IF NOT EXISTS "public"."user_roles" (
    "user_id" integer NOT NULL,
    role_id integer NOT NULL,
    CONSTRAINT user_roles_pk PRIMARY KEY (user_id, role_id),
    UNIQUE (user_id)
);
CREATE MATERIALIZED VIEW role_permission_names AS SELECT 1;
COMMENT ON TABLE role_permissions IS 'ALTER TABLE nothing ADD COLUMN x';
CREATE ROLE app_reader NOLOGIN; ALTER USER app_user SET search_path = rbac; DROP ROLE IF EXISTS old_app;
`
	want := []string{
		"4 create type permission_scope",
		"5 alter table public.role_permissions",
		"5 create column public.role_permissions.permission_id",
		"5 create column public.role_permissions.Scope",
		"5 alter column public.role_permissions.role_id",
		"5 drop column public.role_permissions.resource",
		"12 alter table role_permissions",
		"12 rename column role_permissions.permission -> legacy_permission",
		"13 rename table role_grants -> role_permission_grants",
		"16 create index role_permissions_permission_id_idx on role_permissions",
		"17 create index  on user_roles",
		"18 create function app.has_permission",
		"23 alter type permission_scope",
		"24 grant table role_permissions",
		"24 grant table public.permissions",
		"25 grant type permission_scope",
		"26 grant schema rbac",
		"28 revoke table role_permissions",
		"29 create policy own_rows on role_permissions",
		"30 alter table role_permissions",
		"31 drop policy old_rows on role_permissions",
		"32 drop table legacy_grants",
		"32 drop table Old Table",
		"33 drop function app.old_check",
		"34 create table public.user_roles",
		"34 create column public.user_roles.user_id",
		"34 create column public.user_roles.role_id",
		"40 create view role_permission_names",
		"42 create role app_reader",
		"42 alter role app_user",
		"42 drop role old_app",
	}
	if diff := cmp.Diff(want, touched(Touches(sql))); diff != "" {
		t.Errorf("Touches (-want +got):\n%s", diff)
	}
}

func TestTouchesReferenceMigration(t *testing.T) {
	b, err := os.ReadFile(fixtures + "drizzle-reference/0007_normalise_rbac.sql")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 create type public.permission_scope",
		"2 alter table role_permissions",
		"2 create column role_permissions.permission_id",
		"3 alter table role_permissions",
		"3 create column role_permissions.scope",
		"8 alter table role_permissions",
		"8 alter column role_permissions.permission_id",
		"9 alter table role_permissions",
		"10 alter table role_permissions",
		"10 drop column role_permissions.resource",
		"11 alter table role_permissions",
		"11 drop column role_permissions.permission",
		"12 alter table role_permissions",
		"13 alter table role_permissions",
		"14 create index role_permissions_permission_id_idx on role_permissions",
	}
	if diff := cmp.Diff(want, touched(Touches(string(b)))); diff != "" {
		t.Errorf("Touches (-want +got):\n%s", diff)
	}
}
