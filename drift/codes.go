package drift

// A Code names a kind of finding. Codes are stable: tools and waivers
// depend on them. Every code is a constant below and has a row in [Codes].
type Code string

// The finding codes.
const (
	MissingTable          Code = "missing-table"
	WrongRelationKind     Code = "wrong-relation-kind"
	MissingColumn         Code = "missing-column"
	TypeMismatch          Code = "type-mismatch"
	NullabilityMismatch   Code = "nullability-mismatch"
	DefaultMismatch       Code = "default-mismatch"
	IdentityMismatch      Code = "identity-mismatch"
	UnexpectedColumn      Code = "unexpected-column"
	ForbiddenColumn       Code = "forbidden-column"
	PrimaryKeyMismatch    Code = "primary-key-mismatch"
	MissingUnique         Code = "missing-unique"
	MissingForeignKey     Code = "missing-foreign-key"
	ForeignKeyMismatch    Code = "foreign-key-mismatch"
	MissingIndex          Code = "missing-index"
	IndexMismatch         Code = "index-mismatch"
	MissingEnum           Code = "missing-enum"
	EnumLabelMissing      Code = "enum-label-missing"
	EnumLabelUnexpected   Code = "enum-label-unexpected"
	EnumLabelOrder        Code = "enum-label-order"
	MissingPrivilege      Code = "missing-privilege"
	UnexpectedPrivilege   Code = "unexpected-privilege"
	RlsMismatch           Code = "rls-mismatch"
	MissingPolicy         Code = "missing-policy"
	PolicyMismatch        Code = "policy-mismatch"
	RunAsUnavailable      Code = "run-as-unavailable"
	QueryError            Code = "query-error"
	QueryResultMismatch   Code = "query-result-mismatch"
	QueryParamMismatch    Code = "query-param-mismatch"
	QueryPermissionDenied Code = "query-permission-denied"
	RlsHidesAllRows       Code = "rls-hides-all-rows"
	QueryReturnedNoRows   Code = "query-returned-no-rows"
	QueryReturnedRows     Code = "query-returned-rows"
	ExpiredWaiver         Code = "expired-waiver"
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
	Severity Severity // the usual severity; some codes vary (unexpected-column follows extra_columns)
	Summary  string   // what it means, one line
	Fix      string   // how it is usually fixed
}

// Codes lists every finding code rbacdrift emits. Codes are stable: tools
// and waivers depend on them.
var Codes = []CodeInfo{
	{MissingTable, Error, "a declared table does not exist", "run the migration that creates it, or check the schema and the application's search_path"},
	{WrongRelationKind, Error, "the relation exists but is not of the declared kind (a view where a table is declared)", "restore the table, or declare the kind the application really uses"},
	{MissingColumn, Error, "a declared column does not exist", "run the migration that adds it; a look-alike column may mean a rename"},
	{TypeMismatch, Error, "a column's type differs from the declared type, as the server reads both", "alter the column type, or update the model and the code that binds it"},
	{NullabilityMismatch, Error, "a column is NULL-able where NOT NULL is declared, or the reverse", "ALTER COLUMN ... SET/DROP NOT NULL"},
	{DefaultMismatch, Warning, "a column's default differs from the declared one", "ALTER COLUMN ... SET/DROP DEFAULT"},
	{IdentityMismatch, Warning, "a column's identity or generation differs from the declared one", "ALTER COLUMN ... ADD/DROP IDENTITY"},
	{UnexpectedColumn, Warning, "a column exists that the model does not declare (severity follows extra_columns)", "declare it, drop it, or set extra_columns: ignore"},
	{ForbiddenColumn, Error, "a column the model forbids (a legacy layout) still exists", "run the migration that replaces it"},
	{PrimaryKeyMismatch, Error, "the primary key is missing or covers other columns", "ALTER TABLE ... ADD PRIMARY KEY"},
	{MissingUnique, Error, "no unique constraint or unique index covers the declared columns", "ALTER TABLE ... ADD UNIQUE, or CREATE UNIQUE INDEX"},
	{MissingForeignKey, Error, "no foreign key on the declared columns", "ALTER TABLE ... ADD FOREIGN KEY"},
	{ForeignKeyMismatch, Error, "a foreign key on the declared columns references other columns or has other actions", "drop and re-create the foreign key"},
	{MissingIndex, Warning, "no index on the declared columns", "CREATE INDEX"},
	{IndexMismatch, Warning, "an index on the declared columns differs in uniqueness or predicate", "re-create the index"},
	{MissingEnum, Error, "a declared enum type does not exist (or the name is another kind of type)", "CREATE TYPE ... AS ENUM"},
	{EnumLabelMissing, Error, "a declared enum label does not exist: writing it fails", "ALTER TYPE ... ADD VALUE"},
	{EnumLabelUnexpected, Warning, "an enum has a label the model does not declare", "declare it in the model"},
	{EnumLabelOrder, Warning, "an enum's labels are in another order: comparisons and ORDER BY differ", "re-create the type in the declared order"},

	// Privileges and row-level security declared in the model.
	{MissingPrivilege, Error, "a role lacks a privilege the model grants it on a table", "GRANT ... ON ... TO ..."},
	{UnexpectedPrivilege, Warning, "a role holds a privilege on a table that the model does not grant it", "REVOKE it, or declare it"},
	{RlsMismatch, Error, "row-level security is enabled or forced where the model says otherwise", "ALTER TABLE ... ENABLE/DISABLE/FORCE ROW LEVEL SECURITY"},
	{MissingPolicy, Error, "a declared row-level security policy does not exist", "CREATE POLICY"},
	{PolicyMismatch, Error, "a policy's command, roles or expressions differ from the declared ones", "ALTER POLICY, or drop and re-create it"},

	// The dry run of the application's queries.
	{RunAsUnavailable, Error, "the role a query runs as does not exist, or the checking user cannot assume it", "GRANT the role to the checking user, or connect as the application's user"},
	{QueryError, Error, "an application query fails when prepared or planned: the application would load an empty policy", "fix the database (a migration) or the query"},
	{QueryResultMismatch, Error, "a query's result columns differ from the columns the application reads", "fix the query or the model's returns"},
	{QueryParamMismatch, Error, "a query's parameters differ from the types the driver sends", "fix the query, the column types or the model's params"},
	{QueryPermissionDenied, Error, "the query's role lacks a privilege the query needs", "GRANT the privilege to the role"},
	{RlsHidesAllRows, Error, "row-level security lets the query's role see no row of a relation the query reads", "CREATE POLICY for the role, or run as a role the policies cover"},
	{QueryReturnedNoRows, Error, "a sample run returned no row where rows were expected: an empty policy for this principal", "check the sample arguments and the data, grants and policies"},
	{QueryReturnedRows, Warning, "a sample run returned rows where none were expected", "check the sample arguments and the data"},

	// Waivers.
	{ExpiredWaiver, Warning, "a waiver in the model is past its until date and no longer suppresses anything", "fix the finding, or renew the waiver with a reason"},
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
