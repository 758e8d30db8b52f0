-- The migration user {{owner}} owns the tables; the runtime role {{app}}
-- got grants only on the tables of the previous release.
ALTER TABLE users OWNER TO {{owner}};
ALTER TABLE roles OWNER TO {{owner}};
ALTER TABLE permissions OWNER TO {{owner}};
ALTER TABLE user_roles OWNER TO {{owner}};
ALTER TABLE role_permissions OWNER TO {{owner}};
GRANT SELECT ON users, roles, permissions, user_roles TO {{app}};
