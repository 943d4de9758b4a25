package prevent

import (
	"strings"
	"testing"
	"time"
)

// Validate never panics on what a form can send, and an accepted event has
// known kinds, audiences and fraud types, each once, and numbers in range.
func FuzzValidateEvent(f *testing.F) {
	f.Add("lecture", "讲座", "elderly,students", "police, game", int64(30), int64(0), "station")
	f.Add("stall", " ", ",,", "", int64(-1), int64(5), "")
	f.Fuzz(func(t *testing.T, kind, title, audience, types string, reached, leaflets int64, org string) {
		now := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
		e := NewEvent{AreaID: 1, Kind: kind, At: now.Add(-time.Hour), Title: title, Audience: []string{audience},
			FraudTypes: []string{types}, Reached: reached, Leaflets: leaflets, OrganiserKind: org}
		if err := e.Validate(now); err != nil {
			return
		}
		seen := map[string]bool{}
		for _, a := range e.Audience {
			if !validOption(Audiences, a) || seen[a] {
				t.Fatalf("accepted audience %q in %v", a, e.Audience)
			}
			seen[a] = true
		}
		for _, x := range e.FraudTypes {
			if x == "" || strings.Contains(x, ",") || seen["t:"+x] {
				t.Fatalf("accepted fraud types %v", e.FraudTypes)
			}
			seen["t:"+x] = true
		}
		if e.Reached <= 0 || e.Reached > MaxReached || e.Leaflets < 0 || strings.TrimSpace(e.Title) == "" || !validOption(Kinds, e.Kind) {
			t.Fatalf("accepted %+v", e)
		}
	})
}
