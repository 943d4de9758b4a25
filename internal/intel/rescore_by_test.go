package intel

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A rescore asked for by a person scores the stored accounts and leaves an
// audit line saying who and how many.
func TestRescoreBy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		buildStoreWorld(t, d)
		who := auth.AuditEntry{Username: "analyst", Role: auth.RoleAnalyst, IP: "10.0.0.9"}
		res, err := RescoreBy(ctx, d, who, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if res.Accounts == 0 {
			t.Fatalf("rescored %+v, want the stored accounts", res)
		}
		var user, detail string
		if err := d.QueryRow(ctx, `SELECT username, detail FROM audit_log WHERE action = ? AND object_type = 'intel_scores'`, auth.AuditUpdate).Scan(&user, &detail); err != nil {
			t.Fatal(err)
		}
		if user != "analyst" || !strings.Contains(detail, "rescore: ") || !strings.Contains(detail, " accounts") {
			t.Errorf("audit line by %q: %q", user, detail)
		}
	})
}
