package drift

// A Code names a kind of finding. Codes are stable: tools and waivers
// depend on them. Every code is a constant below and has a row in [Codes].
type Code string

// The finding codes.
const (
	MissingTable             Code = "missing-table"
	WrongRelationKind        Code = "wrong-relation-kind"
	MissingColumn            Code = "missing-column"
	TypeMismatch             Code = "type-mismatch"
	NullabilityMismatch      Code = "nullability-mismatch"
	DefaultMismatch          Code = "default-mismatch"
	IdentityMismatch         Code = "identity-mismatch"
	UnexpectedColumn         Code = "unexpected-column"
	ForbiddenColumn          Code = "forbidden-column"
	PrimaryKeyMismatch       Code = "primary-key-mismatch"
	MissingUnique            Code = "missing-unique"
	MissingForeignKey        Code = "missing-foreign-key"
	ForeignKeyMismatch       Code = "foreign-key-mismatch"
	MissingIndex             Code = "missing-index"
	IndexMismatch            Code = "index-mismatch"
	MissingUniqueIndex       Code = "missing-unique-index"
	MissingEnum              Code = "missing-enum"
	EnumLabelMissing         Code = "enum-label-missing"
	EnumLabelUnexpected      Code = "enum-label-unexpected"
	EnumLabelOrder           Code = "enum-label-order"
	MissingPrivilege         Code = "missing-privilege"
	UnexpectedPrivilege      Code = "unexpected-privilege"
	SequenceMissing          Code = "sequence-missing"
	SequenceNotOwned         Code = "sequence-not-owned"
	SequenceBehind           Code = "sequence-behind"
	MissingSequencePrivilege Code = "missing-sequence-privilege"
	MissingFunction          Code = "missing-function"
	FunctionMismatch         Code = "function-mismatch"
	MissingFunctionPrivilege Code = "missing-function-privilege"
	RlsMismatch              Code = "rls-mismatch"
	MissingPolicy            Code = "missing-policy"
	PolicyMismatch           Code = "policy-mismatch"
	RlsBypassed              Code = "rls-bypassed"
	UnexpectedPolicy         Code = "unexpected-policy"
	RoleSettingMismatch      Code = "role-setting-mismatch"
	MissingDefaultPrivilege  Code = "missing-default-privilege"
	UnsafeSecurityDefiner    Code = "unsafe-security-definer"
	RunAsUnavailable         Code = "run-as-unavailable"
	QueryError               Code = "query-error"
	QueryResultMismatch      Code = "query-result-mismatch"
	QueryParamMismatch       Code = "query-param-mismatch"
	QueryPermissionDenied    Code = "query-permission-denied"
	RlsHidesAllRows          Code = "rls-hides-all-rows"
	QueryReturnedNoRows      Code = "query-returned-no-rows"
	QueryReturnedRows        Code = "query-returned-rows"
	ExpiredWaiver            Code = "expired-waiver"

	// The migrations folder against the migration tool's history.
	MigrationPending        Code = "migration-pending"
	MigrationUnknown        Code = "migration-unknown"
	MigrationModified       Code = "migration-modified"
	MigrationFailed         Code = "migration-failed"
	MigrationHistoryMissing Code = "migration-history-missing"
)

// Severity returns the code's default severity from [Codes]; an unknown
// code is an error, so that a finding nobody registered fails the gate
// rather than passing it silently.
func (c Code) Severity() Severity {
	if i, ok := codeIndex[c]; ok {
		return Codes[i].Severity
	}
	return Error
}

// A CodeInfo documents one finding code.
type CodeInfo struct {
	Code     Code
	Severity Severity // the usual severity; some codes vary (see Why)
	Summary  string   // what it means, one line
	Fix      string   // how it is usually fixed
	// Why answers, for the severity, "does the application break, or
	// silently lose integrity, if this is so?": an error when it does, a
	// warning when it only slows down, surprises, or needs a person's look.
	Why string
}

// Codes lists every finding code rbacdrift emits. Codes are stable: tools
// and waivers depend on them.
var Codes = []CodeInfo{
	{MissingTable, Error, "a declared table does not exist", "run the migration that creates it, or check the schema and the application's search_path",
		"every statement on it fails (42P01)"},
	{WrongRelationKind, Error, "the relation exists but is not of the declared kind (a view where a table is declared)", "restore the table, or declare the kind the application really uses",
		"writes fail or rows are filtered away"},
	{MissingColumn, Error, "a declared column does not exist", "run the migration that adds it; a look-alike column may mean a rename",
		"statements that name it fail (42703)"},
	{TypeMismatch, Error, "a column's type differs from the declared type, as the server reads both", "alter the column type, or update the model and the code that binds it",
		"binds and scans fail, or values are truncated or rejected"},
	{NullabilityMismatch, Error, "a column is NULL-able where NOT NULL is declared, or the reverse", "ALTER COLUMN ... SET/DROP NOT NULL",
		"NULLs the code does not expect are stored, or writes fail (23502)"},
	{DefaultMismatch, Warning, "a column's default differs from the declared one (an error when the declared default is gone)", "ALTER COLUMN ... SET/DROP DEFAULT",
		"another expression may be a spelling the comparison does not see through; a missing one is an error: inserts that omit the column fail (23502) or store NULL"},
	{IdentityMismatch, Error, "a column's identity or generation differs from the declared one (a warning when the live column accepts more)", "ALTER COLUMN ... ADD/DROP IDENTITY",
		"inserts that omit the id fail (23502), or that set it fail (428C9), or generated values differ; a BY DEFAULT identity where the model says ALWAYS or none breaks nothing, and is a warning"},
	{UnexpectedColumn, Warning, "a column exists that the model does not declare (severity follows extra_columns; an error when it is NOT NULL without a default)", "declare it, drop it, or set extra_columns: ignore",
		"an extra column breaks nothing, unless it is NOT NULL with no default: the application's inserts then fail (23502)"},
	{ForbiddenColumn, Error, "a column the model forbids (a legacy layout) still exists", "run the migration that replaces it",
		"the migration the code depends on has not run"},
	{PrimaryKeyMismatch, Error, "the primary key is missing or covers other columns", "ALTER TABLE ... ADD PRIMARY KEY",
		"duplicate rows can be stored; ON CONFLICT fails (42P10)"},
	{MissingUnique, Error, "no unique constraint or unique index covers the declared columns", "ALTER TABLE ... ADD UNIQUE, or CREATE UNIQUE INDEX",
		"duplicates pile up silently; ON CONFLICT fails (42P10)"},
	{MissingForeignKey, Error, "no foreign key on the declared columns", "ALTER TABLE ... ADD FOREIGN KEY",
		"orphan rows are stored silently"},
	{ForeignKeyMismatch, Error, "a foreign key on the declared columns references other columns or has other actions", "drop and re-create the foreign key",
		"deletes fail, or leave orphans, where the code expects a cascade"},
	{MissingIndex, Warning, "no index on the declared columns", "CREATE INDEX",
		"only slower: every result is still right"},
	{IndexMismatch, Warning, "an index on the declared columns differs in uniqueness or predicate", "re-create the index",
		"only slower (an extra uniqueness is a warning too: it rejects what the model would allow, which the application sees as 23505)"},
	{MissingUniqueIndex, Error, "a declared unique index does not exist, or the index on those columns is not unique or has another predicate", "CREATE UNIQUE INDEX",
		"duplicates pile up silently; ON CONFLICT on it fails (42P10)"},
	{MissingEnum, Error, "a declared enum type does not exist (or the name is another kind of type)", "CREATE TYPE ... AS ENUM",
		"casts to it fail (42704)"},
	{EnumLabelMissing, Error, "a declared enum label does not exist: writing it fails", "ALTER TYPE ... ADD VALUE",
		"writing the label fails (22P02)"},
	{EnumLabelUnexpected, Warning, "an enum has a label the model does not declare", "declare it in the model",
		"the code reads a value it does not know, but nothing fails in the database"},
	{EnumLabelOrder, Warning, "an enum's labels are in another order: comparisons and ORDER BY differ", "re-create the type in the declared order",
		"only code that compares labels (<, ORDER BY) sees it; a person should look"},

	// The sequences behind serial and identity columns.
	{SequenceMissing, Error, "a serial column's default calls nextval on a sequence that does not exist, or a declared sequence does not exist", "create the sequence (and set the default again)",
		"inserts that omit the column, and nextval on a declared sequence, fail (42P01)"},
	{SequenceNotOwned, Warning, "the sequence behind a serial or identity column is not owned by that column (OWNED BY NONE, or another column), or a declared sequence is owned otherwise than its owned_by says", "ALTER SEQUENCE ... OWNED BY table.column",
		"inserts work; pg_get_serial_sequence finds nothing, so tools that reset sequences skip it, and a DROP leaves it behind (or takes it along)"},
	{SequenceBehind, Error, "a sequence's next value is not above the maximum of its column", "SELECT setval(sequence, (SELECT max(column) FROM table))",
		"the next inserts fail with 23505 (duplicate key), one after another"},
	{MissingSequencePrivilege, Error, "a role that inserts into a table (run_as, or INSERT in its grants) may not call nextval on the sequence of its serial column, or a role lacks a privilege on a declared sequence that the model grants it", "GRANT USAGE ON SEQUENCE ... TO ...",
		"its inserts, or its nextval calls, fail with 42501 (permission denied for sequence)"},

	// Functions declared in the model.
	{MissingFunction, Error, "no function has the declared signature (a look-alike of another signature may exist)", "run the migration that creates it, or fix the signature in the model",
		"calls fail (42883, function does not exist)"},
	{FunctionMismatch, Error, "a function's return type, security, search_path, volatility or language differs from the declared one (a warning for volatility or language only)", "CREATE OR REPLACE FUNCTION, or ALTER FUNCTION ... SECURITY/SET search_path/STABLE",
		"another return type breaks the callers' scans; SECURITY INVOKER where DEFINER is declared runs the body with the caller's privileges (42501, or RLS hides rows); a SECURITY DEFINER without its search_path can be hijacked; volatility and language change no result, a warning"},
	{MissingFunctionPrivilege, Error, "a role may not EXECUTE a function the model grants it", "GRANT EXECUTE ON FUNCTION ... TO ...",
		"its calls fail (42501)"},

	// Privileges and row-level security declared in the model.
	{MissingPrivilege, Error, "a role lacks a privilege the model grants it on a table (or a column)", "GRANT ... ON ... TO ...",
		"statements that need it fail (42501)"},
	{UnexpectedPrivilege, Warning, "a role holds a privilege on a table (or a column, a function or a sequence) that the model does not grant it; with grants: exact, an error for a write, TRUNCATE, TRIGGER, ownership, a predefined role (pg_read_all_data, pg_write_all_data) or membership in a role that bypasses row-level security", "REVOKE it, or declare it",
		"the application works; the role can do more than it should, which a person should review; a model that asks for exact grants says that more is a leak: writes, TRUNCATE and ownership change or expose every tenant's rows, and a superuser or BYPASSRLS role is a SET ROLE away, so those are errors there (an extra SELECT stays a warning: RLS still filters it)"},
	{RlsMismatch, Error, "row-level security is enabled or forced where the model says otherwise", "ALTER TABLE ... ENABLE/DISABLE/FORCE ROW LEVEL SECURITY",
		"every row is hidden, or every row is visible"},
	{MissingPolicy, Error, "a declared row-level security policy does not exist", "CREATE POLICY",
		"the rows it lets through are hidden"},
	{PolicyMismatch, Error, "a policy's command, roles or expressions differ from the declared ones (a warning for a policy the model does not list and that cannot apply to the run_as role)", "ALTER POLICY, or drop and re-create it",
		"other rows are visible or hidden than the code expects; a policy for other roles only changes nothing for the application, which a person should review"},
	{RlsBypassed, Error, "row-level security does not bind the run_as role on a table the model protects with it: the role owns the table or has its owner's privileges (membership with INHERIT) and RLS is not forced, has BYPASSRLS, or is a superuser (row_security_active as the role says so)", "ALTER TABLE ... OWNER TO the migrator, REVOKE the owner role, ALTER ROLE ... NOBYPASSRLS / NOSUPERUSER, or ALTER TABLE ... FORCE ROW LEVEL SECURITY",
		"the policies are skipped: every tenant's rows are visible to (and writable by) the application, and nothing fails"},
	{UnexpectedPolicy, Error, "a policy the model does not list applies to the run_as role (for it, a group whose privileges it has, or PUBLIC)", "DROP POLICY, or declare it",
		"a permissive policy is ORed with the others: it lets more rows through (a USING (true) opens every tenant's rows); a restrictive one is ANDed: it hides rows the application expects"},
	{RoleSettingMismatch, Error, "a login of a role gets settings other than the model's role_settings (pg_db_role_setting: ALTER ROLE ... [IN DATABASE ...] SET, ALTER DATABASE ... SET)", "ALTER ROLE ... [IN DATABASE ...] SET/RESET, or update the model",
		"the application's session differs from the one it was tested in: another search_path resolves its unqualified names elsewhere, row_security = off makes its queries fail, a statement_timeout cancels them"},
	{MissingDefaultPrivilege, Error, "the default privileges (ALTER DEFAULT PRIVILEGES) no longer give a role what the model says on the objects another role creates", "ALTER DEFAULT PRIVILEGES FOR ROLE ... [IN SCHEMA ...] GRANT ... TO ...",
		"nothing fails today; the next table (sequence, function) the migrator creates fails with 42501 for the application, on the deploy that adds it"},
	{UnsafeSecurityDefiner, Error, "a SECURITY DEFINER function of the model has no search_path of its own, or PUBLIC may execute it and the model does not grant that", "ALTER FUNCTION ... SET search_path = pg_catalog, ...; REVOKE EXECUTE ON FUNCTION ... FROM PUBLIC",
		"it runs with its owner's privileges (often the tables' owner, who bypasses RLS): without a pinned search_path a caller can shadow what it calls, and EXECUTE by PUBLIC lets every role call it: the classic privilege escalation of RLS helper functions"},

	// The dry run of the application's queries.
	{RunAsUnavailable, Error, "the role a query runs as does not exist, or the checking user cannot assume it", "GRANT the role to the checking user, or connect as the application's user",
		"the queries cannot be checked as the application runs them"},
	{QueryError, Error, "an application query fails when prepared or planned: the application would load an empty policy", "fix the database (a migration) or the query",
		"the query fails"},
	{QueryResultMismatch, Error, "a query's result columns differ from the columns the application reads", "fix the query or the model's returns",
		"the scan fails"},
	{QueryParamMismatch, Error, "a query's parameters differ from the types the driver sends", "fix the query, the column types or the model's params",
		"the bind fails"},
	{QueryPermissionDenied, Error, "the query's role lacks a privilege the query needs", "GRANT the privilege to the role",
		"the query fails (42501)"},
	{RlsHidesAllRows, Error, "row-level security lets the query's role see no row of a relation the query reads", "CREATE POLICY for the role, or run as a role the policies cover",
		"the query returns nothing"},
	{QueryReturnedNoRows, Error, "a sample run returned no row where rows were expected: an empty policy for this principal", "check the sample arguments and the data, grants and policies",
		"the principal gets an empty policy"},
	{QueryReturnedRows, Warning, "a sample run returned rows where none were expected (an error for a sample with settings of its own: an isolation assertion)", "check the sample arguments, the data and the policies",
		"may be only the sample data, which a person should look at; a sample that states its own session (as tenant 2) asserts isolation, and rows there are another tenant's rows leaking"},

	// The migrations folder against the migration tool's history
	// (check --migrations): the root cause of the other findings.
	{MigrationPending, Error, "a migration of the folder has not run on this database", "run the tool's migrate command (the hint names it)",
		"the schema the code expects is not there: the other findings follow from it"},
	{MigrationUnknown, Warning, "the history records a migration the folder does not have: the database is ahead of this checkout, or another branch's migration ran", "deploy the code that holds it, or find out who ran it",
		"the database may be ahead of the code, which often still works; a person should look"},
	{MigrationModified, Error, "a migration file changed after it ran: the database holds what the old file did", "restore the file, or write a new migration for the change",
		"a fresh database built from the folder differs from this one"},
	{MigrationFailed, Error, "a migration failed, or left the history dirty: the tool refuses to go on", "fix what it left half done, then mark it resolved with the tool",
		"the schema is half migrated and the next deploy's migrate stops"},
	{MigrationHistoryMissing, Warning, "the tool's history table does not exist: no migration ran here, or the schema is managed by a push command", "run the migrations, or name the history table (migrations.table in the model)",
		"a push-managed schema has no history; the catalog findings still tell"},

	// Waivers.
	{ExpiredWaiver, Warning, "a waiver in the model is past its until date and no longer suppresses anything", "fix the finding, or renew the waiver with a reason",
		"the finding it covered is reported again with its own severity"},
}

var codeIndex = func() map[Code]int {
	m := make(map[Code]int, len(Codes))
	for i, c := range Codes {
		m[c.Code] = i
	}
	return m
}()

// Info returns the documentation of code; for a code that is not in
// [Codes], one with severity error and no summary.
func Info(code Code) CodeInfo {
	if i, ok := codeIndex[code]; ok {
		return Codes[i]
	}
	return CodeInfo{Code: code, Severity: Error}
}
