-- migrate:up transaction:false
CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');
CREATE TABLE role_permissions (
    role_id       integer NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id integer NOT NULL,
    scope         permission_scope NOT NULL DEFAULT 'global',
    PRIMARY KEY (role_id, permission_id, scope)
);

-- migrate:down
DROP TABLE role_permissions;
DROP TYPE permission_scope;
