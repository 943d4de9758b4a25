package main

import (
	"context"
	"fmt"
	"os"
)

func init() {
	register("migrate", "apply database migrations and print the schema version", runMigrate)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	var v int64
	if err := d.QueryRow(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	fmt.Fprintf(os.Stdout, "schema version %d (%s)\n", v, d.Dialect)
	return nil
}
