package stream

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/warning"
)

// A warning published with its instruction (level, number, issuer and the
// issuer's deadlines) registers the instruction as an imported file does:
// the level's source, the number as reference, the issuer's feedback
// deadline; resent, nothing doubles; an instruction with an unknown level
// is refused alone with the reason on fanzha.warnings.rejected, and the
// warning beside it in the same batch is taken.
func TestStreamRegistersInstruction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		root := area.Node{Level: area.County, Code: "S", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		if err := area.Create(ctx, d, &area.Node{ParentID: root.ID, Level: area.Station, Code: "S-1", Name: "青石派出所"}); err != nil {
			t.Fatal(err)
		}
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), nil)
		if err != nil {
			t.Fatal(err)
		}
		emb, err := StartEmbedded(t.TempDir(), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer emb.Shutdown()
		nc, err := Connect(emb.URL(), "test")
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		rejected := make(chan Rejection, 10)
		sub, _ := nc.Subscribe(SubjectRejected, func(m *nats.Msg) {
			var r Rejection
			_ = json.Unmarshal(m.Data, &r)
			rejected <- r
		})
		defer sub.Unsubscribe()
		if _, err := EnsureStream(ctx, js, 1, nil); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{
			`{"grade":"high","received_at":"2026-11-02T01:00:00Z","person":{"name":"王秀英","phone":"13800000301"},
			  "instruction":{"level":"ministry","number":"GB-1","issuer":"公安部反诈中心","sign_due":"2026-11-02T01:10:00Z","feedback_due":"2026-11-02T09:00:00Z"}}`,
			`{"received_at":"2026-11-02T01:00:00Z","person":{"phone":"13800000302"},"instruction":{"level":"中国移动","number":"YY-2"}}`,
			`{"received_at":"2026-11-02T01:00:00Z","person":{"phone":"13800000303"},"instruction":{"level":"乡镇","number":"BAD-3"}}`,
			`{"source":"operator","source_ref":"OP-4","person":{"phone":"13800000304"}}`,
			`{"grade":"high","received_at":"2026-11-02T01:00:00Z","person":{"name":"王秀英","phone":"13800000301"},
			  "instruction":{"level":"ministry","number":"GB-1","issuer":"公安部反诈中心"}}`,
		} {
			if _, err := js.Publish(ctx, SubjectIn, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		cctx, ccancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = (&Consumer{JS: js, NC: nc, Intake: in, DB: d, Batch: 10}).Run(cctx)
		}()
		select {
		case r := <-rejected:
			if !strings.Contains(r.Reason, "下发级别") {
				t.Fatalf("rejection: %+v", r)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the unknown level was not refused on " + SubjectRejected)
		}
		var n int
		for until := time.Now().Add(20 * time.Second); time.Now().Before(until); time.Sleep(50 * time.Millisecond) {
			_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM instructions`).Scan(&n)
			if n >= 2 {
				break
			}
		}
		time.Sleep(300 * time.Millisecond)
		ccancel()
		<-done
		var warnings int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings`).Scan(&warnings)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM instructions`).Scan(&n)
		if warnings != 3 || n != 2 {
			t.Fatalf("%d warnings and %d instructions, want 3 and 2", warnings, n)
		}
		for _, c := range []struct {
			number, level, source string
			sign, feedback        time.Time
		}{
			{"GB-1", "ministry", "upper", time.Date(2026, 11, 2, 1, 10, 0, 0, time.UTC), time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
			{"YY-2", "operator", "operator", time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)},
		} {
			var level, source, ref, issuer string
			var sign, fb int64
			if err := d.QueryRow(ctx, `SELECT i.level, i.issuer, w.source, w.source_ref, i.sign_due_at, i.feedback_due_at FROM instructions i
				JOIN warnings w ON w.id = i.warning_id WHERE i.number = ?`, c.number).Scan(&level, &issuer, &source, &ref, &sign, &fb); err != nil {
				t.Fatalf("%s: %v", c.number, err)
			}
			if level != c.level || source != c.source || ref != c.number || !db.Time(sign).Equal(c.sign) || !db.Time(fb).Equal(c.feedback) {
				t.Errorf("%s: %s %s %s sign %v feedback %v; want %s %s %v %v", c.number, level, source, ref, db.Time(sign), db.Time(fb),
					c.level, c.source, c.sign, c.feedback)
			}
		}
	})
}
