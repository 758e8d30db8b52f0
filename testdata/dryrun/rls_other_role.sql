-- Row-level security on role_permissions with policies for other roles
-- only: an admin console's role, and a write policy.
GRANT SELECT ON users, roles, permissions, user_roles, role_permissions TO {{app}};
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_console_read ON role_permissions FOR SELECT TO {{other}} USING (true);
CREATE POLICY app_insert ON role_permissions FOR INSERT TO {{app}} WITH CHECK (true);
