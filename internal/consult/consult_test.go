package consult_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

func TestLogValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		for _, c := range []struct {
			in    consult.Input
			words string
		}{
			{consult.Input{Channel: "fax", Kind: "tip", Summary: "x"}, "来源渠道"},
			{consult.Input{Channel: "hotline", Kind: "rumour", Summary: "x"}, "类别"},
			{consult.Input{Channel: "hotline", Kind: "tip", Summary: "  "}, "内容"},
			{consult.Input{Channel: "hotline", Kind: "tip", Summary: "x", AmountFen: -1}, "负数"},
		} {
			_, err := consult.Log(ctx, d, w.StA, w.Entry(w.OffA), c.in, w.Now)
			testworld.WantKind(t, err, domain.ErrInvalid, c.words)
		}
		// A place outside the officer's station is not found.
		_, err := consult.Log(ctx, d, w.StA, w.Entry(w.OffA), consult.Input{Channel: "walkin", Kind: "consult", Summary: "问询", AreaID: w.StB.ID}, w.Now)
		testworld.WantKind(t, err, domain.ErrNotFound, "")
	})
}

// A 96110 tip is logged without a person, listed in its station only, and
// converted once to a warning when the person at risk is known; the
// warning carries the tip's scam number and text.
func TestConvertToWarning(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id, err := consult.Log(ctx, d, w.StA, w.Entry(w.OffA), consult.Input{Channel: "hotline", Kind: "tip", CallerName: "李四",
			CallerPhone: "13800001111", Summary: "邻居老人接到自称公安的电话，要去银行转账", ScamPhone: "02112345678", FraudType: "police"}, w.Now)
		if err != nil {
			t.Fatal(err)
		}
		from, to := w.Now.Add(-time.Hour), w.Now.Add(time.Hour)
		if l, _ := consult.List(ctx, d, w.StB, from, to, ""); len(l) != 0 {
			t.Fatalf("station B lists %d consultations", len(l))
		}
		if l, _ := consult.List(ctx, d, w.Root, from, to, "open"); len(l) != 1 || l[0].ChannelLabel() != "96110" {
			t.Fatalf("county open list %+v", l)
		}
		_, err = consult.Convert(ctx, d, w.Intake, w.StA, w.Entry(w.OffA), id, warning.Person{Name: "王秀英"}, warning.GradeHigh, w.Now)
		testworld.WantKind(t, err, domain.ErrInvalid, "手机号或身份证号")
		_, err = consult.Convert(ctx, d, w.Intake, w.StB, w.Entry(w.OffB), id, warning.Person{Phone: "13900002222"}, warning.GradeHigh, w.Now)
		testworld.WantKind(t, err, domain.ErrNotFound, "")
		wid, err := consult.Convert(ctx, d, w.Intake, w.StA, w.Entry(w.OffA), id,
			warning.Person{Name: "王秀英", Phone: "13900002222", Address: "青石镇李家村"}, warning.GradeHigh, w.Now)
		if err != nil || wid == 0 {
			t.Fatalf("convert: %d %v", wid, err)
		}
		wr, err := warning.Get(ctx, d, w.StA, wid)
		if err != nil || wr.Source != warning.SourceHotline || wr.Scam.Phone != "02112345678" || wr.StationID != w.StA.ID || wr.AssigneeID != w.OffA.ID {
			t.Fatalf("warning %+v %v", wr, err)
		}
		again, err := consult.Convert(ctx, d, w.Intake, w.StA, w.Entry(w.OffA), id, warning.Person{Phone: "13900002222"}, warning.GradeHigh, w.Now)
		testworld.WantKind(t, err, domain.ErrConflict, "已转为预警")
		if again != wid {
			t.Fatalf("second conversion points at %d, want %d", again, wid)
		}
		testworld.WantKind(t, consult.Close(ctx, d, w.StA, w.Entry(w.OffA), id, w.Now), domain.ErrConflict, "")
		c, _ := consult.Get(ctx, d, w.StA, id)
		if c.Status != "converted" || c.WarningID != wid {
			t.Fatalf("consultation after conversion %+v", c)
		}
	})
}
