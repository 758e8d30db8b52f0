-- The application role of the bench model (bench/rbac.yaml): the dry run
-- executes its queries as this role. Roles belong to the whole server, so it
-- is created once and shared by rbacdrift_bench_big and rbacdrift_bench_small;
-- `make bench-clean` drops it.
DO $$
BEGIN
    CREATE ROLE rbacdrift_bench_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;
GRANT USAGE ON SCHEMA public TO rbacdrift_bench_app;
GRANT SELECT ON public.users, public.roles, public.permissions, public.user_roles, public.role_permissions
    TO rbacdrift_bench_app;
