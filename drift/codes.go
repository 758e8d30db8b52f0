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
