package warning

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/fraudtype"
)

// A warning that comes without a type gets the classifier's suggestion;
// one with a type keeps it; an officer's correction is kept as a label.
func TestFraudTypeSuggestionAndCorrection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		untyped := sample("FT-1", "13800005001", "青石镇李家村")
		untyped.FraudType = ""
		untyped.Text = "对方自称市公安局民警，说我的身份证涉嫌洗钱案件，要求把存款转到安全账户接受资金审查"
		typed := sample("FT-2", "13800005002", "青石镇李家村")
		typed.FraudType = "rebate"
		res, err := c.intake.Submit(ctx, []Input{untyped, typed}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w1, _ := Get(ctx, d, c.root, res.Items[0].ID)
		if w1.FraudType != "police" || w1.FraudTypeSource != "model" || w1.FraudTypePermille < 500 {
			t.Fatalf("suggested type: %q from %q at %d‰", w1.FraudType, w1.FraudTypeSource, w1.FraudTypePermille)
		}
		w2, _ := Get(ctx, d, c.root, res.Items[1].ID)
		if w2.FraudType != "rebate" || w2.FraudTypeSource != "sender" {
			t.Fatalf("sender's type: %q from %q", w2.FraudType, w2.FraudTypeSource)
		}
		if err := SetFraudType(ctx, d, c.actor(c.offB), w1.ID, "screen_share", c.now); err == nil {
			t.Fatal("another station's officer corrected the type")
		}
		if err := SetFraudType(ctx, d, c.actor(c.offA1), w1.ID, "不存在", c.now); err == nil {
			t.Fatal("a type outside the taxonomy was accepted")
		}
		if err := SetFraudType(ctx, d, c.actor(c.offA1), w1.ID, "共享屏幕", c.now); err != nil {
			t.Fatal(err)
		}
		w1, _ = Get(ctx, d, c.root, w1.ID)
		if w1.FraudType != "screen_share" || w1.FraudTypeSource != "officer" {
			t.Fatalf("after correction: %q from %q", w1.FraudType, w1.FraudTypeSource)
		}
		labels, err := fraudtype.Labels(ctx, d)
		if err != nil || len(labels) != 1 || labels[0].Label != "screen_share" || labels[0].Text != untyped.Text {
			t.Fatalf("labels: %+v %v", labels, err)
		}
	})
}
