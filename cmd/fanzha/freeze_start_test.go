package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/partner"
)

// A freeze whose term ended while the server was down is lapsed by the
// watcher's first sweep, before startWorkers returns; --freeze-terms is
// checked, and the terms in force (under the flag) are stored.
func TestFreezeWatchAtStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := db.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	root := area.Node{Level: area.County, Code: "R", Name: "云溪县"}
	if err := area.Create(ctx, d, &root); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var caseID, id int64
	if err := d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, reported_at, created_at, updated_at) VALUES ('AJ-1',?,?,?,?) RETURNING id`,
		root.ID, db.Millis(now), db.Millis(now), db.Millis(now)).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	past := now.Add(-time.Hour)
	if err := d.QueryRow(ctx, `INSERT INTO partner_requests (kind, case_id, account, status, sent_at, confirmed_at, term_starts_at, expires_at, result_fen, created_at)
		VALUES ('freeze',?,'6217',?,?,?,?,?,100,?) RETURNING id`, caseID, "confirmed", db.Millis(past), db.Millis(past), db.Millis(past), db.Millis(past), db.Millis(past)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := (&workerFlags{freeze: "freeze=0mo"}).store(d); !errors.Is(err, errUsage) {
		t.Fatalf("bad --freeze-terms: %v", err)
	}
	st, err := (&workerFlags{freeze: "freeze=3mo"}).store(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := startFreezeWatch(ctx, d, st, "", log); err != nil {
		t.Fatal(err)
	}
	var status string
	_ = d.QueryRow(ctx, `SELECT status FROM partner_requests WHERE id = ?`, id).Scan(&status)
	if status != "lapsed" {
		t.Fatalf("status after start: %s", status)
	}
	terms, err := partner.LoadTerms(ctx, d)
	if err != nil || terms.Freeze.Months != 3 || terms.StopPayment.Dur != 48*time.Hour {
		t.Fatalf("stored terms: %+v %v", terms, err)
	}
}
