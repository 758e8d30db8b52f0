-- Row-level security with a permissive policy for the application's role:
-- no finding.
GRANT SELECT ON users, roles, permissions, user_roles, role_permissions TO {{app}};
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_read ON role_permissions FOR SELECT TO {{app}} USING (scope <> 'own');
