package assess_test

import (
	"testing"

	"github.com/fanzha/fanzha/internal/assess"
)

// The four colours at and around each bound, in both directions.
func TestThresholdsGrade(t *testing.T) {
	up := assess.Thresholds{Red: 800, Orange: 850, Yellow: 900, HigherBetter: true}
	down := assess.Thresholds{Red: 50, Orange: 30, Yellow: 10}
	for _, c := range []struct {
		t    assess.Thresholds
		v    int64
		want assess.Colour
	}{
		{up, 0, assess.Red}, {up, 799, assess.Red}, {up, 800, assess.Orange}, {up, 849, assess.Orange},
		{up, 850, assess.Yellow}, {up, 899, assess.Yellow}, {up, 900, assess.Green}, {up, 1000, assess.Green},
		{down, 1000, assess.Red}, {down, 51, assess.Red}, {down, 50, assess.Orange}, {down, 31, assess.Orange},
		{down, 30, assess.Yellow}, {down, 11, assess.Yellow}, {down, 10, assess.Green}, {down, 0, assess.Green},
	} {
		if got := c.t.Grade(c.v); got != c.want {
			t.Errorf("%+v.Grade(%d) = %s, want %s", c.t, c.v, got, c.want)
		}
	}
}

func TestParseThresholds(t *testing.T) {
	for _, c := range []struct {
		in     string
		higher bool
		bad    bool
	}{
		{"800/850/900", true, false}, {" 0/0/0 ", true, false}, {"900/850/800", true, true},
		{"50/30/10", false, false}, {"10/30/50", false, true}, {"1/2", true, true}, {"a/b/c", true, true}, {"-1/0/1", true, true},
	} {
		th, err := assess.ParseThresholds(c.in, c.higher)
		if (err != nil) != c.bad {
			t.Errorf("ParseThresholds(%q, %v) = %+v, %v", c.in, c.higher, th, err)
		}
	}
}

func TestWorse(t *testing.T) {
	for _, c := range []struct{ a, b, want assess.Colour }{
		{assess.Green, assess.Red, assess.Red}, {assess.Yellow, assess.Orange, assess.Orange}, {assess.None, assess.Green, assess.Green},
		{assess.Yellow, assess.None, assess.Yellow}, {assess.None, assess.None, assess.None},
	} {
		if got := assess.Worse(c.a, c.b); got != c.want {
			t.Errorf("Worse(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
