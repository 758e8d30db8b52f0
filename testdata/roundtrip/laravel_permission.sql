-- Laravel with spatie/laravel-permission: bigserial ids, varchar(255)
-- strings, unique (name, guard_name), polymorphic pivots with composite
-- primary keys and a (model_id, model_type) index, cascading deletes, and
-- Laravel's migrations table.
-- schemas: public
-- mutate primary-key-mismatch: ALTER TABLE model_has_roles DROP CONSTRAINT model_has_roles_role_model_type_primary, ADD PRIMARY KEY (role_id, model_id);
-- mutate index-mismatch: DROP INDEX model_has_permissions_model_id_model_type_index; CREATE INDEX model_has_permissions_model_id_model_type_index ON model_has_permissions (model_id DESC, model_type);
CREATE TABLE migrations (
    id serial PRIMARY KEY,
    migration varchar(255) NOT NULL,
    batch integer NOT NULL
);
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL,
    email varchar(255) NOT NULL,
    email_verified_at timestamp(0) without time zone,
    password varchar(255) NOT NULL,
    remember_token varchar(100),
    created_at timestamp(0) without time zone,
    updated_at timestamp(0) without time zone,
    CONSTRAINT users_email_unique UNIQUE (email)
);
CREATE TABLE permissions (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL,
    guard_name varchar(255) NOT NULL,
    created_at timestamp(0) without time zone,
    updated_at timestamp(0) without time zone,
    CONSTRAINT permissions_name_guard_name_unique UNIQUE (name, guard_name)
);
CREATE TABLE roles (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL,
    guard_name varchar(255) NOT NULL,
    created_at timestamp(0) without time zone,
    updated_at timestamp(0) without time zone,
    CONSTRAINT roles_name_guard_name_unique UNIQUE (name, guard_name)
);
CREATE TABLE model_has_permissions (
    permission_id bigint NOT NULL,
    model_type varchar(255) NOT NULL,
    model_id bigint NOT NULL,
    CONSTRAINT model_has_permissions_permission_model_type_primary PRIMARY KEY (permission_id, model_id, model_type),
    CONSTRAINT model_has_permissions_permission_id_foreign FOREIGN KEY (permission_id) REFERENCES permissions (id) ON DELETE CASCADE
);
CREATE INDEX model_has_permissions_model_id_model_type_index ON model_has_permissions (model_id, model_type);
CREATE TABLE model_has_roles (
    role_id bigint NOT NULL,
    model_type varchar(255) NOT NULL,
    model_id bigint NOT NULL,
    CONSTRAINT model_has_roles_role_model_type_primary PRIMARY KEY (role_id, model_id, model_type),
    CONSTRAINT model_has_roles_role_id_foreign FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
);
CREATE INDEX model_has_roles_model_id_model_type_index ON model_has_roles (model_id, model_type);
CREATE TABLE role_has_permissions (
    permission_id bigint NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (permission_id, role_id)
);
