package area

import (
	"fmt"
	"testing"
)

// Fold leaves out what lies below the kept depth except the path to the
// open node, and marks the rows whose children are left out.
func TestFold(t *testing.T) {
	row := func(id, parent int64, depth, children int) TreeRow {
		return TreeRow{Node: Node{ID: id, ParentID: parent}, Depth: depth, Children: children}
	}
	// 1 → 2 → 3 → {4 → 6, 5}; 1 → 7 → 8
	rows := []TreeRow{row(1, 0, 0, 2), row(2, 1, 1, 1), row(3, 2, 2, 2), row(4, 3, 3, 1), row(6, 4, 4, 0), row(5, 3, 3, 0),
		row(7, 1, 1, 1), row(8, 7, 2, 0)}
	show := func(rs []TreeRow) string {
		s := ""
		for _, r := range rs {
			s += fmt.Sprint(r.ID)
			if r.Folded {
				s += "+"
			}
			s += " "
		}
		return s
	}
	for _, tc := range []struct {
		keep int
		open int64
		want string
	}{
		{2, 0, "1 2 3+ 7 8 "},
		{2, 3, "1 2 3 4+ 5 7 8 "},
		{2, 4, "1 2 3 4 6 5 7 8 "},
		{2, 99, "1 2 3+ 7 8 "}, // a node not in the tree opens nothing
		{1, 0, "1 2+ 7+ "},
		{9, 0, "1 2 3 4 6 5 7 8 "},
	} {
		if got := show(Fold(rows, tc.keep, tc.open)); got != tc.want {
			t.Errorf("Fold(keep %d, open %d) = %q, want %q", tc.keep, tc.open, got, tc.want)
		}
	}
}
