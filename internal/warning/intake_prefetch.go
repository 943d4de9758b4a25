package warning

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// Intake reads what a batch needs to know about the past — which warnings
// are stored already, the open warnings of the same people, their earlier
// warnings, scam contacts already in cases — with a few IN-list queries per
// batch instead of several queries per warning. Inside the batch the same
// maps are updated as warnings are taken, so warnings about one person in
// one batch merge with each other.

const prefetchChunk = 400

type dupInfo struct {
	id, mergedInto int64
}

// prefetch fills the batch's maps for the given warnings.
func (b *batch) prefetch(ctx context.Context, items []*normalized) error {
	b.known = map[string]dupInfo{}
	b.hist = map[string][]int64{}
	b.scamPhone = map[string]bool{}
	b.scamAccount = map[string]bool{}
	var refs, phones, ids, sphones, saccts []string
	seen := map[string]bool{}
	add := func(list *[]string, kind, v string) {
		if v == "" || seen[kind+v] {
			return
		}
		seen[kind+v] = true
		*list = append(*list, v)
	}
	minRecv := int64(1<<62 - 1)
	for _, n := range items {
		add(&refs, "r", n.SourceRef)
		add(&phones, "p", n.Person.Phone)
		add(&ids, "i", n.Person.IDNumber)
		add(&sphones, "s", n.Scam.Phone)
		add(&saccts, "a", n.Scam.Account)
		if r := db.Millis(n.ReceivedAt); r < minRecv {
			minRecv = r
		}
	}
	since := minRecv - int64(90*24*time.Hour/time.Millisecond)
	// Duplicates, by source so the (source, source_ref) index is used.
	refsBySource := map[Source][]string{}
	for _, n := range items {
		refsBySource[n.Source] = append(refsBySource[n.Source], n.SourceRef)
	}
	for src, list := range refsBySource {
		err := b.inList(ctx, `SELECT id, source_ref, COALESCE(merged_into, 0) FROM warnings WHERE source = ? AND source_ref IN (%s)`, list, []any{src},
			func(sc func(...any) error) error {
				var d dupInfo
				var ref string
				if err := sc(&d.id, &ref, &d.mergedInto); err != nil {
					return err
				}
				b.known[string(src)+"|"+ref] = d
				return nil
			})
		if err != nil {
			return fmt.Errorf("prefetch duplicates: %w", err)
		}
	}
	openCols := `id, grade, priority, COALESCE(contact_due_at, 0), COALESCE(last_intake_at, received_at),
		COALESCE(last_contact_at, 0), COALESCE(station_id, 0), COALESCE(assignee_id, 0)`
	for _, spec := range []struct {
		col  string
		keys []string
		into map[string]*openWarning
	}{{"person_phone", phones, b.byPhone}, {"person_id_number", ids, b.byID}} {
		spec := spec
		// The status and the order are applied in Go: on the person index
		// alone the plan stays the same however many warnings are open
		// (PostgreSQL otherwise walked the open-warnings index or the
		// primary key as the table grew: 300 ms a batch at 100,000 rows).
		err := b.inList(ctx, `SELECT `+spec.col+`, status, `+openCols+` FROM warnings WHERE `+spec.col+` IN (%s)`,
			spec.keys, nil, func(sc func(...any) error) error {
				var key, status string
				var ow openWarning
				if err := sc(&key, &status, &ow.id, &ow.grade, &ow.priority, &ow.contactDue, &ow.lastIntake, &ow.lastContact, &ow.stationID, &ow.assigneeID); err != nil {
					return err
				}
				if status != "open" {
					return nil
				}
				if cur, dup := spec.into[key]; !dup || ow.id < cur.id { // the oldest open warning is the primary
					spec.into[key] = &ow
				}
				return nil
			})
		if err != nil {
			return fmt.Errorf("prefetch open warnings: %w", err)
		}
		// Filtering the time in Go keeps the planner on the person index
		// (a person has few warnings; the county has many recent ones).
		err = b.inList(ctx, `SELECT `+spec.col+`, received_at FROM warnings WHERE `+spec.col+` IN (%s)`,
			spec.keys, nil, func(sc func(...any) error) error {
				var key string
				var at int64
				if err := sc(&key, &at); err != nil {
					return err
				}
				if at >= since {
					b.hist[spec.col+key] = append(b.hist[spec.col+key], at)
				}
				return nil
			})
		if err != nil {
			return fmt.Errorf("prefetch earlier warnings: %w", err)
		}
	}
	// The same open warning must be one object whether found by phone or
	// by ID, so merges through either key update it once.
	for k, ow := range b.byID {
		for _, po := range b.byPhone {
			if po.id == ow.id {
				b.byID[k] = po
				break
			}
		}
	}
	err := b.inList(ctx, `SELECT DISTINCT scam_phone FROM warnings WHERE case_id IS NOT NULL AND scam_phone IN (%s)`, sphones, nil,
		func(sc func(...any) error) error {
			var p string
			if err := sc(&p); err != nil {
				return err
			}
			b.scamPhone[p] = true
			return nil
		})
	if err != nil {
		return fmt.Errorf("prefetch scam numbers: %w", err)
	}
	err = b.inList(ctx, `SELECT DISTINCT to_account FROM case_transfers WHERE to_account IN (%s)`, saccts, nil,
		func(sc func(...any) error) error {
			var a string
			if err := sc(&a); err != nil {
				return err
			}
			b.scamAccount[a] = true
			return nil
		})
	if err != nil {
		return fmt.Errorf("prefetch scam accounts: %w", err)
	}
	b.prefetched = true
	return nil
}

// inList runs query (with %s where the IN list goes, after the fixed
// leading args) for the keys in chunks and calls row for each result row.
func (b *batch) inList(ctx context.Context, query string, keys []string, lead []any, row func(scan func(...any) error) error) error {
	pg := b.tx.Dialect() == db.Postgres
	size := prefetchChunk
	if pg {
		size = 10 * prefetchChunk
	}
	for start := 0; start < len(keys); start += size {
		chunk := keys[start:min(start+size, len(keys))]
		args := make([]any, 0, len(lead)+len(chunk))
		args = append(args, lead...)
		var q string
		if pg {
			// One array parameter: the same statement whatever the
			// number of keys, so PostgreSQL plans it once instead of
			// estimating every constant of a new IN list each batch
			// (200–300 ms per batch of 5,000 warnings).
			q = strings.Replace(query, " IN (%s)", " = ANY(?)", 1)
			args = append(args, chunk)
		} else {
			marks := strings.Repeat("?,", len(chunk))
			q = fmt.Sprintf(query, marks[:len(marks)-1])
			for _, k := range chunk {
				args = append(args, k)
			}
		}
		rows, err := b.tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// priorCount is the number of earlier warnings about the person in the 90
// days before at (stored ones and those taken earlier in this batch).
func (b *batch) priorCount(n *normalized) int {
	key := "person_phone" + n.Person.Phone
	if n.Person.Phone == "" {
		key = "person_id_number" + n.Person.IDNumber
	}
	at := db.Millis(n.ReceivedAt)
	since := at - int64(90*24*time.Hour/time.Millisecond)
	c := 0
	for _, t := range b.hist[key] {
		if t >= since && t <= at {
			c++
		}
	}
	return c
}

func (b *batch) remember(n *normalized) {
	at := db.Millis(n.ReceivedAt)
	if n.Person.Phone != "" {
		b.hist["person_phone"+n.Person.Phone] = append(b.hist["person_phone"+n.Person.Phone], at)
	}
	if n.Person.IDNumber != "" {
		b.hist["person_id_number"+n.Person.IDNumber] = append(b.hist["person_id_number"+n.Person.IDNumber], at)
	}
}
