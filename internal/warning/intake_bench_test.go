package warning_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/warning"
)

// BenchmarkIntakeBatch measures the whole pipeline (validate, dedupe,
// merge, score, route, assign, durable commit) on the demo county, in
// batches of 1,000 warnings. warnings/s = 1000 / (ns/op / 1e9).
func BenchmarkIntakeBatch(b *testing.B) { benchIntakeBatch(b, dbtest.SQLite(b)) }

// BenchmarkIntakeBatchPostgres: the same on PostgreSQL (FANZHA_TEST_POSTGRES).
func BenchmarkIntakeBatchPostgres(b *testing.B) {
	if dbtest.PostgresURL() == "" {
		b.Skip("FANZHA_TEST_POSTGRES not set")
	}
	benchIntakeBatch(b, dbtest.Postgres(b))
}

func benchIntakeBatch(b *testing.B, d *db.DB) {
	ctx := context.Background()
	auth.BcryptCost = 4
	now := time.Now().UTC()
	if _, err := sim.Generate(ctx, d, sim.Options{Seed: 5, Now: now, Scale: 0.1}); err != nil {
		b.Fatal(err)
	}
	in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), nil)
	if err != nil {
		b.Fatal(err)
	}
	addrs := []string{"云溪县青石镇", "云溪县城关街道", "云溪县白沙镇", "广东省深圳市"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch := make([]warning.Input, 1000)
		for k := range batch {
			n := i*1000 + k
			batch[k] = warning.Input{Source: warning.SourceUpper, SourceRef: fmt.Sprintf("BB-%d", n), Grade: warning.GradeHigh,
				FraudType: "police", Person: warning.Person{Name: "测试", Phone: fmt.Sprintf("135%08d", n), Age: 66, Address: addrs[n%4]},
				Scam: warning.ScamContact{Phone: fmt.Sprintf("170%08d", n%5000)}}
		}
		if res, err := in.Submit(ctx, batch, warning.SubmitOptions{}); err != nil || res.Created+res.Merged != 1000 {
			b.Fatalf("%+v %v", res.Rejected, err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "warnings/s")
}
