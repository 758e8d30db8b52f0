-- The column is called name, not title: the server says so at line 4, column 20.
CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');
INSERT INTO roles (name) VALUES ('admin');
INSERT INTO roles (title) VALUES ('viewer');
