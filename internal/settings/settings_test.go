package settings_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
)

var admin = auth.AuditEntry{UserID: 1, Username: "boss", Role: auth.RoleAdmin, IP: "10.0.0.1"}

func newStore(t *testing.T, d *db.DB, o settings.Overrides) *settings.Store {
	t.Helper()
	st, err := settings.New(d, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func find(t *testing.T, groups []settings.GroupValues, key string) settings.Value {
	t.Helper()
	for _, g := range groups {
		for _, v := range g.Settings {
			if v.Key == key {
				return v
			}
		}
	}
	t.Fatalf("setting %s not listed", key)
	return settings.Value{}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func settingsGen(t *testing.T, d *db.DB) int64 {
	t.Helper()
	g, err := db.Generations(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return g[db.GenSettings]
}

// Every setting's default is valid, and the defaults reproduce today's
// policy, terms and score points exactly.
func TestDefaultsAreTodays(t *testing.T) {
	for _, d := range settings.Defs() {
		if d.Kind == settings.KindSecret || d.Kind == settings.KindTargets {
			continue
		}
		if norm, err := d.Normalize(d.Default); err != nil || norm != d.Default {
			t.Errorf("%s: default %q normalizes to %q, %v", d.Key, d.Default, norm, err)
		}
		if d.Label == "" || d.Help == "" {
			t.Errorf("%s: no label or explanation", d.Key)
		}
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(t, d, settings.Overrides{})
		p, err := st.Policy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		def := warning.DefaultPolicy()
		for g, want := range def.ContactWithin {
			if p.ContactWithin[g] != want {
				t.Errorf("deadline %s: %s, want %s", g, p.ContactWithin[g], want)
			}
		}
		if p.OnsiteWithin != def.OnsiteWithin {
			t.Errorf("onsite: %s", p.OnsiteWithin)
		}
		in := warning.ScoreInput{Grade: warning.GradeHigh, Age: 72, FraudType: "police", AmountFen: 5_000_000, PriorWarnings: 2, ContactInCase: true}
		got, _ := p.Scoring().Score(in)
		want, _ := warning.Score(in)
		if got != want {
			t.Errorf("score with the settings' defaults %d, want %d", got, want)
		}
		terms, err := st.Terms(ctx)
		if err != nil || terms.String() != partner.DefaultTerms().String() {
			t.Errorf("terms %v %v", terms, err)
		}
		groups, err := st.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v := find(t, groups, "deadline.fund"); v.Source != settings.SourceDefault || v.SourceText != "默认值" || v.Value != "10m" {
			t.Errorf("fund deadline listed as %+v", v)
		}
	})
}

// Invalid values are refused in Chinese, every one of them, and nothing
// of the change is saved or audited.
func TestInvalidRefusedNothingSaved(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(t, d, settings.Overrides{})
		gen := settingsGen(t, d)
		bad := map[string]string{
			"deadline.fund":              "十分钟",
			"deadline.high":              "20s",
			"score.grade_fund":           "-5",
			"score.age_70":               "abc",
			"bulletin.daily_hour":        "25",
			"webhooks.targets":           "ftp://x.example",
			"freeze.freeze":              "7mo",
			"freeze.stop_payment":        "72h",
			"freeze.remind_freeze":       "7x",
			"no.such.setting":            "1",
			"deadline.ordinary":          "12h", // valid: still not saved
			"bulletin.daily_enabled":     "maybe",
			"webhooks.secret":            "short",
			"freeze.remind_stop_payment": "6h",
		}
		_, err := st.Save(ctx, admin, bad, false)
		fields, ok := settings.IsValidation(err)
		if !ok {
			t.Fatalf("not refused: %v", err)
		}
		got := map[string]string{}
		for _, f := range fields {
			got[f.Key] = f.Message
		}
		for k := range bad {
			if k == "deadline.ordinary" || k == "freeze.remind_stop_payment" {
				continue
			}
			if got[k] == "" {
				t.Errorf("%s=%q not refused", k, bad[k])
			}
		}
		for k, m := range got {
			if !strings.ContainsAny(m, "应不能没最密") {
				t.Errorf("%s: message not Chinese: %q", k, m)
			}
		}
		if !strings.Contains(got["freeze.freeze"], "6 个月") || !strings.Contains(got["freeze.stop_payment"], "48 小时") {
			t.Errorf("legal limits not named: %q %q", got["freeze.freeze"], got["freeze.stop_payment"])
		}
		if n := count(t, d, `SELECT COUNT(*) FROM settings WHERE updated_at > 0`); n != 0 {
			t.Errorf("%d settings saved", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'setting'`); n != 0 {
			t.Errorf("%d audit lines", n)
		}
		if settingsGen(t, d) != gen {
			t.Error("generation bumped by a refused change")
		}
		// A reminder must fall inside its term (checked across settings).
		_, err = st.Save(ctx, admin, map[string]string{"freeze.stop_payment": "24h", "freeze.remind_stop_payment": "30h"}, false)
		if fields, ok := settings.IsValidation(err); !ok || fields[0].Key != "freeze.remind_stop_payment" {
			t.Fatalf("reminder longer than the term: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM settings WHERE key LIKE 'freeze.%'`); n != 0 {
			t.Errorf("refused terms saved: %d", n)
		}
	})
}

// Every change is audited with its old and new value (a secret never in
// clear), bumps the settings generation, and is listed as the console's
// with who and when; an empty value puts a setting back to its default.
func TestChangesAuditedAndSourced(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(t, d, settings.Overrides{})
		gen := settingsGen(t, d)
		changes, err := st.Save(ctx, admin, map[string]string{
			"deadline.fund": "15m", "deadline.high": "30m", // unchanged: not a change
			"freeze.freeze": "3mo", "webhooks.secret": "s3cret-s3cret-s3cret", "bulletin.daily_enabled": "false",
		}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 4 {
			t.Fatalf("changes %+v", changes)
		}
		if settingsGen(t, d) != gen+1 {
			t.Errorf("generation %d, want %d", settingsGen(t, d), gen+1)
		}
		hist, err := settings.History(ctx, d, 10)
		if err != nil || len(hist) != 4 {
			t.Fatalf("history %v %v", hist, err)
		}
		details := ""
		for _, h := range hist {
			details += h.Detail + "\n"
			if h.Username != "boss" || h.IP != "10.0.0.1" {
				t.Errorf("audit who: %+v", h)
			}
		}
		for _, want := range []string{"资金预警首次联系时限：10m → 15m", "冻结期限：6mo → 3mo", "签名密钥（HMAC-SHA256）：（未设置） → （已设置）", "生成每日通报：开启 → 关闭"} {
			if !strings.Contains(details, want) {
				t.Errorf("audit lacks %q:\n%s", want, details)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%s3cret%'`); n != 0 {
			t.Error("secret in the audit log")
		}
		// The freeze terms in force are stored where confirmations read them.
		if terms, err := partner.LoadTerms(ctx, d); err != nil || terms.Freeze.Months != 3 {
			t.Errorf("stored terms %v %v", terms, err)
		}
		groups, err := st.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v := find(t, groups, "deadline.fund")
		if v.Source != settings.SourceConsole || v.StoredBy != "boss" || !strings.HasPrefix(v.SourceText, "控制台设置（boss，") || v.Value != "15m" {
			t.Errorf("fund deadline listed as %+v", v)
		}
		if s := find(t, groups, "webhooks.secret"); strings.Contains(s.Value, "s3cret-s3cret") || s.Value == "" {
			t.Errorf("secret shown as %q", s.Value)
		}
		if p, _ := st.Policy(ctx); p.ContactWithin[warning.GradeFund] != 15*time.Minute {
			t.Errorf("policy fund %s", p.ContactWithin[warning.GradeFund])
		}
		// Back to the default; the secret cleared.
		changes, err = st.Save(ctx, admin, map[string]string{"deadline.fund": ""}, true)
		if err != nil || len(changes) != 2 {
			t.Fatalf("reset: %+v %v", changes, err)
		}
		groups, _ = st.List(ctx)
		if v := find(t, groups, "deadline.fund"); v.Source != settings.SourceDefault || v.Value != "10m" {
			t.Errorf("after reset %+v", v)
		}
		if v := find(t, groups, "webhooks.secret"); v.Value != "" {
			t.Errorf("secret after clearing %q", v.Value)
		}
		// The bulletin scheduler reads the same rows.
		groups, _ = st.List(ctx)
		if v := find(t, groups, "bulletin.daily_enabled"); v.Value != "false" {
			t.Errorf("bulletin %+v", v)
		}
	})
}

// A flag wins over the console: the value in force is the flag's, the
// listing says so, and the console cannot change it; settings the flag
// does not name stay editable.
func TestFlagOverrideWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(t, d, settings.Overrides{Deadlines: "fund=5m", Webhooks: "wecom:https://qyapi.example/hook", Secret: "flag-secret-0123456789"})
		_, err := st.Save(ctx, admin, map[string]string{"deadline.fund": "20m"}, false)
		if fields, ok := settings.IsValidation(err); !ok || !strings.Contains(fields[0].Message, "--deadlines") {
			t.Fatalf("console changed a flag's setting: %v", err)
		}
		if _, err := st.Save(ctx, admin, map[string]string{"deadline.high": "20m"}, false); err != nil {
			t.Fatal(err)
		}
		p, err := st.Policy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.ContactWithin[warning.GradeFund] != 5*time.Minute || p.ContactWithin[warning.GradeHigh] != 20*time.Minute {
			t.Errorf("policy %v", p.ContactWithin)
		}
		groups, _ := st.List(ctx)
		v := find(t, groups, "deadline.fund")
		if v.Source != settings.SourceFlag || !v.Locked || v.Value != "5m" || !strings.Contains(v.SourceText, "命令行/环境变量（--deadlines 或 FANZHA_DEADLINES）") {
			t.Errorf("overridden setting listed as %+v", v)
		}
		if v := find(t, groups, "deadline.high"); v.Source != settings.SourceConsole || v.Locked {
			t.Errorf("high %+v", v)
		}
		ts := st.Targets(ctx)
		if len(ts) != 1 || ts[0].URL != "https://qyapi.example/hook" || ts[0].Format != "wecom" || ts[0].Secret != "flag-secret-0123456789" {
			t.Errorf("targets %+v", ts)
		}
		if _, err := settings.New(d, settings.Overrides{Deadlines: "fund=soon"}, nil); err == nil {
			t.Error("bad --deadlines accepted")
		}
		// Automation may set deadlines under a minute; the console may not.
		if _, err := settings.New(d, settings.Overrides{Deadlines: "fund=3s"}, nil); err != nil {
			t.Errorf("--deadlines fund=3s: %v", err)
		}
	})
}

// An Intake built before a change scores and times the very next warning
// with the changed settings, without a restart (and so would any replica:
// it follows the settings generation counter).
func TestIntakeFollowsChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := area.Node{Level: area.County, Code: "R", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
		st := newStore(t, d, settings.Overrides{})
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		in.PolicySource = st.Policy
		submit := func(ref string) (due time.Duration, score int64) {
			t.Helper()
			w := warning.Input{Source: warning.SourceUpper, SourceRef: ref, Grade: warning.GradeFund, ReceivedAt: now,
				Person: warning.Person{Name: "王秀英", Phone: "1380000000" + ref[len(ref)-1:], Age: 40}}
			res, err := in.Submit(ctx, []warning.Input{w}, warning.SubmitOptions{})
			if err != nil || res.Items[0].Status != warning.ItemCreated {
				t.Fatalf("submit %s: %+v %v", ref, res, err)
			}
			var dueMs, prio int64
			if err := d.QueryRow(ctx, `SELECT contact_due_at, priority FROM warnings WHERE id = ?`, res.Items[0].ID).Scan(&dueMs, &prio); err != nil {
				t.Fatal(err)
			}
			return db.Time(dueMs).Sub(now), prio
		}
		due, score := submit("W-1")
		if due != 10*time.Minute || score != 600 {
			t.Fatalf("before the change: due %s score %d", due, score)
		}
		if _, err := st.Save(ctx, admin, map[string]string{"deadline.fund": "5m", "score.grade_fund": "650"}, false); err != nil {
			t.Fatal(err)
		}
		due, score = submit("W-2")
		if due != 5*time.Minute || score != 650 {
			t.Fatalf("after the change: due %s score %d", due, score)
		}
	})
}

// Webhooks changed in the console are used by the next escalation sweep.
func TestEscalationTargetsFollowChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := area.Node{Level: area.County, Code: "R", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		st := newStore(t, d, settings.Overrides{})
		esc := &warning.Escalator{DB: d, TargetSource: st.Targets, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		overdue := func(ref string) {
			t.Helper()
			past := db.Millis(now.Add(-time.Hour))
			if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone, person_id_number,
				area_id, station_id, status, contact_due_at, created_at, updated_at) VALUES ('upper',?,?,'fund','王秀英','13800000000','',?,NULL,'open',?,?,?)`,
				ref, past, root.ID, past, past, past); err != nil {
				t.Fatal(err)
			}
		}
		overdue("E-1")
		if b, err := esc.Sweep(ctx); err != nil || len(b) != 1 {
			t.Fatalf("first sweep %v %v", b, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox`); n != 0 {
			t.Fatalf("notified with no webhooks: %d", n)
		}
		if _, err := st.Save(ctx, admin, map[string]string{"webhooks.targets": "https://hooks.example/a\ndingtalk:https://oapi.example/b",
			"webhooks.secret": "0123456789abcdef0123"}, false); err != nil {
			t.Fatal(err)
		}
		overdue("E-2")
		if b, err := esc.Sweep(ctx); err != nil || len(b) != 1 {
			t.Fatalf("second sweep %v %v", b, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox WHERE target = 'https://hooks.example/a' AND format = 'json'`); n != 1 {
			t.Errorf("json target used %d times", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox WHERE target = 'https://oapi.example/b' AND format = 'dingtalk'`); n != 1 {
			t.Errorf("dingtalk target used %d times", n)
		}
		if sec := st.Secrets(ctx); sec["https://hooks.example/a"] != "0123456789abcdef0123" {
			t.Errorf("deliverer secrets %v", sec)
		}
	})
}

// A store on another replica sees a change without a restart.
func TestOtherReplicaSeesChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := time.Now()
		a := newStore(t, d, settings.Overrides{})
		b, err := settings.New(d, settings.Overrides{}, func() time.Time { return clock })
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := b.CachedPolicy(ctx); p.OnsiteWithin != 2*time.Hour {
			t.Fatalf("onsite %s", p.OnsiteWithin)
		}
		if _, err := a.Save(ctx, admin, map[string]string{"deadline.onsite": "90m"}, false); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(2 * time.Second) // past the once-a-second check
		if p, _ := b.CachedPolicy(ctx); p.OnsiteWithin != 90*time.Minute {
			t.Fatalf("other replica: onsite %s", p.OnsiteWithin)
		}
		if p, _ := b.Policy(ctx); p.OnsiteWithin != 90*time.Minute {
			t.Fatalf("fresh read: onsite %s", p.OnsiteWithin)
		}
	})
}
