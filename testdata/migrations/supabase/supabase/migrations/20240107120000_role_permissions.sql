create type public.permission_scope as enum ('global', 'org', 'own');

create table public.role_permissions (
  role_id bigint not null references public.roles (id) on delete cascade,
  permission_id bigint not null references public.permissions (id),
  scope public.permission_scope not null default 'global',
  primary key (role_id, permission_id, scope)
);

alter table public.role_permissions enable row level security;

create policy "service role manages grants" on public.role_permissions
  for all to service_role using (true);

create policy "members read their grants" on public.role_permissions
  for select to authenticated
  using (exists (select 1 from public.members m
                 where m.role_id = role_permissions.role_id and m.user_id = auth.uid()));

grant select on public.role_permissions to authenticated;
