-- A function that writes: a sample that calls it must fail, read-only.
CREATE TABLE audit_log (id serial PRIMARY KEY, note text NOT NULL);
CREATE FUNCTION touch_audit(note text) RETURNS integer LANGUAGE sql AS
$$ INSERT INTO audit_log (note) VALUES (note) RETURNING id $$;
