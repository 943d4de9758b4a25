package intel

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Phone cards are scored from what warnings and cases say about the numbers
// that called people at risk (the scam_phone of a warning):
//
//   - warned_people: distinct people warned about calls from the number
//     (points 40 × squash(n, 10));
//   - case_links: distinct cases whose warnings name the number
//     (points 30 × min(1, n/2));
//   - mule_accounts: distinct accounts on the watch list or confirmed as
//     mules that the number is tied to — named with it in one warning, or
//     registered to it as the holder's phone (points 30 × squash(n, 5)).
//
// As for accounts, the score is the sum of the contributions in hundredths
// of a point, and PhoneThreshold puts a number on the watch list.

// PhoneThreshold is the watch-list threshold of phone numbers, in points.
const PhoneThreshold = 40.0

type phoneFacts struct {
	people map[string]bool
	cases  map[int64]bool
	mules  map[string]bool
}

// PhoneScore is one number's score and its explanation.
type PhoneScore struct {
	Number  string
	Centi   int64
	Explain []Contribution
}

func phoneContrib(code, label string, value, signal, points float64) (Contribution, int64) {
	c := int64(math.Round(points * signal * 100))
	return Contribution{Feature: code, Label: label, Value: value, Signal: signal, Points: float64(c) / 100}, c
}

// ScorePhones scores every number named as a scam phone in warnings.
// watched are the account numbers on the account watch list or confirmed.
func ScorePhones(ctx context.Context, q db.Querier, watched map[string]bool) ([]PhoneScore, error) {
	facts := map[string]*phoneFacts{}
	get := func(n string) *phoneFacts {
		f := facts[n]
		if f == nil {
			f = &phoneFacts{people: map[string]bool{}, cases: map[int64]bool{}, mules: map[string]bool{}}
			facts[n] = f
		}
		return f
	}
	rows, err := q.Query(ctx, `SELECT scam_phone, person_phone, person_id_number, person_name, COALESCE(case_id, 0), scam_account
		FROM warnings WHERE scam_phone <> ''`)
	if err != nil {
		return nil, fmt.Errorf("score phones: %w", err)
	}
	for rows.Next() {
		var phone, pphone, pid, pname, acct string
		var caseID int64
		if err := rows.Scan(&phone, &pphone, &pid, &pname, &caseID, &acct); err != nil {
			rows.Close()
			return nil, err
		}
		f := get(strings.TrimSpace(phone))
		person := pid
		if person == "" {
			person = pphone
		}
		if person == "" {
			person = pname
		}
		if person != "" {
			f.people[person] = true
		}
		if caseID != 0 {
			f.cases[caseID] = true
		}
		if acct != "" && watched[acct] {
			f.mules[acct] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ar, err := q.Query(ctx, `SELECT holder_phone, number FROM accounts WHERE holder_phone <> ''`)
	if err != nil {
		return nil, fmt.Errorf("score phones: %w", err)
	}
	for ar.Next() {
		var phone, num string
		if err := ar.Scan(&phone, &num); err != nil {
			ar.Close()
			return nil, err
		}
		if f, ok := facts[phone]; ok && watched[num] {
			f.mules[num] = true
		}
	}
	ar.Close()
	out := make([]PhoneScore, 0, len(facts))
	for n, f := range facts {
		ps := PhoneScore{Number: n}
		p, c1 := phoneContrib("warned_people", "被预警人数", float64(len(f.people)), squash(float64(len(f.people)), 10), 40)
		c, c2 := phoneContrib("case_links", "关联案件数", float64(len(f.cases)), math.Min(1, float64(len(f.cases))/2), 30)
		m, c3 := phoneContrib("mule_accounts", "关联涉案/高风险账户数", float64(len(f.mules)), squash(float64(len(f.mules)), 5), 30)
		ps.Centi = c1 + c2 + c3
		ps.Explain = []Contribution{p, c, m}
		sort.SliceStable(ps.Explain, func(i, j int) bool { return ps.Explain[i].Points > ps.Explain[j].Points })
		out = append(out, ps)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Centi != out[j].Centi {
			return out[i].Centi > out[j].Centi
		}
		return out[i].Number < out[j].Number
	})
	return out, ar.Err()
}

// RescorePhones scores the phone numbers and stores the scores.
func RescorePhones(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	watched := map[string]bool{}
	rows, err := d.Query(ctx, `SELECT subject FROM intel_scores WHERE kind = 'account' AND watch = 1
		UNION SELECT subject FROM intel_labels WHERE kind = 'account' AND label = 'mule'`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, err
		}
		watched[s] = true
	}
	rows.Close()
	ps, err := ScorePhones(ctx, d, watched)
	if err != nil {
		return 0, err
	}
	thr := int64(PhoneThreshold * 100)
	return len(ps), d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM intel_scores WHERE kind = ?`, KindPhone); err != nil {
			return err
		}
		for _, p := range ps {
			ex, _ := json.Marshal(p.Explain)
			w := 0
			if p.Centi >= thr {
				w = 1
			}
			if _, err := tx.Exec(ctx, `INSERT INTO intel_scores (kind, subject, score_centi, watch, explain, computed_at) VALUES (?,?,?,?,?,?)`,
				KindPhone, p.Number, p.Centi, w, string(ex), db.Millis(now)); err != nil {
				return err
			}
		}
		return nil
	})
}

// visiblePhones limits phone numbers to those named in warnings of the
// jurisdiction (the centre sees all).
func visiblePhones(col string, scope area.Node) (string, []any) {
	if scope.ParentID == 0 {
		return "1=1", nil
	}
	c, a := area.UnderClause("w.area_id", scope)
	return col + ` IN (SELECT w.scam_phone FROM warnings w WHERE ` + c + `)`, []any{a}
}

// Rescored counts what RescoreAll scored.
type Rescored struct {
	Accounts int `json:"accounts"`
	Watch    int `json:"watch"` // accounts on the watch list
	Phones   int `json:"phones"`
}

// RescoreAll scores every account, then every phone number (whose score
// reads the accounts' watch list), and stores the scores.
func RescoreAll(ctx context.Context, d *db.DB, now time.Time) (Rescored, error) {
	var res Rescored
	var err error
	if res.Accounts, res.Watch, err = Rescore(ctx, d, now); err != nil {
		return res, err
	}
	res.Phones, err = RescorePhones(ctx, d, now)
	return res, err
}
