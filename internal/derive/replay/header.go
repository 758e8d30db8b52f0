package replay

import "fmt"

// Header returns the first line of the model derived from p: where it came
// from.
func Header(p *Plan) string {
	n := fmt.Sprintf("%d migrations", len(p.Migrations))
	if len(p.Migrations) == 1 {
		n = "1 migration"
	}
	if p.platform != nil {
		n += "; " + p.platform.about
	}
	return fmt.Sprintf("model derived from migrations in %s (%s, %s) by rbacdrift", p.Dir, p.Tool, n)
}
