CREATE TABLE roles (
    id   serial PRIMARY KEY,
    name varchar(64) NOT NULL UNIQUE
);
