package warning

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func timeline(t *testing.T, d *db.DB, id int64) string {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT detail FROM warning_events WHERE warning_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// A bank's fund warning whose 诈骗类型 is not the taxonomy's exact name is
// stored: a synonym maps to its type, an unknown name is kept as 其他 or the
// classifier's guess, each with a note saying what the sender gave.
func TestIntakeNeverDropsWarningForItsFraudType(t *testing.T) {
	cases := []struct {
		given, text string
		want        string
		source      string
		note        string
	}{
		{"investment", "", "investment", "sender", ""},
		{"虚假网络投资理财", "", "investment", "sender", ""},
		{"虚假投资理财", "", "investment", "sender", "来文诈骗类型“虚假投资理财”按同义词表归为虚假网络投资理财"},
		{"杀猪盘", "", "investment", "sender", "按同义词表归为虚假网络投资理财"},
		{"冒充公安类诈骗", "", "police", "sender", "按同义词表归为冒充公检法"},
		{"新型案件A7", "客户称对方自称公安局民警，说他涉嫌洗钱，要求把钱转到安全账户配合资金清查", "police", "model", "诈骗类型按分类器推断：来文为“新型案件A7”"},
		{"某某新型", "", "other", "sender", "来文诈骗类型“某某新型”不在分类表中，暂记为其他"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		for i, tc := range cases {
			in := Input{Source: SourceBank, SourceRef: fmt.Sprintf("B-%d", i), Grade: GradeFund, FraudType: tc.given,
				Person:    Person{Name: "李建国", Phone: fmt.Sprintf("139000000%02d", i), Address: "云溪县青石镇李家村"},
				AmountFen: 5_000_000, Text: tc.text}
			res, err := c.intake.Submit(ctx, []Input{in}, SubmitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			it := res.Items[0]
			if it.Status != ItemCreated {
				t.Fatalf("%q: %+v — the person at risk was not stored", tc.given, it)
			}
			w, err := Get(ctx, d, c.root, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if w.FraudType != tc.want || w.FraudTypeSource != tc.source {
				t.Errorf("%q: type %q (%s), want %q (%s)", tc.given, w.FraudType, w.FraudTypeSource, tc.want, tc.source)
			}
			if tc.source == "model" && w.FraudTypePermille < 500 {
				t.Errorf("%q: model guess without its probability: %d", tc.given, w.FraudTypePermille)
			}
			tl := timeline(t, d, it.ID)
			if tc.note != "" && !strings.Contains(tl, tc.note) {
				t.Errorf("%q: timeline lacks %q:\n%s", tc.given, tc.note, tl)
			}
			if tc.note == "" && strings.Contains(tl, "诈骗类型") {
				t.Errorf("%q: exact type with a note:\n%s", tc.given, tl)
			}
		}
	})
}

// FuzzSubmitFraudType: no fraud-type string makes Submit reject a warning
// that is otherwise good.
func FuzzSubmitFraudType(f *testing.F) {
	for _, s := range []string{"虚假投资理财", "杀猪盘", "其他", "", "\x00", "\xff\xfe", strings.Repeat("诈", 300), "police", "冒充公检法类"} {
		f.Add(s)
	}
	d := dbtest.SQLite(f)
	var c *testCounty
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, given string) {
		if c == nil {
			c = newTestCounty(t, d)
		}
		i := n.Add(1)
		in := Input{Source: SourceBank, SourceRef: fmt.Sprintf("F-%d", i), Grade: GradeFund, FraudType: given,
			Person: Person{Phone: fmt.Sprintf("137%08d", i), Address: "云溪县青石镇李家村"}, Text: given}
		res, err := c.intake.Submit(context.Background(), []Input{in}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if it := res.Items[0]; it.Status != ItemCreated && it.Status != ItemMerged {
			t.Fatalf("fraud type %q: %+v", given, it)
		}
	})
}
