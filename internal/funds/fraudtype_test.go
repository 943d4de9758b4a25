package funds

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func TestCaseFraudTypeSuggestedAndCorrected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := area.Node{Level: area.County, Code: "C", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		st := area.Node{ParentID: root.ID, Level: area.Station, Code: "S", Name: "青石派出所"}
		if err := area.Create(ctx, d, &st); err != nil {
			t.Fatal(err)
		}
		other := area.Node{ParentID: root.ID, Level: area.Station, Code: "T", Name: "城关派出所"}
		if err := area.Create(ctx, d, &other); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
		narrative := "受害人在网上看到刷单兼职广告，按客服要求做点赞返佣任务，先收到小额返利，后被要求垫付大额任务款才能提现，共转账3万元"
		id, _, err := CreateCase(ctx, d, NewCase{AreaID: st.ID, StationID: st.ID, Summary: narrative,
			Victims: []NewVictim{{Name: "张三", LossFen: 3_000_000}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		c, err := GetCase(ctx, d, root, id)
		if err != nil || c.FraudType != "rebate" {
			t.Fatalf("suggested type %q (%v)", c.FraudType, err)
		}
		who := auth.AuditEntry{Username: "inv"}
		if err := SetCaseFraudType(ctx, d, other, who, 0, id, "parttime", now); err == nil {
			t.Fatal("another station corrected the case")
		}
		if err := SetCaseFraudType(ctx, d, st, who, 0, id, "网络兼职", now); err != nil {
			t.Fatal(err)
		}
		var label, text string
		_ = d.QueryRow(ctx, `SELECT label, text FROM fraudtype_labels WHERE object_type = 'case' AND object_id = ?`, id).Scan(&label, &text)
		if label != "parttime" || text != narrative {
			t.Fatalf("label %q text %q", label, text)
		}
	})
}
