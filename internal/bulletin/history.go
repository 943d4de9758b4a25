package bulletin

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// Source is a kind of record a bulletin figure is counted from.
type Source string

// The sources of the figures: cases (with their victims and the money
// stopped, frozen and returned for them), warnings, prevention events.
const (
	SourceCases    Source = "cases"
	SourceWarnings Source = "warnings"
	SourceEvents   Source = "events"
)

// Sources are all sources, in the order of the notes.
var Sources = []Source{SourceCases, SourceWarnings, SourceEvents}

func (s Source) name() string {
	switch s {
	case SourceCases:
		return "案件"
	case SourceWarnings:
		return "预警"
	}
	return "宣传活动"
}

// History is when the database has data of each source: the local day of
// the first record of its kind (cases.reported_at, warnings.received_at,
// prevention_events.at). A source without any record has a zero time.
//
// "No data" for a period and a source means the whole period lies before
// that day (it ends on or before it), or the source has no record at all:
// the period is then not compared, and its figures are shown as "—" and
// returned as null, never as 0. A period that ends after that day has data
// and is compared (a 0 there is a real 0); when it begins before that day
// it is only partly covered, and the bulletin says so in a note.
type History map[Source]time.Time

// LoadHistory reads the first record of each source, cut in loc.
func LoadHistory(ctx context.Context, q db.Querier, loc *time.Location) (History, error) {
	h := History{}
	for _, x := range []struct {
		s   Source
		sql string
	}{
		{SourceCases, `SELECT MIN(reported_at) FROM cases`},
		{SourceWarnings, `SELECT MIN(received_at) FROM warnings`},
		{SourceEvents, `SELECT MIN(at) FROM prevention_events`},
	} {
		var v sql.NullInt64
		if err := q.QueryRow(ctx, x.sql).Scan(&v); err != nil {
			return nil, fmt.Errorf("bulletin history %s: %w", x.s, err)
		}
		if v.Valid {
			h[x.s] = midnight(db.Time(v.Int64), loc)
		}
	}
	return h, nil
}

// Has reports whether period p has data of source s.
func (h History) Has(s Source, p Period) bool {
	start, ok := h[s]
	if !ok || start.IsZero() {
		return false
	}
	return p.To.After(start)
}

// Partial reports whether period p has data of source s but begins before
// its first record.
func (h History) Partial(s Source, p Period) bool {
	return h.Has(s, p) && p.From.Before(h[s])
}

// partialNote is the note of a compared period only partly covered, e.g.
// "去年同期数据不完整（预警自 2025-11-20 起有数据）"; "" when it is whole.
func (h History) partialNote(what string, p Period) string {
	var since []string
	for _, s := range Sources {
		if h.Partial(s, p) {
			since = append(since, s.name()+"自 "+h[s].Format("2006-01-02"))
		}
	}
	if len(since) == 0 {
		return ""
	}
	text := what + "数据不完整（"
	for i, x := range since {
		if i > 0 {
			text += "，"
		}
		text += x
	}
	return text + " 起有数据）"
}

// Availability says which sources a compared period has data of.
type Availability map[Source]bool

func (h History) availability(p Period) Availability {
	a := Availability{}
	for _, s := range Sources {
		a[s] = h.Has(s, p)
	}
	return a
}

// note is the sentence that explains a compared period without data, e.g.
// "无去年同期数据（系统自 2025-12 起有数据）"; "" when every source has data.
func (h History) note(what string, a Availability) string {
	var missing []Source
	for _, s := range Sources {
		if !a[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	text := "无" + what + "数据"
	if len(missing) < len(Sources) {
		text = "无" + what
		for i, s := range missing {
			if i > 0 {
				text += "、"
			}
			text += s.name()
		}
		text += "数据"
	}
	var since []string
	var earliest time.Time
	for _, s := range missing {
		if t, ok := h[s]; ok && !t.IsZero() {
			since = append(since, s.name()+"自 "+t.Format("2006-01-02"))
			if earliest.IsZero() || t.Before(earliest) {
				earliest = t
			}
		}
	}
	switch {
	case len(since) == 0:
		text += "（系统中尚无记录）"
	case len(missing) == len(Sources):
		text += "（系统自 " + earliest.Format("2006-01-02") + " 起有数据）"
	default:
		text += "（"
		for i, x := range since {
			if i > 0 {
				text += "，"
			}
			text += x
		}
		text += " 起有数据）"
	}
	return text
}

// MarshalJSON writes the figures, with the figures of sources the period
// has no data of as null (not 0).
func (f Figures) MarshalJSON() ([]byte, error) {
	type plain Figures
	raw, err := json.Marshal(plain(f))
	if err != nil || f.Missing == nil {
		return raw, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for s, keys := range sourceKeys {
		if !f.Missing.has(s) {
			for _, k := range keys {
				m[k] = json.RawMessage("null")
			}
		}
	}
	m["no_data"] = mustJSON(f.Missing.missing())
	return json.Marshal(m)
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// sourceKeys are the JSON keys of Figures counted from each source.
var sourceKeys = map[Source][]string{
	SourceCases: {"cases", "loss_fen", "by_type", "by_area", "victims", "by_age", "by_sex",
		"frozen_accounts", "frozen_fen", "stopped_accounts", "stopped_fen", "returned_fen"},
	SourceWarnings: {"warnings", "fund_warnings", "high_warnings", "dissuaded", "defrauded", "unreachable", "false_alarm",
		"kept_fen", "onsite_required", "onsite_done"},
	SourceEvents: {"prevention_events", "people_reached", "villages", "villages_reached"},
}

func (a Availability) has(s Source) bool { return a == nil || a[s] }

func (a Availability) missing() []Source {
	out := []Source{}
	for _, s := range Sources {
		if !a.has(s) {
			out = append(out, s)
		}
	}
	return out
}
