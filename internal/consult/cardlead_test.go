package consult_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// A walk-in tip naming the account and the number a scammer used becomes a
// 断卡 lead with one click: both are labelled mules in 两卡研判 with the
// tip's reference, once; the tip is then 已转断卡线索 and may still become
// a warning when a person at risk appears. A tip without a number is
// refused, another station's tip is not found, a closed one is refused.
func TestConvertToCardLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		log := func(in consult.Input) int64 {
			t.Helper()
			id, err := consult.Log(ctx, d, w.StA, w.Entry(w.OffA), in, w.Now)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		id := log(consult.Input{Channel: "walkin", Kind: "tip", CallerName: "张三", Summary: "有人在村口高价收购银行卡，说是帮忙走流水",
			ScamAccount: "6222020000001234", ScamPhone: "17100001111"})
		bare := log(consult.Input{Channel: "hotline", Kind: "consult", Summary: "咨询如何识别冒充客服"})

		_, err := consult.ConvertToCardLead(ctx, d, w.StB, w.Entry(w.OffB), id, w.Now)
		testworld.WantKind(t, err, domain.ErrNotFound, "")
		_, err = consult.ConvertToCardLead(ctx, d, w.StA, w.Entry(w.OffA), bare, w.Now)
		testworld.WantKind(t, err, domain.ErrRule, "涉诈账号或涉诈号码")

		lead, err := consult.ConvertToCardLead(ctx, d, w.StA, w.Entry(w.OffA), id, w.Now)
		if err != nil || lead.Account != "6222020000001234" || lead.Phone != "17100001111" {
			t.Fatalf("lead %+v %v", lead, err)
		}
		for kind, subject := range map[string]string{intel.KindAccount: lead.Account, intel.KindPhone: lead.Phone} {
			labels, err := intel.Labels(ctx, d, kind)
			if err != nil || !labels[subject] {
				t.Fatalf("%s %s not labelled a mule: %v %v", kind, subject, labels, err)
			}
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM intel_labels WHERE note LIKE ?`, "%ZX-%"); n != 2 {
			t.Fatalf("%d labels carry the tip's reference, want 2", n)
		}
		_, err = consult.ConvertToCardLead(ctx, d, w.StA, w.Entry(w.OffA), id, w.Now.Add(time.Minute))
		testworld.WantKind(t, err, domain.ErrConflict, "断卡线索")
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM intel_labels`); n != 2 {
			t.Fatalf("%d labels after a second click, want 2", n)
		}
		c, _ := consult.Get(ctx, d, w.StA, id)
		if c.Status != "lead" || consult.StatusName(c.Status) != "已转断卡线索" || !c.LeadAt.Equal(w.Now) {
			t.Fatalf("tip after the lead: %+v", c)
		}
		// The person at risk appears: the same tip becomes a warning too.
		wid, err := consult.Convert(ctx, d, w.Intake, w.StA, w.Entry(w.OffA), id,
			warning.Person{Name: "李大爷", Phone: "13900003333", Address: "青石镇李家村"}, warning.GradeHigh, w.Now)
		if err != nil || wid == 0 {
			t.Fatalf("warning after the lead: %d %v", wid, err)
		}
		if c, _ := consult.Get(ctx, d, w.StA, id); c.Status != "converted" || c.LeadAt.IsZero() {
			t.Fatalf("tip after both: %+v", c)
		}
		// A closed tip gives no lead.
		closed := log(consult.Input{Channel: "online", Kind: "tip", Summary: "网友举报涉诈号码", ScamPhone: "17100002222"})
		if err := consult.Close(ctx, d, w.StA, w.Entry(w.OffA), closed, w.Now); err != nil {
			t.Fatal(err)
		}
		_, err = consult.ConvertToCardLead(ctx, d, w.StA, w.Entry(w.OffA), closed, w.Now)
		testworld.WantKind(t, err, domain.ErrConflict, "已办结")
	})
}
