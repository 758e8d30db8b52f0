package pgtest

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Scratch creates a database on the test binary's server, as [NewDB] does,
// for code that has no testing.TB: a runnable Example. sqlFile, when not
// empty, is loaded into it. drop removes the database; [Main] stops the
// server as usual. An error says why there is no server, as [GetServer]
// would fail a test.
func Scratch(label, sqlFile string) (url string, drop func(), err error) {
	d := defaultDiscovery
	d.once.Do(d.run)
	if d.err != nil {
		return "", nil, d.err
	}
	s := d.server
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := connect(ctx, s.AdminURL)
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: Scratch: %v", err)
	}
	defer admin.Close(context.Background())
	var name string
	err = retryTaken(func() error {
		name = uniqueName("pgtest", label)
		_, err := admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: Scratch: creating database %s: %s", name, describe(err))
	}
	db := &DB{Name: name, URL: s.URL(name, "", ""), Server: s}
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if admin, err := connect(ctx, s.AdminURL); err == nil {
			_ = dropDatabase(ctx, admin, name)
			admin.Close(context.Background())
		}
	}
	if sqlFile != "" {
		b, err := os.ReadFile(sqlFile)
		if err == nil {
			err = db.exec(string(b), nil)
		}
		if err != nil {
			drop()
			return "", nil, fmt.Errorf("pgtest: Scratch: loading %s: %v", sqlFile, err)
		}
	}
	return db.URL, drop, nil
}
