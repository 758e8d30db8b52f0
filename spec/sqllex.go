package spec

import "github.com/rbacdrift/rbacdrift/internal/sqllex"

// The SQL lexer lives in package sqllex; these names are kept for the code
// that still says spec.Tokenize while it moves over.
type (
	// Token is [sqllex.Token].
	Token = sqllex.Token
	// TokenKind is [sqllex.TokenKind].
	TokenKind = sqllex.TokenKind
)

// The token kinds, as [sqllex] names them.
const (
	TokIdent  = sqllex.TokIdent
	TokQuoted = sqllex.TokQuoted
	TokParam  = sqllex.TokParam
	TokOther  = sqllex.TokOther
)

// Tokenize is [sqllex.Tokenize].
func Tokenize(sql string) ([]Token, bool) { return sqllex.Tokenize(sql) }

// FirstKeyword is [sqllex.FirstKeyword].
func FirstKeyword(sql string) string { return sqllex.FirstKeyword(sql) }
