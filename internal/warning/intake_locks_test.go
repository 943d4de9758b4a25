package warning

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func TestPersonLockKeys(t *testing.T) {
	a := &normalized{Input: Input{Source: SourceUpper, SourceRef: "R-1", Person: Person{Phone: "13800000001"}}}
	b := &normalized{Input: Input{Source: SourceUpper, SourceRef: "R-2", Person: Person{Phone: "13800000001", IDNumber: "430102195801011235"}}}
	ka, kb := personLockKeys([]*normalized{a}), personLockKeys([]*normalized{b})
	if len(ka) != 2 || len(kb) != 3 {
		t.Fatalf("keys %v %v: want phone+ref, phone+id+ref", ka, kb)
	}
	common := 0
	for _, k := range ka {
		for _, l := range kb {
			if k == l {
				common++
			}
		}
	}
	if common == 0 {
		t.Fatal("two warnings about one phone share no lock")
	}
	both := personLockKeys([]*normalized{b, a})
	for i := 1; i < len(both); i++ {
		if both[i] <= both[i-1] {
			t.Fatalf("keys not ascending and distinct: %v", both)
		}
	}
	if !reflect.DeepEqual(personLockKeys([]*normalized{a, b}), both) {
		t.Fatal("keys depend on the order of the items")
	}
	if len(personLockKeys([]*normalized{{}})) != 0 {
		t.Fatal("an item with no person and no reference takes a lock")
	}
}

// Fifty people each warned twice at the same moment, once through each of
// two replicas on one PostgreSQL: every person ends with one open warning
// (the second merged into the first), as on one replica.
func TestTwoReplicasMergeOnePerson(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	c := newTestCounty(t, d)
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	in2, err := NewIntake(ctx, d2, DefaultPolicy(), c.intake.now)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		phone := fmt.Sprintf("1391111%04d", i)
		for k, in := range []*Intake{c.intake, in2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := in.Submit(ctx, []Input{sample(fmt.Sprintf("S%d-%d", k, i), phone, "青石镇李家村")}, SubmitOptions{})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var split int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM (SELECT person_phone FROM warnings WHERE merged_into IS NULL
		GROUP BY person_phone HAVING count(*) > 1) s`).Scan(&split); err != nil {
		t.Fatal(err)
	}
	if split != 0 {
		t.Fatalf("%d of %d people have two open warnings", split, n)
	}
}
