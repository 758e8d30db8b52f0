package drift

// A CodeInfo documents one finding code.
type CodeInfo struct {
	Code     string
	Severity Severity // the usual severity; some codes vary (unexpected-column follows extra_columns)
	Summary  string   // what it means, one line
	Fix      string   // how it is usually fixed
}

// Codes lists every finding code rbacdrift emits. Codes are stable: tools
// and waivers depend on them.
var Codes = []CodeInfo{
	{"missing-table", Error, "a declared table does not exist", "run the migration that creates it, or check the schema and the application's search_path"},
	{"wrong-relation-kind", Error, "the relation exists but is not of the declared kind (a view where a table is declared)", "restore the table, or declare the kind the application really uses"},
	{"missing-column", Error, "a declared column does not exist", "run the migration that adds it; a look-alike column may mean a rename"},
	{"type-mismatch", Error, "a column's type differs from the declared type, as the server reads both", "alter the column type, or update the model and the code that binds it"},
	{"nullability-mismatch", Error, "a column is NULL-able where NOT NULL is declared, or the reverse", "ALTER COLUMN ... SET/DROP NOT NULL"},
	{"default-mismatch", Warning, "a column's default differs from the declared one", "ALTER COLUMN ... SET/DROP DEFAULT"},
	{"identity-mismatch", Warning, "a column's identity or generation differs from the declared one", "ALTER COLUMN ... ADD/DROP IDENTITY"},
	{"unexpected-column", Warning, "a column exists that the model does not declare (severity follows extra_columns)", "declare it, drop it, or set extra_columns: ignore"},
	{"forbidden-column", Error, "a column the model forbids (a legacy layout) still exists", "run the migration that replaces it"},
	{"primary-key-mismatch", Error, "the primary key is missing or covers other columns", "ALTER TABLE ... ADD PRIMARY KEY"},
	{"missing-unique", Error, "no unique constraint or unique index covers the declared columns", "ALTER TABLE ... ADD UNIQUE, or CREATE UNIQUE INDEX"},
	{"missing-foreign-key", Error, "no foreign key on the declared columns", "ALTER TABLE ... ADD FOREIGN KEY"},
	{"foreign-key-mismatch", Error, "a foreign key on the declared columns references other columns or has other actions", "drop and re-create the foreign key"},
	{"missing-index", Warning, "no index on the declared columns", "CREATE INDEX"},
	{"index-mismatch", Warning, "an index on the declared columns differs in uniqueness or predicate", "re-create the index"},
	{"missing-enum", Error, "a declared enum type does not exist (or the name is another kind of type)", "CREATE TYPE ... AS ENUM"},
	{"enum-label-missing", Error, "a declared enum label does not exist: writing it fails", "ALTER TYPE ... ADD VALUE"},
	{"enum-label-unexpected", Warning, "an enum has a label the model does not declare", "declare it in the model"},
	{"enum-label-order", Warning, "an enum's labels are in another order: comparisons and ORDER BY differ", "re-create the type in the declared order"},

	// Privileges and row-level security declared in the model.
	{"missing-privilege", Error, "a role lacks a privilege the model grants it on a table", "GRANT ... ON ... TO ..."},
	{"unexpected-privilege", Warning, "a role holds a privilege on a table that the model does not grant it", "REVOKE it, or declare it"},
	{"rls-mismatch", Error, "row-level security is enabled or forced where the model says otherwise", "ALTER TABLE ... ENABLE/DISABLE/FORCE ROW LEVEL SECURITY"},
	{"missing-policy", Error, "a declared row-level security policy does not exist", "CREATE POLICY"},
	{"policy-mismatch", Error, "a policy's command, roles or expressions differ from the declared ones", "ALTER POLICY, or drop and re-create it"},

	// The dry run of the application's queries.
	{"run-as-unavailable", Error, "the role a query runs as does not exist, or the checking user cannot assume it", "GRANT the role to the checking user, or connect as the application's user"},
	{"query-error", Error, "an application query fails when prepared or planned: the application would load an empty policy", "fix the database (a migration) or the query"},
	{"query-result-mismatch", Error, "a query's result columns differ from the columns the application reads", "fix the query or the model's returns"},
	{"query-param-mismatch", Error, "a query's parameters differ from the types the driver sends", "fix the query, the column types or the model's params"},
	{"query-permission-denied", Error, "the query's role lacks a privilege the query needs", "GRANT the privilege to the role"},
	{"rls-hides-all-rows", Error, "row-level security lets the query's role see no row of a relation the query reads", "CREATE POLICY for the role, or run as a role the policies cover"},
	{"query-returned-no-rows", Error, "a sample run returned no row where rows were expected: an empty policy for this principal", "check the sample arguments and the data, grants and policies"},
	{"query-returned-rows", Warning, "a sample run returned rows where none were expected", "check the sample arguments and the data"},

	// Waivers.
	{"expired-waiver", Warning, "a waiver in the model is past its until date and no longer suppresses anything", "fix the finding, or renew the waiver with a reason"},
}

// Info returns the documentation of code, or a zero CodeInfo.
func Info(code string) CodeInfo {
	for _, c := range Codes {
		if c.Code == code {
			return c
		}
	}
	return CodeInfo{}
}
