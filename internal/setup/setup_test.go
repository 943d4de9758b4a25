package setup

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

func init() { auth.BcryptCost = 4 }

func good() Params {
	return Params{CountyCode: "430102", CountyName: "芙蓉区", AdminUsername: "boss", AdminName: "王主任",
		Password: "Correct-horse-9", Password2: "Correct-horse-9"}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(p *Params)
		ok   bool
	}{
		{"good", func(p *Params) {}, true},
		{"county 县", func(p *Params) { p.CountyName = "云溪县" }, true},
		{"banner 旗", func(p *Params) { p.CountyName = "科尔沁右翼前旗"; p.CountyCode = "152221" }, true},
		{"autonomous county", func(p *Params) { p.CountyName = "城步苗族自治县"; p.CountyCode = "430529" }, true},
		{"five digits", func(p *Params) { p.CountyCode = "43010" }, false},
		{"letters", func(p *Params) { p.CountyCode = "43010a" }, false},
		{"no province 99", func(p *Params) { p.CountyCode = "990102" }, false},
		{"prefecture code", func(p *Params) { p.CountyCode = "430100" }, false},
		{"no suffix", func(p *Params) { p.CountyName = "芙蓉" }, false},
		{"suffix only", func(p *Params) { p.CountyName = "县" }, false},
		{"no admin", func(p *Params) { p.AdminUsername = " " }, false},
		{"space in username", func(p *Params) { p.AdminUsername = "a b" }, false},
		{"no password", func(p *Params) { p.Password, p.Password2 = "", "" }, false},
		{"passwords differ", func(p *Params) { p.Password2 = "Other-one-99" }, false},
		{"province", func(p *Params) { p.Level, p.CountyCode, p.CountyName = area.Province, "430000", "湖南省" }, true},
		{"autonomous region", func(p *Params) {
			p.Level, p.CountyCode, p.CountyName = area.Province, "450000", "广西壮族自治区"
		}, true},
		{"municipality", func(p *Params) { p.Level, p.CountyCode, p.CountyName = area.Province, "500000", "重庆市" }, true},
		{"province with a county code", func(p *Params) { p.Level, p.CountyCode, p.CountyName = area.Province, "430102", "湖南省" }, false},
		{"province with a prefecture code", func(p *Params) { p.Level, p.CountyCode, p.CountyName = area.Province, "430100", "湖南省" }, false},
		{"province named like a county", func(p *Params) { p.Level, p.CountyCode, p.CountyName = area.Province, "430000", "芙蓉区" }, false},
		{"county with a province code", func(p *Params) { p.CountyCode = "430000" }, false},
		{"city root", func(p *Params) { p.Level, p.CountyCode, p.CountyName = area.City, "430100", "长沙市" }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := good()
			c.edit(&p)
			_, err := p.Validate()
			if (err == nil) != c.ok {
				t.Fatalf("Validate: err=%v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
		})
	}
	for name, want := range map[string]string{"云溪县": "县", "芙蓉区": "区", "浏阳市": "市", "科尔沁右翼前旗": "旗", "城步苗族自治县": "县"} {
		if k, _, err := CountyKind(name); err != nil || k != want {
			t.Errorf("CountyKind(%s) = %q, %v; want %q", name, k, err, want)
		}
	}
}

func TestRunOnceAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
		need, err := Required(ctx, d)
		if err != nil || !need {
			t.Fatalf("Required on an empty database = %v, %v", need, err)
		}
		tok, err := IssueToken(ctx, d, now)
		if err != nil {
			t.Fatal(err)
		}
		tok2, err := IssueToken(ctx, d, now) // a second replica
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckToken(ctx, d, tok, now.Add(time.Hour)); err != nil {
			t.Fatalf("fresh token: %v", err)
		}
		if err := CheckToken(ctx, d, tok, now.Add(TokenTTL+time.Second)); !errors.Is(err, ErrBadToken) {
			t.Fatalf("expired token: %v", err)
		}
		if err := CheckToken(ctx, d, "nonsense", now); !errors.Is(err, ErrBadToken) {
			t.Fatalf("unknown token: %v", err)
		}
		// An expired token cannot run the setup, and nothing is created.
		if _, err := Run(ctx, d, good(), Options{Token: tok, Now: now.Add(25 * time.Hour)}); !errors.Is(err, ErrBadToken) {
			t.Fatalf("Run with an expired token: %v", err)
		}
		if need, _ := Required(ctx, d); !need {
			t.Fatal("a failed setup left a county behind")
		}
		// A weak password is refused by the auth rule, nothing created.
		weak := good()
		weak.Password, weak.Password2 = "short", "short"
		if _, err := Run(ctx, d, weak, Options{Token: tok, Now: now}); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("weak password: %v", err)
		}
		res, err := Run(ctx, d, good(), Options{Token: tok, Now: now.Add(time.Minute), Audit: auth.AuditEntry{IP: "10.0.0.1"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.County.Level != area.County || res.County.Kind != "区" || res.County.Aliases != "芙蓉" || res.County.Code != "430102" {
			t.Fatalf("county = %+v", res.County)
		}
		root, err := area.Root(ctx, d)
		if err != nil || root.ID != res.County.ID {
			t.Fatalf("root = %+v, %v", root, err)
		}
		u, err := auth.CheckPassword(ctx, d, "boss", "Correct-horse-9")
		if err != nil || u.Role != auth.RoleAdmin || u.AreaID != root.ID || u.DisplayName != "王主任" {
			t.Fatalf("admin = %+v, %v", u, err)
		}
		// Used and voided: neither token works any more; the path is closed.
		for _, tk := range []string{tok, tok2} {
			if err := CheckToken(ctx, d, tk, now.Add(2*time.Minute)); !errors.Is(err, ErrDone) {
				t.Fatalf("token after setup: %v", err)
			}
			var used int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM setup_tokens WHERE used_at IS NULL`).Scan(&used); err != nil || used != 0 {
				t.Fatalf("unused tokens after setup: %d, %v", used, err)
			}
		}
		if _, err := IssueToken(ctx, d, now); !errors.Is(err, ErrDone) {
			t.Fatalf("IssueToken after setup: %v", err)
		}
		other := good()
		other.AdminUsername = "second"
		if _, err := Run(ctx, d, other, Options{Token: tok2, Now: now}); !errors.Is(err, ErrDone) {
			t.Fatalf("second Run: %v", err)
		}
		if _, err := Run(ctx, d, other, Options{Now: now}); !errors.Is(err, ErrDone) {
			t.Fatalf("second Run without token: %v", err)
		}
		var users, areas, audits int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&users)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM areas`).Scan(&areas)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'create'`).Scan(&audits)
		if users != 1 || areas != 1 || audits != 2 {
			t.Fatalf("after a refused second setup: users=%d areas=%d audit=%d", users, areas, audits)
		}
		gens, _ := db.Generations(ctx, d)
		if gens[db.GenTree] == 0 || gens[db.GenUsers] == 0 {
			t.Fatalf("generations not bumped: %v", gens)
		}
	})
}

// TestConcurrentRun: of several setups started at once, exactly one wins;
// the others get ErrDone and the database holds one county and one admin.
func TestConcurrentRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				p := good()
				p.AdminUsername = "admin" + string(rune('a'+i))
				_, errs[i] = Run(ctx, d, p, Options{})
			}(i)
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, ErrDone):
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d setups won, want 1 (%v)", wins, errs)
		}
		var users, areas int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&users)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM areas`).Scan(&areas)
		if users != 1 || areas != 1 {
			t.Fatalf("users=%d areas=%d, want 1 and 1", users, areas)
		}
	})
}

// A province's setup: the root is the province, its administrator bound to
// it; its cities and counties come by import afterwards.
func TestRunProvince(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		p := good()
		p.Level, p.CountyCode, p.CountyName = area.Province, "430000", "湖南省"
		res, err := Run(ctx, d, p, Options{Now: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		root, err := area.Root(ctx, d)
		if err != nil || root.ID != res.County.ID || root.Level != area.Province || root.Kind != "省" || root.Aliases != "湖南" || root.FullName != "湖南省" {
			t.Fatalf("root %+v %v", root, err)
		}
		if res.Admin.AreaID != root.ID || res.Admin.Role != auth.RoleAdmin {
			t.Fatalf("admin %+v", res.Admin)
		}
		if need, _ := Required(ctx, d); need {
			t.Fatal("setup still required after a province's")
		}
	})
}
