package stream

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/warning"
)

// Warnings published on the stream are stored exactly once, even when the
// same warning is published twice or was already taken through the API; bad
// messages are refused with a reason on fanzha.warnings.rejected.
func TestStreamIntake(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		auth.BcryptCost = 4
		root := area.Node{Level: area.County, Code: "S", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		st := area.Node{ParentID: root.ID, Level: area.Station, Code: "S-1", Name: "青石派出所"}
		if err := area.Create(ctx, d, &st); err != nil {
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
		// One warning already taken through the API door.
		api := warning.Input{Source: warning.SourceUpper, SourceRef: "API-1", Person: warning.Person{Phone: "13800000000"}}
		if _, err := in.Submit(ctx, []warning.Input{api}, warning.SubmitOptions{Door: "api"}); err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = (&Consumer{JS: js, NC: nc, Intake: in, Batch: 50}).Run(cctx)
		}()
		if _, err := EnsureStream(ctx, js, 1, nil); err != nil {
			t.Fatal(err)
		}
		pub := func(v any) {
			b, _ := json.Marshal(v)
			if _, err := js.Publish(ctx, SubjectIn, b); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 200; i++ {
			pub(warning.Input{Source: warning.SourceOperator, SourceRef: "OP-" + itoa(i), Person: warning.Person{Phone: "139" + pad8(i)}})
		}
		pub(warning.Input{Source: warning.SourceOperator, SourceRef: "OP-7", Person: warning.Person{Phone: "13900000007"}}) // resent
		pub(api)                                                                                                            // already taken by the API
		if _, err := js.Publish(ctx, SubjectIn, []byte("not json")); err != nil {
			t.Fatal(err)
		}
		pub(warning.Input{Source: "nowhere", SourceRef: "BAD-1", Person: warning.Person{Phone: "13800000001"}})
		deadline := time.Now().Add(30 * time.Second)
		var n int
		for time.Now().Before(deadline) {
			_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM warnings").Scan(&n)
			if n >= 201 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if n != 201 {
			t.Fatalf("%d warnings stored, want 201 (200 from the stream + 1 from the API)", n)
		}
		for i := 0; i < 2; i++ {
			select {
			case r := <-rejected:
				if r.Reason == "" {
					t.Fatalf("rejection without reason: %+v", r)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("bad message not reported on " + SubjectRejected)
			}
		}
		time.Sleep(300 * time.Millisecond)
		_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM warnings").Scan(&n)
		if n != 201 {
			t.Fatalf("duplicates stored: %d warnings", n)
		}
		ccancel()
		<-done
	})
}

func itoa(i int) string { return pad(i, 1) }
func pad8(i int) string { return pad(i, 8) }

func pad(i, w int) string {
	s := ""
	for i > 0 {
		s = string(rune('0'+i%10)) + s
		i /= 10
	}
	for len(s) < w {
		s = "0" + s
	}
	return s
}
