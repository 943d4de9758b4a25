package settings

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Overrides are the start-up flags (or their FANZHA_* variables) that win
// over the console. Empty fields override nothing.
type Overrides struct {
	Deadlines string // --deadlines fund=10m,high=30m,ordinary=24h,onsite=2h (keys named are overridden)
	Freeze    string // --freeze-terms stop_payment=48h,freeze=6mo,remind_stop_payment=12h,remind_freeze=7d/1d
	Webhooks  string // --escalation-webhook URL,wecom:URL,dingtalk:URL
	Secret    string // --webhook-secret
}

// Sources of a value in force.
const (
	SourceFlag    = "flag"
	SourceConsole = "console"
	SourceDefault = "default"
)

// Store reads and writes the settings. Reading is cheap: a snapshot of the
// stored values is kept and reloaded when the settings generation counter
// changed, which is checked at most once a second (Fresh checks at once).
type Store struct {
	db   *db.DB
	over map[string]string // key -> value from a flag
	now  func() time.Time

	mu        sync.Mutex
	snap      map[string]stored
	gen       int64
	checkedAt time.Time
}

type stored struct {
	value string
	by    string
	at    time.Time
}

// checkEvery bounds how often readers look at the generation counter.
const checkEvery = time.Second

// New builds the store; it checks the overrides (errors in English, for the
// command line).
func New(d *db.DB, o Overrides, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s := &Store{db: d, over: map[string]string{}, now: now}
	if err := s.parseListFlag("--deadlines", o.Deadlines, func(k, v string) error {
		_, err := warning.ParsePolicy(k + "=" + v)
		return err
	}); err != nil {
		return nil, err
	}
	if err := s.parseListFlag("--freeze-terms", o.Freeze, func(k, v string) error {
		_, err := partner.ParseTerms(k + "=" + v)
		return err
	}); err != nil {
		return nil, err
	}
	if strings.TrimSpace(o.Webhooks) != "" {
		ts, err := parseTargets(o.Webhooks)
		if err != nil {
			return nil, fmt.Errorf("--escalation-webhook: %v", err)
		}
		s.over["webhooks.targets"] = targetsString(ts)
	}
	if o.Secret != "" {
		s.over["webhooks.secret"] = o.Secret
	}
	return s, nil
}

// parseListFlag reads a key=value list flag into per-setting overrides.
func (s *Store) parseListFlag(flag, v string, check func(k, v string) error) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		if !ok {
			return fmt.Errorf("%s %q: want key=value", flag, kv)
		}
		if err := check(k, val); err != nil {
			return fmt.Errorf("%s: %v", flag, err)
		}
		var def *Def
		for i := range defs {
			if defs[i].Flag == flag && defs[i].FlagKey == k {
				def = &defs[i]
			}
		}
		if def == nil {
			return fmt.Errorf("%s: unknown key %q", flag, k)
		}
		norm, err := def.normalize(val, true)
		if err != nil {
			return fmt.Errorf("%s %s=%s: %v", flag, k, val, err)
		}
		s.over[def.Key] = norm
	}
	return nil
}

// Overridden reports whether a start-up flag sets the key.
func (s *Store) Overridden(key string) bool { _, ok := s.over[key]; return ok }

// load returns the snapshot of stored values, reloading it when the
// settings generation changed (checked at most every second unless fresh).
func (s *Store) load(ctx context.Context, fresh bool) (map[string]stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.snap != nil && !fresh && now.Sub(s.checkedAt) < checkEvery && now.Sub(s.checkedAt) >= 0 {
		return s.snap, nil
	}
	gens, err := db.Generations(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if s.snap != nil && gens[db.GenSettings] == s.gen {
		s.checkedAt = now
		return s.snap, nil
	}
	snap, err := readStored(ctx, s.db)
	if err != nil {
		return nil, err
	}
	s.snap, s.gen, s.checkedAt = snap, gens[db.GenSettings], now
	return snap, nil
}

func readStored(ctx context.Context, q db.Querier) (map[string]stored, error) {
	rows, err := q.Query(ctx, `SELECT key, value, updated_by, updated_at FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	out := map[string]stored{}
	for rows.Next() {
		var k, v, by string
		var at int64
		if err := rows.Scan(&k, &v, &by, &at); err != nil {
			return nil, err
		}
		if _, ok := byKey[k]; !ok {
			continue
		}
		st := stored{value: v, by: by}
		if at > 0 {
			st.at = db.Time(at)
		}
		out[k] = st
	}
	return out, rows.Err()
}

// effective returns the value in force of a key and its source.
func (s *Store) effective(snap map[string]stored, d *Def) (string, string) {
	if v, ok := s.over[d.Key]; ok { // checked by New
		return v, SourceFlag
	}
	if st, ok := snap[d.Key]; ok {
		if norm, err := d.Normalize(st.value); err == nil {
			return norm, SourceConsole
		}
	}
	return d.Default, SourceDefault
}

func (s *Store) values(ctx context.Context, fresh bool) (map[string]string, error) {
	snap, err := s.load(ctx, fresh)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(defs))
	for i := range defs {
		out[defs[i].Key], _ = s.effective(snap, &defs[i])
	}
	return out, nil
}

// Policy returns the deadlines and score points in force, read at once
// (intake calls it when the settings generation changed).
func (s *Store) Policy(ctx context.Context) (warning.Policy, error) {
	vals, err := s.values(ctx, true)
	if err != nil {
		return warning.Policy{}, err
	}
	return policyOf(vals), nil
}

// CachedPolicy is Policy from the snapshot checked at most every second.
func (s *Store) CachedPolicy(ctx context.Context) (warning.Policy, error) {
	vals, err := s.values(ctx, false)
	if err != nil {
		return warning.Policy{}, err
	}
	return policyOf(vals), nil
}

func policyOf(vals map[string]string) warning.Policy {
	p := warning.DefaultPolicy()
	dur := func(k string) time.Duration { d, _ := parseDur(vals[k]); return d }
	p.ContactWithin[warning.GradeFund] = dur("deadline.fund")
	p.ContactWithin[warning.GradeHigh] = dur("deadline.high")
	p.ContactWithin[warning.GradeOrdinary] = dur("deadline.ordinary")
	p.OnsiteWithin = dur("deadline.onsite")
	pt := func(k string) int64 { n, _ := strconv.ParseInt(vals["score."+k], 10, 64); return n }
	sp := warning.ScorePoints{
		GradeFund: pt("grade_fund"), GradeHigh: pt("grade_high"), GradeOrdinary: pt("grade_ordinary"),
		Amount1M: pt("amount_1m"), Amount100K: pt("amount_100k"), Amount10K: pt("amount_10k"), Amount1K: pt("amount_1k"), AmountAny: pt("amount_any"),
		Age70: pt("age_70"), Age60: pt("age_60"), Minor: pt("minor"), StudentAge: pt("student_age"),
		RepeatEach: pt("repeat_each"), RepeatMax: pt("repeat_max"), ContactInCase: pt("contact_in_case"),
		Types: map[fraudtype.Code]int64{},
	}
	for _, t := range fraudtype.All() {
		sp.Types[t.Code] = pt("type." + string(t.Code))
	}
	p.Points = &sp
	return p
}

// Terms returns the stop-payment and freeze terms in force.
func (s *Store) Terms(ctx context.Context) (partner.Terms, error) {
	vals, err := s.values(ctx, false)
	if err != nil {
		return partner.Terms{}, err
	}
	return termsOf(vals)
}

func termsOf(vals map[string]string) (partner.Terms, error) {
	return partner.ParseTerms(fmt.Sprintf("stop_payment=%s,freeze=%s,remind_stop_payment=%s,remind_freeze=%s",
		vals["freeze.stop_payment"], vals["freeze.freeze"], vals["freeze.remind_stop_payment"], vals["freeze.remind_freeze"]))
}

// Targets returns the escalation webhooks in force, each with the signing
// secret; on a read error it logs nothing and returns the last snapshot's
// answer when there is one (a sweep should not stop for it).
func (s *Store) Targets(ctx context.Context) []notify.Target {
	vals, err := s.values(ctx, false)
	if err != nil {
		return nil
	}
	ts, _ := parseTargets(vals["webhooks.targets"])
	for i := range ts {
		ts[i].Secret = vals["webhooks.secret"]
	}
	return ts
}

// Secrets maps each webhook URL in force to its signing secret (for the
// notification deliverer).
func (s *Store) Secrets(ctx context.Context) map[string]string {
	out := map[string]string{}
	for _, t := range s.Targets(ctx) {
		if t.Secret != "" {
			out[t.URL] = t.Secret
		}
	}
	return out
}

// WebhookNetworks returns the private networks unit webhooks may reach
// (webhooks.allow_networks), checked against the settings generation at
// each call (a removed network is refused at the next connection); on a
// read error none.
func (s *Store) WebhookNetworks(ctx context.Context) []netip.Prefix {
	vals, err := s.values(ctx, true)
	if err != nil {
		return nil
	}
	ps, _ := ParseNetworks(vals["webhooks.allow_networks"])
	return ps
}

// WebhookGuard is the guard of unit webhooks with the allow-list in force.
func (s *Store) WebhookGuard() notify.Guard { return notify.Guard{Allowed: s.WebhookNetworks} }

// Start makes the stored freeze terms (read by confirmations and the
// freeze watch in every process) the terms in force: the console's values
// under the --freeze-terms overrides. Call it once at start.
func (s *Store) Start(ctx context.Context) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		snap, err := readStored(ctx, tx)
		if err != nil {
			return err
		}
		if err := adoptLegacyTerms(ctx, tx, snap); err != nil {
			return err
		}
		return s.writeTerms(ctx, tx, snap)
	})
}

// adoptLegacyTerms keeps the terms an older version stored from
// --freeze-terms (one freeze_terms row) when no term is stored per
// setting yet: the values that differ from the defaults become console
// values, so the first start of this version changes no term.
func adoptLegacyTerms(ctx context.Context, tx *db.Tx, snap map[string]stored) error {
	// Once only: later the freeze_terms row holds the terms in force,
	// which may come from flags, and must not become console values.
	res, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('settings.legacy_terms_adopted', '1') ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("adopt stored freeze terms: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	for k := range snap {
		if strings.HasPrefix(k, "freeze.") {
			return nil
		}
	}
	cur, err := partner.LoadTerms(ctx, tx)
	if err != nil {
		return nil // an unreadable row is rewritten from the settings below
	}
	vals := map[string]string{
		"freeze.stop_payment":        cur.StopPayment.String(),
		"freeze.freeze":              cur.Freeze.String(),
		"freeze.remind_stop_payment": leadsString(cur.RemindStopPayment),
		"freeze.remind_freeze":       leadsString(cur.RemindFreeze),
	}
	adopted := false
	for k, v := range vals {
		d := byKey[k]
		norm, err := d.Normalize(v)
		if err != nil || norm == d.Default {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)`,
			k, norm, "--freeze-terms（旧版启动参数保存）", int64(0)); err != nil {
			return fmt.Errorf("adopt stored freeze terms: %w", err)
		}
		snap[k] = stored{value: norm, by: "--freeze-terms（旧版启动参数保存）"}
		adopted = true
	}
	if adopted {
		return db.Bump(ctx, tx, db.GenSettings)
	}
	return nil
}

func (s *Store) writeTerms(ctx context.Context, tx *db.Tx, snap map[string]stored) error {
	vals := map[string]string{}
	for i := range defs {
		vals[defs[i].Key], _ = s.effective(snap, &defs[i])
	}
	t, err := termsOf(vals)
	if err != nil {
		return err
	}
	cur, err := partner.LoadTerms(ctx, tx)
	if err == nil && cur.String() == t.String() {
		return nil
	}
	return partner.SaveTerms(ctx, tx, t)
}

// Value is one setting as the page and the API show it.
type Value struct {
	Def
	Value      string    `json:"value"`  // in force (a secret masked)
	Source     string    `json:"source"` // flag | console | default
	SourceText string    `json:"source_text"`
	Stored     string    `json:"stored,omitempty"` // the console's value when a flag overrides it
	StoredBy   string    `json:"stored_by,omitempty"`
	StoredAt   time.Time `json:"stored_at,omitempty"`
	Locked     bool      `json:"locked"` // a flag sets it: the console cannot change it
	Secret     bool      `json:"secret,omitempty"`
}

// GroupValues is a group with its settings.
type GroupValues struct {
	Group
	Settings []Value `json:"settings"`
}

// List returns every setting with its value in force and its source.
func (s *Store) List(ctx context.Context) ([]GroupValues, error) {
	snap, err := s.load(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []GroupValues
	for _, g := range Groups {
		gv := GroupValues{Group: g}
		for i := range defs {
			d := &defs[i]
			if d.Group != g.Key {
				continue
			}
			v, src := s.effective(snap, d)
			val := Value{Def: *d, Value: v, Source: src, Secret: d.Kind == KindSecret}
			st, has := snap[d.Key]
			if has {
				val.StoredBy, val.StoredAt = st.by, st.at
			}
			switch src {
			case SourceFlag:
				val.Locked = true
				env := "FANZHA_" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(d.Flag, "--"), "-", "_"))
				val.SourceText = fmt.Sprintf("命令行/环境变量（%s 或 %s），控制台不能修改", d.Flag, env)
				if has {
					val.Stored = st.value
					val.SourceText += "；控制台保存的值在去掉该参数并重启后生效"
				}
			case SourceConsole:
				val.SourceText = "控制台设置"
				if st.by != "" {
					val.SourceText += "（" + st.by
					if !st.at.IsZero() {
						val.SourceText += "，" + st.at.In(zone.Shanghai).Format("2006-01-02 15:04")
					}
					val.SourceText += "）"
				}
			default:
				val.SourceText = "默认值"
			}
			if val.Secret {
				val.Value = MaskSecret(val.Value)
				val.Stored = MaskSecret(val.Stored)
			}
			gv.Settings = append(gv.Settings, val)
		}
		out = append(out, gv)
	}
	return out, nil
}

// MaskSecret shows that a secret is set without showing it.
func MaskSecret(v string) string {
	if v == "" {
		return ""
	}
	r := []rune(v)
	if len(r) <= 8 {
		return "********"
	}
	return string(r[:2]) + "******" + string(r[len(r)-2:])
}

// FieldError is one refused value.
type FieldError struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Message string `json:"message"`
}

// ValidationError lists every refused value of a change; nothing of the
// change is saved. It wraps domain.ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Label+"："+f.Message)
	}
	return "设置未保存，" + strings.Join(parts, "；")
}

// Unwrap makes the error one of the domain family, of kind Invalid with
// the same message (errors.Is(err, domain.ErrInvalid) is true).
func (e *ValidationError) Unwrap() error { return domain.Invalid("%s", e.Error()) }

// Change is one stored change.
type Change struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Save stores changed values (key -> value as typed; an empty value puts a
// setting back to its default, except the webhook list, where empty means
// none, and the secret, where empty keeps it — use ClearSecret to remove
// it). Every value is checked first: with any refused, nothing is saved.
// Each change is audited (old → new, secrets masked) and the settings
// generation bumped, in one transaction. It returns the changes made.
func (s *Store) Save(ctx context.Context, who auth.AuditEntry, values map[string]string, clearSecret bool) ([]Change, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return order(keys[i]) < order(keys[j]) })
	var verr ValidationError
	type want struct {
		def   *Def
		value string // normalized; "" with reset: back to default
		reset bool
	}
	var wants []want
	for _, k := range keys {
		d, ok := byKey[k]
		if !ok {
			verr.Fields = append(verr.Fields, FieldError{Key: k, Label: k, Message: "没有这个设置项"})
			continue
		}
		raw := strings.TrimSpace(values[k])
		if d.Kind == KindSecret && raw == "" {
			continue // left blank: unchanged
		}
		if raw == "" && d.Kind != KindTargets {
			wants = append(wants, want{def: d, reset: true})
			continue
		}
		norm, err := d.Normalize(raw)
		if err != nil {
			verr.Fields = append(verr.Fields, FieldError{Key: k, Label: d.Label, Message: err.Error()})
			continue
		}
		if s.Overridden(k) {
			if norm != s.over[k] {
				verr.Fields = append(verr.Fields, FieldError{Key: k, Label: d.Label,
					Message: "由启动参数 " + d.Flag + " 指定，控制台不能修改；请修改或去掉该启动参数后重启"})
			}
			continue
		}
		wants = append(wants, want{def: d, value: norm})
	}
	if clearSecret {
		if s.Overridden("webhooks.secret") {
			verr.Fields = append(verr.Fields, FieldError{Key: "webhooks.secret", Label: byKey["webhooks.secret"].Label,
				Message: "由启动参数 --webhook-secret 指定，控制台不能清除"})
		} else {
			wants = append(wants, want{def: byKey["webhooks.secret"], reset: true})
		}
	}
	if len(verr.Fields) > 0 {
		return nil, &verr
	}
	now := s.now().UTC()
	var changes []Change
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		changes = changes[:0]
		snap, err := readStored(ctx, tx)
		if err != nil {
			return err
		}
		next := map[string]stored{}
		for k, v := range snap {
			next[k] = v
		}
		for _, w := range wants {
			old, _ := s.effectiveStored(snap, w.def)
			newV := w.value
			if w.reset {
				newV = w.def.Default
			}
			_, had := snap[w.def.Key]
			if newV == old && (!w.reset || !had) {
				continue
			}
			if w.reset {
				delete(next, w.def.Key)
			} else {
				next[w.def.Key] = stored{value: newV, by: who.Username, at: now}
			}
			changes = append(changes, Change{Key: w.def.Key, Label: w.def.Label, Old: show(w.def, old), New: show(w.def, newV)})
		}
		if len(changes) == 0 {
			return nil
		}
		// Checks across settings: a reminder must fall inside its term.
		vals := map[string]string{}
		for i := range defs {
			vals[defs[i].Key], _ = s.effectiveStored(next, &defs[i])
		}
		if fe := crossCheck(vals); len(fe) > 0 {
			return &ValidationError{Fields: fe}
		}
		for _, c := range changes {
			if st, ok := next[c.Key]; ok {
				if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
					c.Key, st.value, st.by, db.Millis(st.at)); err != nil {
					return fmt.Errorf("save setting %s: %w", c.Key, err)
				}
			} else if _, err := tx.Exec(ctx, `DELETE FROM settings WHERE key = ?`, c.Key); err != nil {
				return fmt.Errorf("reset setting %s: %w", c.Key, err)
			}
			e := who.With(auth.AuditUpdate, "setting", c.Key)
			e.At = now
			e.Detail = fmt.Sprintf("%s：%s → %s", c.Label, c.Old, c.New)
			if err := auth.Audit(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := s.writeTerms(ctx, tx, next); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenSettings)
	})
	if err != nil {
		return nil, err
	}
	if len(changes) > 0 {
		s.mu.Lock()
		s.snap = nil // read again at the next use
		s.mu.Unlock()
	}
	return changes, nil
}

// effectiveStored is the console's value of a key (ignoring flags): what a
// change replaces.
func (s *Store) effectiveStored(snap map[string]stored, d *Def) (string, string) {
	if st, ok := snap[d.Key]; ok {
		if norm, err := d.Normalize(st.value); err == nil {
			return norm, SourceConsole
		}
	}
	return d.Default, SourceDefault
}

// crossCheck refuses reminders that do not fall inside their term.
func crossCheck(vals map[string]string) []FieldError {
	t, err := termsOf(vals)
	if err != nil {
		return []FieldError{{Key: "freeze.freeze", Label: "止付冻结期限", Message: err.Error()}}
	}
	var out []FieldError
	ref := time.Date(2026, 2, 1, 0, 0, 0, 0, zone.Shanghai) // the shortest six months: Feb–Jul
	check := func(key string, term partner.Term, leads []time.Duration) {
		length := term.From(ref).Sub(ref)
		for _, l := range leads {
			if l >= length {
				d := byKey[key]
				out = append(out, FieldError{Key: key, Label: d.Label, Message: fmt.Sprintf("提前 %s 提醒不在期限之内，应短于期限", humanDur(l))})
				return
			}
		}
	}
	check("freeze.remind_stop_payment", t.StopPayment, t.RemindStopPayment)
	check("freeze.remind_freeze", t.Freeze, t.RemindFreeze)
	return out
}

func show(d *Def, v string) string {
	switch {
	case d.Kind == KindSecret && v == "":
		return "（未设置）"
	case d.Kind == KindSecret:
		return "（已设置）"
	case (d.Kind == KindTargets || d.Kind == KindNetworks) && v == "":
		return "（无）"
	case d.Kind == KindNetworks:
		return strings.ReplaceAll(v, "\n", "，")
	case d.Kind == KindTargets:
		return strings.ReplaceAll(v, "\n", "，")
	case d.Kind == KindBool && v == "true":
		return "开启"
	case d.Kind == KindBool:
		return "关闭"
	}
	return v
}

func order(key string) int {
	for i := range defs {
		if defs[i].Key == key {
			return i
		}
	}
	return len(defs)
}

// History returns the latest changes of settings from the audit log,
// newest first.
func History(ctx context.Context, q db.Querier, limit int) ([]auth.AuditEntry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := q.Query(ctx, `SELECT id, at, username, ip, action, object_id, detail FROM audit_log
		WHERE object_type = 'setting' ORDER BY id DESC LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("settings history: %w", err)
	}
	defer rows.Close()
	var out []auth.AuditEntry
	for rows.Next() {
		var e auth.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Username, &e.IP, &e.Action, &e.ObjectID, &e.Detail); err != nil {
			return nil, err
		}
		e.At, e.ObjectType = db.Time(at), "setting"
		out = append(out, e)
	}
	return out, rows.Err()
}

// IsValidation reports whether err is a refused change, and its fields.
func IsValidation(err error) ([]FieldError, bool) {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields, true
	}
	return nil, false
}

// DeadlinesFlag writes a policy's deadlines as --deadlines takes them.
func DeadlinesFlag(p warning.Policy) string {
	return fmt.Sprintf("fund=%s,high=%s,ordinary=%s,onsite=%s", durString(p.ContactWithin[warning.GradeFund]),
		durString(p.ContactWithin[warning.GradeHigh]), durString(p.ContactWithin[warning.GradeOrdinary]), durString(p.OnsiteWithin))
}
