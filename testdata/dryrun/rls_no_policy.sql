-- Row-level security switched on for role_permissions, and no policy at all.
GRANT SELECT ON users, roles, permissions, user_roles, role_permissions TO {{app}};
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
