package intel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Label values.
const (
	LabelMule    = "mule"
	LabelCleared = "cleared"
)

// Subject kinds.
const (
	KindAccount = "account"
	KindPhone   = "phone"
)

// LoadFlows reads every stored statement row, and the victims' transfers
// of cases to accounts without a loaded statement, into Flows. A transfer
// between two accounts whose statements are both loaded appears on both
// statements; it is taken once, from the payer's statement (an inflow row is
// used only when the payer's statement is not loaded). Rows without a
// counter account are cash (存现/取现/ATM) or payments and fees (Outside).
// The payer's region of an inflow is the counter bank the payee's bank
// recorded (对手开户行), or the IP address's /16 block when there is none.
func LoadFlows(ctx context.Context, q db.Querier) (*Flows, error) {
	b := NewFlowBuilder(0)
	stmt := map[string]bool{}
	rows, err := q.Query(ctx, `SELECT DISTINCT account FROM statement_rows`)
	if err != nil {
		return nil, fmt.Errorf("load flows: %w", err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return nil, err
		}
		stmt[a] = true
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT account, at, amount_fen, balance_fen, counter_account, counter_bank, summary, channel, ip
		FROM statement_rows ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("load flows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var acct, counter, bank, summary, channel, ip string
		var at, amt int64
		var bal sql.NullInt64
		if err := rows.Scan(&acct, &at, &amt, &bal, &counter, &bank, &summary, &channel, &ip); err != nil {
			return nil, fmt.Errorf("load flows: %w", err)
		}
		a := b.Account(acct)
		if bal.Valid {
			b.SetBalance(a, bal.Int64)
		}
		counter = strings.TrimSpace(counter)
		switch {
		case counter == acct:
			// A transfer to oneself moves nothing between accounts.
		case amt < 0 && counter != "" && counter != acct:
			b.Add(a, b.Account(counter), at, -amt, -1)
		case amt < 0:
			b.Add(a, outsideKind(summary, channel), at, -amt, -1)
		case amt > 0 && counter != "" && counter != acct:
			if !stmt[counter] {
				b.Add(b.Account(counter), a, at, amt, b.Region(regionOf(bank, ip)))
			}
		case amt > 0:
			b.Add(outsideKind(summary, channel), a, at, amt, b.Region(regionOf(bank, ip)))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Live transfers: victims' payments recorded in cases reach accounts
	// whose statements are not (yet) loaded; those count as inflows.
	ct, err := q.Query(ctx, `SELECT from_account, to_account, at, amount_fen FROM case_transfers ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("load flows: case transfers: %w", err)
	}
	defer ct.Close()
	for ct.Next() {
		var from, to string
		var at, amt int64
		if err := ct.Scan(&from, &to, &at, &amt); err != nil {
			return nil, fmt.Errorf("load flows: %w", err)
		}
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if to == "" || stmt[to] || (from != "" && stmt[from]) {
			continue
		}
		src := Outside
		if from != "" {
			src = b.Account(from)
		}
		b.Add(src, b.Account(to), at, amt, -1)
	}
	if err := ct.Err(); err != nil {
		return nil, err
	}
	f := b.Build()
	// Opening dates from the accounts table.
	ar, err := q.Query(ctx, `SELECT number, opened_at FROM accounts WHERE opened_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("load flows: accounts: %w", err)
	}
	defer ar.Close()
	for ar.Next() {
		var num string
		var op int64
		if err := ar.Scan(&num, &op); err != nil {
			return nil, err
		}
		if id, ok := f.ID(num); ok {
			f.openedAt[id] = op
		}
	}
	return f, ar.Err()
}

func outsideKind(summary, channel string) int32 {
	s := summary + channel
	for _, k := range []string{"取现", "存现", "现金", "ATM", "atm", "取款", "存款"} {
		if strings.Contains(s, k) {
			return Cash
		}
	}
	return Outside
}

func regionOf(bank, ip string) string {
	if bank = strings.TrimSpace(bank); bank != "" {
		return "bank:" + bank
	}
	if parts := strings.Split(strings.TrimSpace(ip), "."); len(parts) == 4 {
		return "ip:" + parts[0] + "." + parts[1]
	}
	return ""
}

// Labels returns the latest label of every labelled subject of a kind:
// true for a mule, false for cleared.
func Labels(ctx context.Context, q db.Querier, kind string) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT subject, label FROM intel_labels WHERE kind = ? ORDER BY at, id`, kind)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s, l string
		if err := rows.Scan(&s, &l); err != nil {
			return nil, err
		}
		out[s] = l == LabelMule
	}
	return out, rows.Err()
}

// SetLabel records an analyst's label on an account or a phone number, with
// its audit line in the same transaction.
func SetLabel(ctx context.Context, d *db.DB, who auth.AuditEntry, kind, subject, label, note string, now time.Time) error {
	subject = strings.TrimSpace(subject)
	if kind != KindAccount && kind != KindPhone {
		return domain.Invalid("类型只能是 account 或 phone")
	}
	if label != LabelMule && label != LabelCleared {
		return domain.Invalid("标注只能是 mule（确认涉案）或 cleared（排除）")
	}
	if subject == "" {
		return domain.Invalid("缺少账号或号码")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		var uid any
		if who.UserID != 0 {
			uid = who.UserID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO intel_labels (at, user_id, kind, subject, label, note) VALUES (?,?,?,?,?,?)`,
			db.Millis(now), uid, kind, subject, label, note); err != nil {
			return fmt.Errorf("label %s: %w", kind, err)
		}
		e := who.With(auth.AuditUpdate, "intel_"+kind, auth.MaskCard(subject))
		e.At = now
		e.Detail = "label=" + label
		return auth.Audit(ctx, tx, e)
	})
}

// CurrentWeights returns the weights in force: the last saved, or the
// defaults.
func CurrentWeights(ctx context.Context, q db.Querier) (Weights, error) {
	var spec string
	err := q.QueryRow(ctx, `SELECT spec FROM intel_weights ORDER BY id DESC LIMIT 1`).Scan(&spec)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultWeights(), nil
	}
	if err != nil {
		return Weights{}, fmt.Errorf("weights: %w", err)
	}
	var w Weights
	if err := json.Unmarshal([]byte(spec), &w); err != nil {
		return Weights{}, fmt.Errorf("weights: %w", err)
	}
	return w, nil
}

// SaveWeights puts weights in force, with an audit line.
func SaveWeights(ctx context.Context, d *db.DB, who auth.AuditEntry, w Weights, report string, now time.Time) error {
	spec, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		var uid any
		if who.UserID != 0 {
			uid = who.UserID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO intel_weights (at, user_id, spec, report) VALUES (?,?,?,?)`, db.Millis(now), uid, string(spec), report); err != nil {
			return fmt.Errorf("save weights: %w", err)
		}
		e := who.With(auth.AuditUpdate, "intel_weights", "")
		e.At = now
		e.Detail = report
		return auth.Audit(ctx, tx, e)
	})
}

// confirmedSet marks the accounts labelled mules (latest label) or paid by
// victims in cases.
func confirmedSet(ctx context.Context, q db.Querier, f *Flows) ([]bool, map[int32]bool, error) {
	labels, err := Labels(ctx, q, KindAccount)
	if err != nil {
		return nil, nil, err
	}
	conf := make([]bool, f.Accounts())
	byID := map[int32]bool{}
	for s, mule := range labels {
		if id, ok := f.ID(s); ok {
			byID[id] = mule
			conf[id] = mule
		}
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT to_account FROM case_transfers`)
	if err != nil {
		return nil, nil, fmt.Errorf("case accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, nil, err
		}
		if id, ok := f.ID(s); ok {
			if mule, labelled := byID[id]; !labelled || mule {
				conf[id] = true
			}
		}
	}
	return conf, byID, rows.Err()
}

// ScoreStored loads the stored statements and scores every account with
// the weights in force.
func ScoreStored(ctx context.Context, q db.Querier) (*Scores, error) {
	f, err := LoadFlows(ctx, q)
	if err != nil {
		return nil, err
	}
	w, err := CurrentWeights(ctx, q)
	if err != nil {
		return nil, err
	}
	conf, _, err := confirmedSet(ctx, q, f)
	if err != nil {
		return nil, err
	}
	return ScoreFlows(f, w, conf), nil
}

// FitStored refits the weights from the analysts' account labels.
func FitStored(ctx context.Context, q db.Querier) (Weights, FitReport, error) {
	f, err := LoadFlows(ctx, q)
	if err != nil {
		return Weights{}, FitReport{}, err
	}
	conf, byID, err := confirmedSet(ctx, q, f)
	if err != nil {
		return Weights{}, FitReport{}, err
	}
	// A labelled account's own label must not explain its score: CaseLinks
	// counts the counterparties, never the account itself, so the labels
	// can stay in the confirmed set.
	w, rep, err := FitFlows(f, byID, conf)
	w.Source = fmt.Sprintf("fit on %d labelled accounts", rep.Examples)
	return w, rep, err
}

// Rescore computes every account's score with the weights in force and
// stores it with its explanation (replacing the previous scores). Accounts
// seen only as counterparties are added to the accounts table so every
// scored account has an id to link to. It returns the number of accounts
// scored and of those on the watch list.
func Rescore(ctx context.Context, d *db.DB, now time.Time) (int, int, error) {
	s, err := ScoreStored(ctx, d)
	if err != nil {
		return 0, 0, err
	}
	watch := 0
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM intel_scores WHERE kind = ?`, KindAccount); err != nil {
			return err
		}
		ins, err := tx.Prepare(ctx, `INSERT INTO intel_scores (kind, subject, score_centi, watch, explain, computed_at) VALUES (?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		acct, err := tx.Prepare(ctx, `INSERT INTO accounts (number) VALUES (?) ON CONFLICT (number) DO NOTHING`)
		if err != nil {
			return err
		}
		defer acct.Close()
		for id := int32(0); id < int32(s.Flows.Accounts()); id++ {
			ex, _ := json.Marshal(s.Explain(id))
			w := 0
			if s.Watch(id) {
				w = 1
				watch++
			}
			if _, err := acct.ExecContext(ctx, s.Flows.Name(id)); err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, KindAccount, s.Flows.Name(id), s.Centi[id], w, string(ex), db.Millis(now)); err != nil {
				return fmt.Errorf("store score: %w", err)
			}
		}
		return nil
	})
	return s.Flows.Accounts(), watch, err
}

// visibleAccounts is the condition limiting account numbers (column col) to
// a jurisdiction: accounts paid by victims of cases there, named in its
// warnings, or on statements imported by its users. The centre (the root)
// sees every account.
// The subqueries are DISTINCT so that PostgreSQL hashes each one: a city's
// warnings' scam accounts (60,000+ rows, a few thousand accounts) were
// otherwise searched row by row for each of 1.8 million statement rows,
// and the city's 两卡研判 page did not answer within a minute (2.2 s with
// DISTINCT, docs/BENCHMARKS.md "province").
func visibleAccounts(col string, scope area.Node) (string, []any) {
	if scope.ParentID == 0 {
		return "1=1", nil
	}
	c1, a1 := area.UnderClause("c.area_id", scope)
	c2, a2 := area.UnderClause("w.area_id", scope)
	c3, a3 := area.UnderClause("u.area_id", scope)
	return "(" + col + ` IN (SELECT DISTINCT ct.to_account FROM case_transfers ct JOIN cases c ON c.id = ct.case_id WHERE ` + c1 + `)
		OR ` + col + ` IN (SELECT DISTINCT w.scam_account FROM warnings w WHERE w.scam_account <> '' AND ` + c2 + `)
		OR ` + col + ` IN (SELECT DISTINCT sia.account FROM statement_import_accounts sia JOIN statement_imports si ON si.id = sia.import_id
			JOIN users u ON u.id = si.user_id WHERE ` + c3 + `))`, []any{a1, a2, a3}
}

// Scored is one row of the watch list.
type Scored struct {
	ID       int64          `json:"id"` // accounts.id (phones: 0)
	Kind     string         `json:"kind"`
	Subject  string         `json:"subject"`
	Score    float64        `json:"score"`
	Watch    bool           `json:"watch"`
	Label    string         `json:"label,omitempty"` // mule | cleared | ""
	Bank     string         `json:"bank,omitempty"`
	Branch   string         `json:"branch,omitempty"`
	Holder   string         `json:"holder,omitempty"`
	Explain  []Contribution `json:"explain"`
	Computed time.Time      `json:"computed_at"`
}

// Masked hides the number unless m unmasks.
func (s Scored) Masked(m auth.Masker) Scored {
	if s.Kind == KindPhone {
		s.Subject = m.Phone(s.Subject)
	} else {
		s.Subject = m.Card(s.Subject)
	}
	if s.Holder != "" && !m.Unmasked {
		r := []rune(s.Holder)
		s.Holder = string(r[:1]) + strings.Repeat("*", len(r)-1)
	}
	return s
}

// WatchFilter selects watch-list rows.
type WatchFilter struct {
	Kind      string // account (default) | phone
	WatchOnly bool
	Offset    int // rows skipped (paging)
	Limit     int
}

// WatchList returns the stored scores of a kind, highest first, within the
// jurisdiction.
func WatchList(ctx context.Context, q db.Querier, scope area.Node, f WatchFilter) ([]Scored, error) {
	if f.Kind == "" {
		f.Kind = KindAccount
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	cond, args := visibleAccounts("s.subject", scope)
	if f.Kind == KindPhone {
		cond, args = visiblePhones("s.subject", scope)
	}
	query := `SELECT COALESCE(a.id, 0), s.kind, s.subject, s.score_centi, s.watch, s.explain, s.computed_at,
		COALESCE(a.bank, ''), COALESCE(a.branch, ''), COALESCE(a.holder_name, '')
		FROM intel_scores s LEFT JOIN accounts a ON a.number = s.subject AND s.kind = 'account'
		WHERE s.kind = ? AND ` + cond
	all := append([]any{f.Kind}, args...)
	if f.WatchOnly {
		query += ` AND s.watch = 1`
	}
	query += ` ORDER BY s.score_centi DESC, s.subject LIMIT ? OFFSET ?`
	all = append(all, f.Limit, max(f.Offset, 0))
	out, err := scanScored(ctx, q, query, all...)
	if err != nil {
		return nil, err
	}
	labels, err := Labels(ctx, q, f.Kind)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if mule, ok := labels[out[i].Subject]; ok {
			out[i].Label = map[bool]string{true: LabelMule, false: LabelCleared}[mule]
		}
	}
	return out, nil
}

func scanScored(ctx context.Context, q db.Querier, query string, args ...any) ([]Scored, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("watch list: %w", err)
	}
	defer rows.Close()
	out := []Scored{}
	for rows.Next() {
		var s Scored
		var centi, watch, at int64
		var ex string
		if err := rows.Scan(&s.ID, &s.Kind, &s.Subject, &centi, &watch, &ex, &at, &s.Bank, &s.Branch, &s.Holder); err != nil {
			return nil, err
		}
		s.Score = float64(centi) / 100
		s.Watch = watch == 1
		s.Computed = db.Time(at)
		if err := json.Unmarshal([]byte(ex), &s.Explain); err != nil {
			return nil, fmt.Errorf("watch list: explanation of %s: %w", s.Subject, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// AccountScore returns the stored score of an account by its accounts.id,
// within the jurisdiction.
func AccountScore(ctx context.Context, q db.Querier, scope area.Node, id int64) (Scored, error) {
	cond, args := visibleAccounts("a.number", scope)
	query := `SELECT a.id, 'account', a.number, COALESCE(s.score_centi, 0), COALESCE(s.watch, 0), COALESCE(s.explain, '[]'),
		COALESCE(s.computed_at, 0), a.bank, a.branch, a.holder_name
		FROM accounts a LEFT JOIN intel_scores s ON s.kind = 'account' AND s.subject = a.number
		WHERE a.id = ? AND ` + cond
	out, err := scanScored(ctx, q, query, append([]any{id}, args...)...)
	if err != nil {
		return Scored{}, err
	}
	if len(out) == 0 {
		return Scored{}, fmt.Errorf("账户 %d: %w", id, domain.ErrNotFound)
	}
	labels, err := Labels(ctx, q, KindAccount)
	if err != nil {
		return Scored{}, err
	}
	if mule, ok := labels[out[0].Subject]; ok {
		out[0].Label = map[bool]string{true: LabelMule, false: LabelCleared}[mule]
	}
	return out[0], nil
}

// AccountByID returns an account's number within the jurisdiction.
func AccountByID(ctx context.Context, q db.Querier, scope area.Node, id int64) (string, error) {
	s, err := AccountScore(ctx, q, scope, id)
	return s.Subject, err
}
