package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// The county day simulator compares dispatch policies on the same seeded
// days. Warnings arrive by a realistic hourly pattern; each fund and
// high-risk warning carries a hidden time-to-transfer (when the person will
// pay the fraudster if nobody reaches them first); officers make a limited
// number of contacts per hour. A warning contacted before its transfer
// keeps its money with the dissuasion success probability; one contacted
// after keeps nothing.
//
// Both policies see the same warnings, the same officers, the same hidden
// fuses and the same random outcome of each call: the only difference is
// the order in which queues are worked and who takes what.

// DayConfig describes a simulated day.
type DayConfig struct {
	Seed int64
	// WarningsPerDay is the mean number of warnings; a busy district's
	// busy day (PRODUCT.md: ~20,500 a year, with peaks well above the mean).
	WarningsPerDay int
	Stations       int
	// StationOfficers on duty per station during the day shift (08–20),
	// NightOfficers at night; CentreOfficers can take any station's warnings.
	StationOfficers int
	NightOfficers   int
	CentreOfficers  int
	// ContactMinutes is the mean dispatchOfficer time per contact (call, notes,
	// follow-up); it bounds contacts per dispatchOfficer-hour.
	ContactMinutes float64
	// DissuadeProb is the chance a person reached before the transfer is
	// talked out of it.
	DissuadeProb float64
	// PushedShare is the share of warnings that arrive in the upper-level
	// centre's list pushes (see dispatchPushes) rather than one by one.
	PushedShare float64
}

// dispatchPushes are the hours at which the upper-level centre pushes its
// warning lists.
var dispatchPushes = []float64{9, 11, 14.5, 16.5, 19.5}

// DefaultDayConfig is the calibrated busy day of `fanzha bench dispatch`:
// 9 stations with one dissuader on duty each by day (two are often out on
// site checks), one at night, two centre dissuaders, 20 minutes of dispatchOfficer
// time per warning (call, second call to family or bank, notes), 160
// warnings in the day.
func DefaultDayConfig(seed int64) DayConfig {
	return DayConfig{Seed: seed, WarningsPerDay: 350, Stations: 9, StationOfficers: 1, NightOfficers: 1, CentreOfficers: 2,
		ContactMinutes: 25, DissuadeProb: 0.85, PushedShare: 0.5}
}

// SimWarning is one warning of a simulated day.
type SimWarning struct {
	ID        int
	Station   int
	Grade     string  // fund | high | ordinary
	Arrive    float64 // seconds since midnight
	Transfer  float64 // hidden: seconds since midnight when the money moves (+Inf when never)
	AmountFen int64
	Age       int
	reached   float64
	// Call outcome drawn in advance so both policies face the same luck.
	persuaded bool
	service   float64
}

// hourly share of warnings by hour of day (Asia/Shanghai), from the
// daytime-heavy pattern centres report: quiet nights, a morning rise, peaks
// late morning and evening.
var dispatchHourly = [24]float64{0.8, 0.5, 0.4, 0.3, 0.3, 0.5, 1.0, 2.0, 4.0, 5.5, 6.5, 6.5, 5.0, 5.0, 6.0, 6.0, 5.5, 5.0, 5.0, 6.0, 6.5, 5.5, 3.5, 1.8}

// GenerateDay draws the warnings of one day.
func GenerateDay(c DayConfig, day int) []SimWarning {
	rng := rand.New(rand.NewPCG(uint64(c.Seed), uint64(day)*7919+1))
	var total float64
	for _, w := range dispatchHourly {
		total += w
	}
	n := c.WarningsPerDay + int(rng.NormFloat64()*math.Sqrt(float64(c.WarningsPerDay)))
	out := make([]SimWarning, 0, n)
	for i := 0; i < n; i++ {
		// Hour by the weights, minute uniform.
		x := rng.Float64() * total
		h := 0
		for ; h < 23 && x > dispatchHourly[h]; h++ {
			x -= dispatchHourly[h]
		}
		arrive := float64(h)*3600 + rng.Float64()*3600
		// The upper-level centre pushes most of its warnings as lists a few
		// times a day: a queue builds at once at every push.
		if rng.Float64() < c.PushedShare {
			arrive = dispatchPushes[rng.IntN(len(dispatchPushes))]*3600 + rng.Float64()*120
		}
		w := SimWarning{ID: i, Station: rng.IntN(c.Stations), Arrive: arrive, Transfer: math.Inf(1)}
		w.Age = 18 + rng.IntN(70)
		switch r := rng.Float64(); {
		case r < 0.06: // fund warnings: money about to move within minutes
			w.Grade = "fund"
			w.AmountFen = int64(dispatchLognormal(rng, math.Log(60000), 0.9)) * 100
			w.Transfer = arrive + dispatchLognormal(rng, math.Log(25*60), 0.8)
		case r < 0.34: // high-risk: the scam is under way, money moves within hours
			w.Grade = "high"
			w.AmountFen = int64(dispatchLognormal(rng, math.Log(15000), 1.0)) * 100
			w.Transfer = arrive + dispatchLognormal(rng, math.Log(150*60), 0.9)
		default: // ordinary: contact, educate; little money at immediate risk
			w.Grade = "ordinary"
			w.AmountFen = int64(dispatchLognormal(rng, math.Log(2000), 1.0)) * 100
			if rng.Float64() < 0.3 {
				w.Transfer = arrive + dispatchLognormal(rng, math.Log(20*3600), 0.7)
			}
		}
		w.persuaded = rng.Float64() < c.DissuadeProb
		w.service = math.Max(180, rng.ExpFloat64()*c.ContactMinutes*60)
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arrive < out[j].Arrive })
	for i := range out {
		out[i].ID = i
	}
	return out
}

func dispatchLognormal(rng *rand.Rand, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*rng.NormFloat64())
}

// Policy chooses which waiting warning a free dispatchOfficer takes.
type Policy interface {
	Name() string
	// Pick returns the index in waiting of the warning to take, or -1.
	// station is the dispatchOfficer's station, or -1 for a centre dispatchOfficer who can
	// take any station's warning.
	Pick(waiting []*SimWarning, station int, now float64) int
}

// FIFO works the oldest warning first: a station dispatchOfficer takes the oldest
// of the station, a centre dispatchOfficer the oldest of the county.
type FIFO struct{}

// Name of the policy.
func (FIFO) Name() string { return "fifo" }

// Pick the oldest.
func (FIFO) Pick(waiting []*SimWarning, station int, now float64) int {
	best := -1
	for i, w := range waiting {
		if station >= 0 && w.Station != station {
			continue
		}
		if best < 0 || w.Arrive < waiting[best].Arrive {
			best = i
		}
	}
	return best
}

// LossWeighted is fanzha's dispatch: take the warning with the largest
// expected money saved by calling now — the amount at risk times the
// chance the money has not moved yet, given the time since it arrived and
// the grade's known distribution of time-to-transfer. The fuse of a single
// warning is unknown; its distribution per grade is learned from history.
// Warnings whose money has most likely moved already fall back, so an
// dispatchOfficer's call goes where it can still change the outcome. Centre
// officers take the best warning of the whole county, which moves capacity
// to the station that is overloaded now.
type LossWeighted struct{}

// Name of the policy.
func (LossWeighted) Name() string { return "fanzha" }

// Pick the warning of greatest expected loss averted.
func (LossWeighted) Pick(waiting []*SimWarning, station int, now float64) int {
	best, bestV := -1, -1.0
	for i, w := range waiting {
		if station >= 0 && w.Station != station {
			continue
		}
		v := float64(w.AmountFen) * transferSurvival(w.Grade, now-w.Arrive)
		// Elderly people are called first among equals: they are the ones a
		// scam most often empties.
		if w.Age >= 60 {
			v *= 1.1
		}
		if v > bestV || (v == bestV && best >= 0 && w.Arrive < waiting[best].Arrive) {
			best, bestV = i, v
		}
	}
	return best
}

// survival is the probability the money has not moved after elapsed
// seconds, for the grade's lognormal time-to-transfer (the same parameters
// the history gives), minus nothing else: an ordinary warning's small
// chance of a transfer at all is folded in.
func transferSurvival(grade string, elapsed float64) float64 {
	var mu, sigma, p float64
	switch grade {
	case "fund":
		mu, sigma, p = math.Log(25*60), 0.8, 1
	case "high":
		mu, sigma, p = math.Log(150*60), 0.9, 1
	default:
		mu, sigma, p = math.Log(20*3600), 0.7, 0.3
	}
	if elapsed <= 0 {
		return p
	}
	z := (math.Log(elapsed) - mu) / sigma
	return p * 0.5 * math.Erfc(z/math.Sqrt2)
}

// DayResult is the outcome of one policy on one day.
type DayResult struct {
	Policy        string
	Warnings      int
	AtRisk        int   // fund and high-risk warnings
	InTime        int   // of AtRisk, contacted before their transfer
	KeptFen       int64 // money kept from loss, all grades
	AtRiskFen     int64 // money at risk with a transfer that would happen
	MeanWaitS     float64
	OrdinaryWaitS float64
}

// InTimeShare is InTime/AtRisk.
func (r DayResult) InTimeShare() float64 {
	if r.AtRisk == 0 {
		return 0
	}
	return float64(r.InTime) / float64(r.AtRisk)
}

type dispatchOfficer struct {
	station int // -1 centre
	freeAt  float64
	night   bool // on duty at night only
	day     bool // on duty by day only
}

// RunDay replays a day under a policy.
func RunDay(c DayConfig, warnings []SimWarning, p Policy) DayResult {
	ws := make([]SimWarning, len(warnings))
	copy(ws, warnings)
	var offs []*dispatchOfficer
	for s := 0; s < c.Stations; s++ {
		for k := 0; k < c.StationOfficers; k++ {
			offs = append(offs, &dispatchOfficer{station: s, day: true})
		}
		for k := 0; k < c.NightOfficers; k++ {
			offs = append(offs, &dispatchOfficer{station: s, night: true})
		}
	}
	for k := 0; k < c.CentreOfficers; k++ {
		offs = append(offs, &dispatchOfficer{station: -1})
	}
	onDuty := func(o *dispatchOfficer, t float64) bool {
		h := math.Mod(t/3600, 24)
		isDay := h >= 8 && h < 20
		switch {
		case o.day:
			return isDay
		case o.night:
			return !isDay
		}
		return true
	}
	res := DayResult{Policy: p.Name(), Warnings: len(ws)}
	var waiting []*SimWarning
	next := 0
	now := 0.0
	const horizon = 36 * 3600.0 // the day's warnings are worked into the next morning
	var waitSum, ordWait float64
	var ordN int
	for now < horizon {
		for next < len(ws) && ws[next].Arrive <= now {
			waiting = append(waiting, &ws[next])
			next++
		}
		progressed := false
		for _, o := range offs {
			if o.freeAt > now || !onDuty(o, now) || len(waiting) == 0 {
				continue
			}
			i := p.Pick(waiting, o.station, now)
			if i < 0 {
				continue
			}
			w := waiting[i]
			waiting = append(waiting[:i], waiting[i+1:]...)
			w.reached = now
			o.freeAt = now + w.service
			waitSum += now - w.Arrive
			if w.Grade == "ordinary" {
				ordWait += now - w.Arrive
				ordN++
			}
			progressed = true
		}
		if next >= len(ws) && len(waiting) == 0 {
			break
		}
		if !progressed {
			// Advance to the next event: an arrival or an dispatchOfficer freeing up.
			t := horizon
			if next < len(ws) {
				t = ws[next].Arrive
			}
			for _, o := range offs {
				if o.freeAt > now && o.freeAt < t {
					t = o.freeAt
				}
			}
			// Shift changes at 08:00 and 20:00 (and the next day's).
			for _, sh := range []float64{8 * 3600, 20 * 3600, 32 * 3600} {
				if sh > now && sh < t {
					t = sh
				}
			}
			if t <= now {
				t = now + 1
			}
			now = t
		}
	}
	reachedN := 0
	for _, w := range ws {
		if w.reached > 0 {
			reachedN++
		}
		inTime := w.reached > 0 && w.reached < w.Transfer
		if w.Grade != "ordinary" {
			res.AtRisk++
			if inTime {
				res.InTime++
			}
		}
		if !math.IsInf(w.Transfer, 1) {
			res.AtRiskFen += w.AmountFen
			if inTime && w.persuaded {
				res.KeptFen += w.AmountFen
			}
		}
	}
	if reachedN > 0 {
		res.MeanWaitS = waitSum / float64(reachedN)
	}
	if ordN > 0 {
		res.OrdinaryWaitS = ordWait / float64(ordN)
	}
	return res
}

// DispatchComparison is the result of `fanzha bench dispatch`.
type DispatchComparison struct {
	Days     int
	FIFO     DayResult // summed over days
	Fanzha   DayResult
	PerDay   [][2]DayResult
	Duration time.Duration
}

// CompareDispatch replays days seeded days under FIFO and fanzha's policy.
func CompareDispatch(c DayConfig, days int) DispatchComparison {
	start := time.Now()
	out := DispatchComparison{Days: days, FIFO: DayResult{Policy: "fifo"}, Fanzha: DayResult{Policy: "fanzha"}}
	add := func(dst *DayResult, r DayResult) {
		dst.Warnings += r.Warnings
		dst.AtRisk += r.AtRisk
		dst.InTime += r.InTime
		dst.KeptFen += r.KeptFen
		dst.AtRiskFen += r.AtRiskFen
		dst.MeanWaitS += r.MeanWaitS / float64(days)
		dst.OrdinaryWaitS += r.OrdinaryWaitS / float64(days)
	}
	for d := 0; d < days; d++ {
		ws := GenerateDay(c, d)
		f := RunDay(c, ws, FIFO{})
		z := RunDay(c, ws, LossWeighted{})
		add(&out.FIFO, f)
		add(&out.Fanzha, z)
		out.PerDay = append(out.PerDay, [2]DayResult{f, z})
	}
	out.Duration = time.Since(start)
	return out
}

// Describe formats one result line.
func (r DayResult) Describe() string {
	return fmt.Sprintf("%-7s warnings %5d  fund+high %4d  in time %5.1f%%  kept ¥%12.2f of ¥%12.2f  mean wait %5.1f min (ordinary %5.1f min)",
		r.Policy, r.Warnings, r.AtRisk, 100*r.InTimeShare(), float64(r.KeptFen)/100, float64(r.AtRiskFen)/100, r.MeanWaitS/60, r.OrdinaryWaitS/60)
}
