CREATE TABLE permissions (
    id       serial PRIMARY KEY,
    resource text NOT NULL,
    action   text NOT NULL,
    UNIQUE (resource, action)
);
