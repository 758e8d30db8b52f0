package pgtest

// StatementsConf is the postgresql.conf of a cluster that records the
// statements it runs in pg_stat_statements, for [ClusterOptions.ExtraConf]:
// the library is preloaded; each database that reads the view still needs
// CREATE EXTENSION pg_stat_statements.
func StatementsConf() []string {
	return []string{
		"shared_preload_libraries = 'pg_stat_statements'",
		"pg_stat_statements.track = top",
	}
}
