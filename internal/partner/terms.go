package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/zone"
)

// Term is a legal duration: whole calendar months (counted in Asia/Shanghai,
// as the law counts them) plus a fixed duration.
type Term struct {
	Months int
	Dur    time.Duration
}

// From returns the end of a term starting at start.
func (t Term) From(start time.Time) time.Time {
	return start.In(zone.Shanghai).AddDate(0, t.Months, 0).Add(t.Dur).UTC()
}

// String writes the term as ParseTerms reads it: 6mo, 48h, 30d.
func (t Term) String() string {
	var parts []string
	if t.Months != 0 {
		parts = append(parts, strconv.Itoa(t.Months)+"mo")
	}
	if t.Dur != 0 || t.Months == 0 {
		parts = append(parts, durString(t.Dur))
	}
	return strings.Join(parts, "+")
}

// Terms are the legal durations of stop-payment and freeze and the leads of
// the reminders sent to the investigator before a term lapses.
type Terms struct {
	StopPayment       Term
	Freeze            Term
	RemindStopPayment []time.Duration // before a stop-payment lapses
	RemindFreeze      []time.Duration // before a freeze lapses
}

// DefaultTerms are the defaults of docs/FREEZE.md: emergency stop-payment
// 48 hours, freeze 6 months (renewable); reminders 12 hours before a
// stop-payment lapses, 7 days and 1 day before a freeze lapses.
func DefaultTerms() Terms {
	return Terms{
		StopPayment:       Term{Dur: 48 * time.Hour},
		Freeze:            Term{Months: 6},
		RemindStopPayment: []time.Duration{12 * time.Hour},
		RemindFreeze:      []time.Duration{7 * 24 * time.Hour, 24 * time.Hour},
	}
}

// TermOf is the term of a measure kind.
func (t Terms) TermOf(kind string) Term {
	if kind == "stop_payment" {
		return t.StopPayment
	}
	return t.Freeze
}

// RemindersOf are the reminder leads of a kind, longest first.
func (t Terms) RemindersOf(kind string) []time.Duration {
	if kind == "stop_payment" {
		return t.RemindStopPayment
	}
	return t.RemindFreeze
}

// String writes the terms as ParseTerms reads them.
func (t Terms) String() string {
	rem := func(ds []time.Duration) string {
		var s []string
		for _, d := range ds {
			s = append(s, durString(d))
		}
		if len(s) == 0 {
			return "none"
		}
		return strings.Join(s, "/")
	}
	return fmt.Sprintf("stop_payment=%s,freeze=%s,remind_stop_payment=%s,remind_freeze=%s",
		t.StopPayment, t.Freeze, rem(t.RemindStopPayment), rem(t.RemindFreeze))
}

// ParseTerms reads "stop_payment=48h,freeze=6mo,remind_stop_payment=12h,
// remind_freeze=7d/1d" over the defaults; a key left out keeps its
// default. Durations are Go durations (48h, 90m) or whole days (7d) or
// months (6mo); a reminder list is separated by '/', or "none".
func ParseTerms(s string) (Terms, error) {
	t := DefaultTerms()
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return t, fmt.Errorf("term %q: want key=duration", kv)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "stop_payment", "freeze":
			term, err := parseTerm(v)
			if err != nil {
				return t, fmt.Errorf("term %s: %w", k, err)
			}
			if k == "freeze" {
				t.Freeze = term
			} else {
				t.StopPayment = term
			}
		case "remind_stop_payment", "remind_freeze":
			var leads []time.Duration
			if v != "none" {
				for _, x := range strings.Split(v, "/") {
					d, err := parseDur(strings.TrimSpace(x))
					if err != nil {
						return t, fmt.Errorf("term %s: %w", k, err)
					}
					leads = append(leads, d)
				}
			}
			sort.Slice(leads, func(i, j int) bool { return leads[i] > leads[j] })
			if k == "remind_freeze" {
				t.RemindFreeze = leads
			} else {
				t.RemindStopPayment = leads
			}
		default:
			return t, fmt.Errorf("term key %q: use stop_payment, freeze, remind_stop_payment or remind_freeze", k)
		}
	}
	return t, nil
}

func parseTerm(v string) (Term, error) {
	if n, ok := strings.CutSuffix(v, "mo"); ok {
		m, err := strconv.Atoi(n)
		if err != nil || m <= 0 {
			return Term{}, fmt.Errorf("%q is not a whole number of months like 6mo", v)
		}
		return Term{Months: m}, nil
	}
	d, err := parseDur(v)
	return Term{Dur: d}, err
}

func parseDur(v string) (time.Duration, error) {
	if d, ok := zone.ParseSpan(v); ok {
		return d, nil
	}
	if _, ok := strings.CutSuffix(v, "d"); ok {
		return 0, fmt.Errorf("%q is not a whole number of days like 7d", v)
	}
	return 0, fmt.Errorf("%q is not a positive duration like 48h, 7d or 6mo", v)
}

func durString(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return d.String()
}

// termsSetting is the settings row holding the terms in force.
const termsSetting = "freeze_terms"

// SaveTerms stores the terms in force (the serve flag --freeze-terms writes
// them at start), so that every confirmation and the lapse worker use the
// same durations.
func SaveTerms(ctx context.Context, q db.Querier, t Terms) error {
	_, err := q.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		termsSetting, t.String())
	if err != nil {
		return fmt.Errorf("save freeze terms: %w", err)
	}
	return nil
}

// LoadTerms returns the stored terms, or the defaults when none are stored.
func LoadTerms(ctx context.Context, q db.Querier) (Terms, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, termsSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultTerms(), nil
	}
	if err != nil {
		return Terms{}, fmt.Errorf("load freeze terms: %w", err)
	}
	return ParseTerms(v)
}
