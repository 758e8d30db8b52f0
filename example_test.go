package rbacdrift_test

import (
	"context"
	"embed"
	"fmt"
	"log"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift"
)

// Check a database where the migration to role_permissions(role_id,
// permission_id, scope) never ran against the model of the current release,
// as a service would at start-up: refuse to serve when the check fails.
func Example() {
	url, drop := exampleDatabase("testdata/reference/legacy.sql") // a database of the test's own
	defer drop()
	ctx := context.Background()

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)

	model, err := rbacdrift.LoadModel("testdata/reference/normalised.yaml")
	if err != nil {
		log.Fatal(err) // names the file, line and field of each problem
	}
	rep, err := rbacdrift.Check(ctx, conn, model, rbacdrift.Options{})
	if err != nil {
		log.Fatal(err) // the check could not be done
	}
	if rep.Failed() {
		for _, f := range rep.Failing() {
			if f.Code == "query-error" {
				fmt.Printf("%s %s: %s\n", f.Code, f.Object, f.SQLState)
			}
		}
		fmt.Println("refusing to serve:", len(rep.Failing()), "findings fail the check")
	}
	// Output:
	// query-error query:resolve_user_permissions: 42703
	// refusing to serve: 9 findings fail the check
}

// The model, its migrations folder with it, compiled into the program: the
// model's migrations.dir (../migrations/drizzle-reference) is a path inside
// the embedded files. all: keeps drizzle's meta/_journal.json, which a
// plain pattern leaves out (a name starting with _).
//
//go:embed testdata/embed/rbacdrift.yaml all:testdata/migrations/drizzle-reference
var modelFiles embed.FS

// A service that embeds its model and its migrations: on a database where
// migration 0007 never ran, the check names it as the root cause of the
// findings it explains, as the command does.
func ExampleLoadModelFS() {
	// A database of the test's own: the legacy layout, and drizzle's
	// history of every migration but 0007.
	url, drop := exampleDatabase("testdata/reference/legacy.sql", "testdata/reference/legacy_drizzle_history.sql")
	defer drop()
	ctx := context.Background()

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)

	model, err := rbacdrift.LoadModelFS(modelFiles, "testdata/embed/rbacdrift.yaml")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := rbacdrift.Check(ctx, conn, model, rbacdrift.Options{})
	if err != nil {
		log.Fatal(err)
	}
	explained := map[string]int{}
	for _, f := range rep.Findings {
		if f.ExplainedBy != "" {
			explained[f.ExplainedBy]++
		}
	}
	for _, f := range rep.Failing() {
		if f.Code == "migration-pending" {
			fmt.Printf("root cause: %s (%s) explains %d findings\n", f.Object, f.File, explained[f.Object])
		}
	}
	// Output:
	// root cause: migration:0007_normalise_rbac (testdata/migrations/drizzle-reference/0007_normalise_rbac.sql) explains 10 findings
}
