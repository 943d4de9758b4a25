package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// fanzha roster import: a file with a bad row exits non-zero and imports
// nothing; a good one imports; export writes the same columns back.
func TestRosterCLI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	root := area.Node{Level: area.County, Code: "330000", Name: "云溪县"}
	if err := area.Create(ctx, d, &root); err != nil {
		t.Fatal(err)
	}
	st := area.Node{ParentID: root.ID, Level: area.Station, Code: "S1", Name: "青石派出所"}
	if err := area.Create(ctx, d, &st); err != nil {
		t.Fatal(err)
	}
	for _, u := range []auth.NewUser{{Username: "a1", Role: auth.RoleDissuader, AreaID: st.ID}, {Username: "duty1", Role: auth.RoleDuty, AreaID: root.ID}} {
		if _, err := auth.CreateUser(ctx, d, u); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("用户名,开始,结束\na1,2026-12-08 08:00,2026-12-08 16:00\nghost,2026-12-08 08:00,2026-12-08 16:00\n"), 0o600)
	if rc := run(ctx, []string{"roster", "import", "--data", dir, bad}); rc == 0 {
		t.Fatal("import with a bad row exited 0")
	}
	good := filepath.Join(dir, "good.csv")
	_ = os.WriteFile(good, []byte("用户名,开始,结束,岗位\na1,2026-12-08 08:00,2026-12-08 16:00,劝阻\nduty1,2026-12-08 08:00,2026-12-08 20:00,\n"), 0o600)
	if rc := run(ctx, []string{"roster", "import", "--data", dir, good}); rc != 0 {
		t.Fatalf("good import exited %d", rc)
	}
	out := filepath.Join(dir, "out.csv")
	if rc := run(ctx, []string{"roster", "export", "--data", dir, "--from", "2026-12-08", "--days", "1", "--out", out}); rc != 0 {
		t.Fatalf("export exited %d", rc)
	}
	b, _ := os.ReadFile(out)
	for _, w := range []string{"用户名,开始,结束,岗位,所属", "a1,2026-12-08 08:00,2026-12-08 16:00,劝阻,S1", "duty1,2026-12-08 08:00,2026-12-08 20:00,值班,330000"} {
		if !strings.Contains(string(b), w) {
			t.Errorf("export lacks %q:\n%s", w, b)
		}
	}
	if rc := run(ctx, []string{"roster", "export", "--data", dir, "--out", filepath.Join(dir, "out.xlsx")}); rc != 0 {
		t.Fatalf("xlsx export exited %d", rc)
	}
}
