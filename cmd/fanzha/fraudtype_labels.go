package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"

	"github.com/fanzha/fanzha/internal/fraudtype"
)

// fraudtypeLabels exports the officers' confirmed and corrected fraud types
// with their texts as a training CSV (content,label), the format
// `fanzha fraudtype train DIR` reads — a centre retrains on its own cases.
func fraudtypeLabels(ctx context.Context, args []string) error {
	fs := newFlags("fraudtype labels")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	out := fs.String("out", "", "CSV file to write (default: standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	labels, err := fraudtype.Labels(ctx, d)
	if err != nil {
		return err
	}
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"content", "label"})
	for _, l := range labels {
		_ = cw.Write([]string{l.Text, l.Label})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(os.Stderr, "%d labelled texts written to %s\n", len(labels), *out)
	}
	return nil
}
