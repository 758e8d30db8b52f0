-- rbacdrift's minimal stand-in for the roles of the Supabase platform, the
-- roles a Supabase project's migrations grant to and name in policies.
-- Written for rbacdrift from the platform's documented behaviour; laid down
-- on a throwaway cluster only (roles belong to the whole server).
DO $base$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
      ('anon', 'NOLOGIN NOINHERIT'),
      ('authenticated', 'NOLOGIN NOINHERIT'),
      ('service_role', 'NOLOGIN NOINHERIT BYPASSRLS'),
      ('authenticator', 'NOLOGIN NOINHERIT'),
      ('supabase_auth_admin', 'NOLOGIN NOINHERIT CREATEROLE'),
      ('supabase_storage_admin', 'NOLOGIN NOINHERIT CREATEROLE'),
      ('supabase_admin', 'NOLOGIN')) AS v(name, opts)
  LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      EXECUTE format('CREATE ROLE %I %s', r.name, r.opts);
    END IF;
  END LOOP;
END
$base$;

-- PostgREST logs in as authenticator and switches to the request's role.
GRANT anon, authenticated, service_role TO authenticator;
