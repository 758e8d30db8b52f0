-- Partitioned tables: range partitions by month with a default, list
-- partitions by tenant tier, hash partitions; indexes declared on the
-- parent (partitioned indexes, cascaded to every partition), a primary
-- key that holds the partition key, and a partition with an index of its
-- own.
-- schemas: public
-- mutate index-mismatch: DROP INDEX grants_permission_idx; CREATE INDEX grants_permission_idx ON grants (permission);
-- mutate index-mismatch: DROP INDEX events_actor_at_idx; CREATE INDEX events_actor_at_idx ON events (actor_id, at);
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL,
    actor_id bigint NOT NULL,
    kind text NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE events_2025_01 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2025-02-01');
CREATE TABLE events_2025_02 PARTITION OF events FOR VALUES FROM ('2025-02-01') TO ('2025-03-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_actor_at_idx ON events (actor_id, at DESC);
CREATE INDEX events_2025_01_kind_idx ON events_2025_01 (kind);

CREATE TABLE tenants (
    id bigint NOT NULL,
    tier text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (id, tier)
) PARTITION BY LIST (tier);
CREATE TABLE tenants_free PARTITION OF tenants FOR VALUES IN ('free');
CREATE TABLE tenants_paid PARTITION OF tenants FOR VALUES IN ('pro', 'enterprise');
CREATE UNIQUE INDEX tenants_name_idx ON tenants (name, tier);

CREATE TABLE grants (
    user_id bigint NOT NULL,
    permission text NOT NULL,
    PRIMARY KEY (user_id, permission)
) PARTITION BY HASH (user_id);
CREATE TABLE grants_0 PARTITION OF grants FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE grants_1 PARTITION OF grants FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE INDEX grants_permission_idx ON grants (permission text_pattern_ops);
