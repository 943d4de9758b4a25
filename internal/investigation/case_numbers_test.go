package investigation_test

import (
	"context"
	"slices"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/investigation"
)

// Case numbers typed in the 串并案 form: any separator, each case once, in
// the order typed; a number outside the caller's jurisdiction is refused
// like one that does not exist.
func TestCaseIDsByNo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		a1, a2 := w.newCase(t, d, w.vA, t0), w.newCase(t, d, w.vA, t0) // AJ-00001, AJ-00002
		b := w.newCase(t, d, w.vB, t0)                                 // AJ-00003
		for _, c := range []struct {
			name, list string
			want       []int64
			err        error
			words      string
		}{
			{"commas and 顿号", "AJ-00002，AJ-00001", []int64{a2, a1}, nil, ""},
			{"lines and repeats", "AJ-00001\nAJ-00001 AJ-00002", []int64{a1, a2}, nil, ""},
			{"empty", " ， ", nil, domain.ErrInvalid, "请填写要串并的案件编号"},
			{"unknown", "AJ-00001、AJ-99999", nil, domain.ErrInvalid, "案件编号 AJ-99999 不存在或不在本辖区"},
			{"other station", "AJ-00003", nil, domain.ErrInvalid, "AJ-00003 不存在或不在本辖区"},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := investigation.CaseIDsByNo(ctx, d, w.stA, c.list)
				wantErr(t, err, c.err, c.words)
				if c.err == nil && !slices.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
		if got, err := investigation.CaseIDsByNo(ctx, d, w.root, "AJ-00003"); err != nil || !slices.Equal(got, []int64{b}) {
			t.Fatalf("the county sees station B's case: %v %v", got, err)
		}
	})
}
