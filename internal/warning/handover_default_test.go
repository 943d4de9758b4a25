package warning

import "testing"

func TestDefaultHandoverTo(t *testing.T) {
	home := func(id int64, onDuty bool) Candidate { return Candidate{UserID: id, Home: true, OnDuty: onDuty} }
	away := func(id int64) Candidate { return Candidate{UserID: id, OnDuty: true} }
	for _, c := range []struct {
		name     string
		cands    []Candidate
		assignee int64
		want     int64
	}{
		{"first of the station on duty", []Candidate{home(1, true), home(2, true)}, 0, 1},
		{"not the assignee", []Candidate{home(1, true), home(2, true)}, 1, 2},
		{"off duty is no default", []Candidate{home(1, false), away(3)}, 0, 0},
		{"another station's officer is no default", []Candidate{away(3)}, 0, 0},
		{"only the assignee: back to the centre", []Candidate{home(1, true)}, 1, 0},
		{"nobody", nil, 0, 0},
	} {
		if got := DefaultHandoverTo(c.cands, c.assignee); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
