-- Needs roles, which V1 creates: by name "V1.1__" sorts before "V1__", but
-- Flyway orders by version, 1 < 1.1 < 2.
ALTER TABLE roles ADD COLUMN description text NOT NULL DEFAULT '';
