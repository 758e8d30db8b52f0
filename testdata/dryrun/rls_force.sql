-- The application connects as the tables' owner; FORCE ROW LEVEL SECURITY
-- makes the owner subject to row-level security, and no policy covers it.
ALTER TABLE users OWNER TO {{owner}};
ALTER TABLE roles OWNER TO {{owner}};
ALTER TABLE permissions OWNER TO {{owner}};
ALTER TABLE user_roles OWNER TO {{owner}};
ALTER TABLE role_permissions OWNER TO {{owner}};
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_permissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON role_permissions FOR ALL TO {{other}} USING (true);
