-- +goose Up
CREATE TABLE roles (
    id   serial PRIMARY KEY,
    name varchar(64) NOT NULL UNIQUE -- the role's name; a semicolon here; does not end it
);

-- +goose StatementBegin
CREATE FUNCTION roles_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name := lower(NEW.name);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

GRANT SELECT ON roles TO app_user;

-- +goose Down
DROP FUNCTION roles_touch();
DROP TABLE roles;
