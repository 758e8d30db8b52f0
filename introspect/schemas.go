package introspect

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// ListSchemas returns the schemas matching any of the globs (* any run, ?
// one character), in one read-only unit: the tenant schemas of check
// --schemas.
func ListSchemas(ctx context.Context, conn *pgsession.Session, globs []string) ([]string, error) {
	likes := make([]string, len(globs))
	for i, g := range globs {
		likes[i] = globToLike(g)
	}
	var out []string
	err := conn.Read(ctx, func(q *pgsession.Queue) { q.Query(queryListSchemas, likes) }, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the schemas: %w", err)
	}
	return out, nil
}
