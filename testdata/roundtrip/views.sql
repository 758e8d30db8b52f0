-- Views and materialised views over an RBAC schema: a security_barrier
-- view, a view WITH CHECK OPTION, a materialised view of effective
-- permissions with the unique index REFRESH MATERIALIZED VIEW CONCURRENTLY
-- needs and a second index, and grants on the views.
-- schemas: public
-- mutate missing-unique-index: DROP INDEX effective_permissions_key;
-- mutate missing-privilege: REVOKE SELECT ON active_users FROM {{app}};
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, active boolean NOT NULL DEFAULT true);
CREATE TABLE roles (id bigint PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE user_roles (user_id bigint REFERENCES users (id), role_id bigint REFERENCES roles (id), PRIMARY KEY (user_id, role_id));
CREATE TABLE role_permissions (role_id bigint REFERENCES roles (id), permission text NOT NULL, PRIMARY KEY (role_id, permission));
CREATE VIEW active_users WITH (security_barrier) AS SELECT id, email FROM users WHERE active;
CREATE VIEW admin_roles AS SELECT id, name FROM roles WHERE name LIKE 'admin%' WITH CHECK OPTION;
CREATE MATERIALIZED VIEW effective_permissions AS
    SELECT ur.user_id, rp.permission
    FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id
    GROUP BY ur.user_id, rp.permission;
CREATE UNIQUE INDEX effective_permissions_key ON effective_permissions (user_id, permission);
CREATE INDEX effective_permissions_permission_idx ON effective_permissions (permission);
GRANT SELECT ON active_users, admin_roles, effective_permissions TO {{app}};
