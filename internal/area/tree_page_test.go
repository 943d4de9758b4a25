package area_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// LoadTree, which reads a large tree level by level, shows what folding the
// whole tree shows — the same rows, children counts, stations and fold
// marks for every node opened, with and without retired nodes — and the
// whole tree's counts; a small tree is read whole.
func TestLoadTreeFoldsLevelByLevel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		prov, _ := newProvince(t, d)
		file := head +
			"439901,439900,县,清河县,,,,,\n" +
			"439902,439900,区,城关区,,,,,\n" +
			"439901-S1,439901,派出所,城南派出所,,,,,\n" +
			"439901-S2,439901,派出所,城北派出所,,,,,\n" +
			"439901-T1,439901-S1,街道,清源街道,,,,,\n" +
			"439901-V1,439901-T1,社区,桂香社区,,1000,200,150,120\n" +
			"439901-V2,439901-T1,村,石门村,,500,100,80,60\n" +
			"439901-V2-C1,439901-V2,网格,一网格,,,,,\n" +
			"439902-S1,439902,派出所,城关派出所,,,,,\n" +
			"439902-T1,439902-S1,镇,青石镇,,,,,\n" +
			"438800,,市,临江市,,,,,\n" +
			"438801,438800,县,江口县,,,,,\n"
		if rep, err := importBytes(t, d, prov, "p.csv", []byte(file)); err != nil {
			t.Fatalf("import: %v %+v", err, rep.Errors)
		}
		if _, err := area.Retire(ctx, d, prov, auditor(), byCode(t, d, "439901-V1").ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		all, err := area.Tree(ctx, d, prov, true)
		if err != nil {
			t.Fatal(err)
		}
		show := func(rows []area.TreeRow) string {
			var b strings.Builder
			for _, r := range rows {
				fmt.Fprintf(&b, "%s/%d/%d/%s", r.Code, r.Depth, r.Children, r.Station)
				if r.Folded {
					b.WriteString("+")
				}
				b.WriteString(" ")
			}
			return b.String()
		}
		for _, withRetired := range []bool{false, true} {
			var rows []area.TreeRow
			for _, r := range all {
				if withRetired || !r.Retired {
					rows = append(rows, r)
				}
			}
			small, err := area.LoadTree(ctx, d, prov, withRetired, 1000, 2, 0)
			if err != nil {
				t.Fatal(err)
			}
			if small.Folded || show(small.Rows) != show(rows) {
				t.Errorf("small tree (retired %v): folded %v\n%s\nwant\n%s", withRetired, small.Folded, show(small.Rows), show(rows))
			}
			for _, code := range []string{"", "439901", "439901-S1", "439901-T1", "439901-V2", "439901-V2-C1", "439901-V1", "438801"} {
				var open int64
				if code != "" {
					open = byCode(t, d, code).ID
				}
				got, err := area.LoadTree(ctx, d, prov, withRetired, 3, 2, open)
				if err != nil {
					t.Fatal(err)
				}
				if want := show(area.Fold(rows, 2, open)); !got.Folded || show(got.Rows) != want {
					t.Errorf("retired %v, open %s: folded %v\n%s\nwant\n%s", withRetired, code, got.Folded, show(got.Rows), want)
				}
				if fmt.Sprint(got.Counts) != fmt.Sprint(area.Counts(all)) {
					t.Errorf("counts %v, want %v", got.Counts, area.Counts(all))
				}
			}
		}
	})
}
