package warning

import (
	"fmt"
	"strings"
	"time"
)

// Policy holds the deadlines per grade and the points of the warning score. The defaults follow what county
// centres publish: a fund warning means money is moving, so the first call
// must be within minutes.
type Policy struct {
	// ContactWithin is the time from receipt to the first contact attempt.
	ContactWithin map[Grade]time.Duration
	// OnsiteWithin is the time from "cannot be reached" or "still at risk"
	// to an on-site check (落地核查), for fund and high-risk warnings.
	OnsiteWithin time.Duration
	// Points are the points of the warning score; nil means the defaults
	// (DefaultScorePoints).
	Points *ScorePoints
}

// Scoring returns the score points in force.
func (p Policy) Scoring() ScorePoints {
	if p.Points == nil {
		return defaultPoints
	}
	return *p.Points
}

// DefaultPolicy: first contact within 10 minutes for a fund warning, 30
// minutes for high-risk, 24 hours for ordinary; an on-site check within 2
// hours when a fund or high-risk person cannot be reached or is still at risk.
func DefaultPolicy() Policy {
	return Policy{
		ContactWithin: map[Grade]time.Duration{
			GradeFund:     10 * time.Minute,
			GradeHigh:     30 * time.Minute,
			GradeOrdinary: 24 * time.Hour,
		},
		OnsiteWithin: 2 * time.Hour,
	}
}

// ContactDue is the first-contact deadline of a warning received at t.
func (p Policy) ContactDue(g Grade, received time.Time) time.Time {
	d, ok := p.ContactWithin[g]
	if !ok {
		d = p.ContactWithin[GradeOrdinary]
	}
	return received.Add(d)
}

// NeedsOnsite reports whether a grade requires an on-site check when the
// person is unreachable or still at risk.
func (p Policy) NeedsOnsite(g Grade) bool { return g == GradeFund || g == GradeHigh }

// ParsePolicy reads a policy from "fund=10m,high=30m,ordinary=24h,onsite=2h";
// missing keys keep their defaults.
func ParsePolicy(s string) (Policy, error) {
	p := DefaultPolicy()
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return p, fmt.Errorf("deadline %q: want key=duration", kv)
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			return p, fmt.Errorf("deadline %q: %q is not a positive duration like 10m or 24h", k, v)
		}
		switch strings.TrimSpace(k) {
		case "fund":
			p.ContactWithin[GradeFund] = d
		case "high":
			p.ContactWithin[GradeHigh] = d
		case "ordinary":
			p.ContactWithin[GradeOrdinary] = d
		case "onsite":
			p.OnsiteWithin = d
		default:
			return p, fmt.Errorf("deadline key %q: use fund, high, ordinary or onsite", k)
		}
	}
	return p, nil
}
