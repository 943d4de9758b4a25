package web

import (
	"net/url"
	"strconv"
	"strings"
)

// The pagers, filter drop-downs and empty rows of list pages (the partials
// of templates/common).

// Pager is the numbered pager of a list page, shown by the "pager"
// partial (templates/common/pager.html): the links to the previous and
// the next page, "" on the first or the last.
type Pager struct {
	ID         string // the element's id
	Prev, Next string
	Page       int
}

// Keyset is the pager of a newest-first list paged by the last id, shown
// by the "keyset" partial: First leads back to the newest rows ("" when
// they are shown), Older to the rows after this page ("" when none).
type Keyset struct{ First, Older string }

// NewKeyset is the pager of a list filtered by params (name, value, name,
// value … in the order of the links) showing the rows before the id
// before (0: the newest) whose last row is next (0: no older rows).
func NewKeyset(before, next int64, params ...string) Keyset {
	var q strings.Builder
	for i := 0; i+1 < len(params); i += 2 {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(url.QueryEscape(params[i]) + "=" + url.QueryEscape(params[i+1]))
	}
	var k Keyset
	if before != 0 {
		k.First = "?" + q.String()
	}
	if next != 0 {
		k.Older = "?" + q.String() + "&before=" + strconv.FormatInt(next, 10)
	}
	return k
}

// EmptyRow is the row a table shows when it has none, by the "empty"
// partial (templates/common/table.html): {{template "empty" (empty 7 "没有案件")}}.
type EmptyRow struct {
	Cols int
	Text string
}

// Select is a drop-down of a filter bar, shown by the "select" partial
// (templates/common/filters.html).
type Select struct {
	Name    string // the query parameter
	Label   string // aria-label; "" when the first option says it
	Options []Option
}

// Option is one choice of a Select.
type Option struct {
	Value, Name string
	Selected    bool
}

// NewSelect is the drop-down of parameter name offering opts, with the
// option of value chosen selected.
func NewSelect(name, label, chosen string, opts ...Option) Select {
	for i := range opts {
		opts[i].Selected = opts[i].Value == chosen
	}
	return Select{Name: name, Label: label, Options: opts}
}
