package rbacdrift_test

import (
	"context"
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
