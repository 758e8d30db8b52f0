-- migrate:up
CREATE TABLE roles (
    id   serial PRIMARY KEY,
    name varchar(64) NOT NULL UNIQUE
);
GRANT SELECT ON roles TO app_user;

-- migrate:down
DROP TABLE roles;
