package testworld

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// Victim is one recorded victim and the time (ms) their case was reported,
// read straight from the tables.
type Victim struct {
	Phone, IDNumber string
	ReportedAt      int64
}

// Victims lists every victim of every case: the plain-loop oracle that the
// dissuasion tests check the relapse counts against.
type Victims []Victim

// ReadVictims reads every victim with their case's report time.
func ReadVictims(t *testing.T, d *db.DB) Victims {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT v.phone, v.id_number, c.reported_at FROM victims v JOIN cases c ON c.id = v.case_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs Victims
	for rows.Next() {
		var v Victim
		if err := rows.Scan(&v.Phone, &v.IDNumber, &v.ReportedAt); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// Relapsed tells whether a person (phone or id number, either may be
// empty) dissuaded at outcomeAt (ms) is a victim of a case reported within
// after of it.
func (vs Victims) Relapsed(phone, idn string, outcomeAt int64, after time.Duration) bool {
	for _, v := range vs {
		same := (phone != "" && v.Phone == phone) || (idn != "" && v.IDNumber == idn)
		if same && v.ReportedAt >= outcomeAt && v.ReportedAt < outcomeAt+after.Milliseconds() {
			return true
		}
	}
	return false
}
