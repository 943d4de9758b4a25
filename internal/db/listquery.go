package db

import (
	"strconv"
	"strings"
	"time"
)

// Where is the WHERE clause of a list query as it is built from a filter:
// conditions joined by AND, with their '?' arguments in the same order. The
// zero value is an empty clause; a list query usually starts it with the
// caller's jurisdiction (area.UnderClause).
type Where struct {
	conds []string
	args  []any
}

// And adds a condition with its arguments.
func (w *Where) And(cond string, args ...any) *Where {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
	return w
}

// AndIf adds the condition when ok, typically "the filter field is set".
func (w *Where) AndIf(ok bool, cond string, args ...any) *Where {
	if ok {
		w.And(cond, args...)
	}
	return w
}

// Between keeps the rows whose time column (milliseconds) is in [from, to);
// a zero from or to leaves that side open.
func (w *Where) Between(col string, from, to time.Time) *Where {
	w.AndIf(!from.IsZero(), col+" >= ?", Millis(from))
	return w.AndIf(!to.IsZero(), col+" < ?", Millis(to))
}

// Contains keeps the rows where one of the columns contains text, unless
// text is blank. '%' and '_' are dropped from text, so a search never
// becomes a pattern.
func (w *Where) Contains(text string, cols ...string) *Where {
	text = strings.TrimSpace(text)
	if text == "" || len(cols) == 0 {
		return w
	}
	like := "%" + strings.NewReplacer("%", "", "_", "").Replace(text) + "%"
	ors := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		ors[i], args[i] = c+" LIKE ?", like
	}
	return w.And("("+strings.Join(ors, " OR ")+")", args...)
}

// String is the conditions joined by AND ("1=1" when there are none), to
// follow WHERE.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.conds, " AND ")
}

// Args are the arguments of the conditions, in order.
func (w *Where) Args() []any { return w.args }

// Page is the window of a list query: at most Limit rows after the first
// Offset.
type Page struct {
	Limit  int
	Offset int
}

// Clamp is the page a query may run: an unset Limit (≤ 0) is def, one
// above most is most; a negative Offset is 0.
func (p Page) Clamp(def, most int) Page {
	switch {
	case p.Limit <= 0:
		p.Limit = def
	case p.Limit > most:
		p.Limit = most
	}
	p.Offset = max(p.Offset, 0)
	return p
}

// ClampToDefault is Clamp for the lists where a Limit above most is taken
// as unset: it becomes def.
func (p Page) ClampToDefault(def, most int) Page {
	if p.Limit > most {
		p.Limit = 0
	}
	return p.Clamp(def, most)
}

// SQL is the page's LIMIT (and OFFSET, when there is one) clause, with a
// leading space, for the end of a query.
func (p Page) SQL() string {
	s := " LIMIT " + strconv.Itoa(max(p.Limit, 0))
	if p.Offset > 0 {
		s += " OFFSET " + strconv.Itoa(p.Offset)
	}
	return s
}
