CREATE TABLE roles (
    id   serial PRIMARY KEY,
    name text NOT NULL UNIQUE
);
