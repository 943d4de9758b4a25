package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// The county day simulator replays seeded days through the product (the
// warning package on a temporary SQLite database, see RunDay) to compare
// fanzha's dispatch order with first-come-first-served. Warnings arrive by a realistic hourly pattern; each fund and
// high-risk warning carries a hidden time-to-transfer (when the person will
// pay the fraudster if nobody reaches them first); officers make a limited
// number of contacts per hour. A warning contacted before its transfer
// keeps its money with the dissuasion success probability; one contacted
// after keeps nothing.
//
// Both runs see the same warnings, the same officers, the same hidden
// fuses and the same random outcome of each call: the only difference is
// the order 「下一条」 hands out waiting warnings (warning.DispatchOrder).

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

// dispatchTowns name the simulated county's stations' towns; addresses
// name them so that the product's address matcher routes each warning.
var dispatchTowns = []string{"青石镇", "城关镇", "柳河镇", "白沙镇", "龙泉镇", "桃源镇", "双溪镇", "松林镇", "金山镇", "凤鸣镇", "石门镇", "清水镇"}

// dispatchBase is midnight (Asia/Shanghai) of the simulated day.
var dispatchBase = time.Date(2026, 11, 2, 0, 0, 0, 0, zone.Shanghai)

type dispatchOfficer struct {
	user    auth.User
	scope   area.Node
	station int // -1 centre
	day     bool
	night   bool
	freeAt  float64
	callEnd float64 // when the call ends and the contact is recorded
	called  bool    // the contact of current is recorded
	current int64   // warning being worked, 0 when free
	idle    bool    // asked and got nothing since the last change
}

// RunDay replays a day through the product on a fresh temporary SQLite
// database: the county, its dissuaders and their shifts are created as an
// administrator would; each warning arrives through warning.Intake (routing
// by address, assignment by load); every free on-duty officer presses
// 「下一条」 (warning.Next under order); when the call is over the contact and
// the outcome are recorded with warning.RecordContact and
// warning.SetOutcome, the functions the API calls. The clock is simulated.
func RunDay(ctx context.Context, c DayConfig, warnings []SimWarning, order warning.DispatchOrder, name string) (DayResult, error) {
	dir, err := os.MkdirTemp("", "fanzha-dispatch-")
	if err != nil {
		return DayResult{}, err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, filepath.Join(dir, "day.db"), "")
	if err != nil {
		return DayResult{}, err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return DayResult{}, err
	}
	if c.Stations > len(dispatchTowns) {
		return DayResult{}, fmt.Errorf("at most %d stations", len(dispatchTowns))
	}
	auth.BcryptCost = 4
	root := area.Node{Level: area.County, Kind: "县", Code: "SIM", Name: "云溪县", Aliases: "云溪"}
	if err := area.Create(ctx, d, &root); err != nil {
		return DayResult{}, err
	}
	var offs []*dispatchOfficer
	seq := 0
	officer := func(scope area.Node, station int, day, night bool) error {
		seq++
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: fmt.Sprintf("o%d", seq), DisplayName: fmt.Sprintf("劝阻员%d", seq),
			Role: auth.RoleDissuader, AreaID: scope.ID, Password: "Sim-dispatch-2026!"})
		if err != nil {
			return err
		}
		offs = append(offs, &dispatchOfficer{user: u, scope: scope, station: station, day: day, night: night})
		// Shifts over the simulated 36 hours: by day 08–20, by night
		// 20–08 (and the night before), the centre around the clock.
		var spans [][2]float64
		switch {
		case day:
			spans = [][2]float64{{8, 20}, {32, 44}}
		case night:
			spans = [][2]float64{{-4, 8}, {20, 32}}
		default:
			spans = [][2]float64{{-4, 44}}
		}
		for _, sp := range spans {
			if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
				u.ID, scope.ID, "dissuader", db.Millis(dispatchAt(sp[0]*3600)), db.Millis(dispatchAt(sp[1]*3600))); err != nil {
				return err
			}
		}
		return nil
	}
	for s := 0; s < c.Stations; s++ {
		st := area.Node{ParentID: root.ID, Level: area.Station, Kind: "派出所", Code: fmt.Sprintf("SIM-S%d", s), Name: dispatchTowns[s][:len(dispatchTowns[s])-len("镇")] + "派出所"}
		if err := area.Create(ctx, d, &st); err != nil {
			return DayResult{}, err
		}
		town := area.Node{ParentID: st.ID, Level: area.Town, Kind: "镇", Code: fmt.Sprintf("SIM-T%d", s), Name: dispatchTowns[s]}
		if err := area.Create(ctx, d, &town); err != nil {
			return DayResult{}, err
		}
		for k := 0; k < c.StationOfficers; k++ {
			if err := officer(st, s, true, false); err != nil {
				return DayResult{}, err
			}
		}
		for k := 0; k < c.NightOfficers; k++ {
			if err := officer(st, s, false, true); err != nil {
				return DayResult{}, err
			}
		}
	}
	for k := 0; k < c.CentreOfficers; k++ {
		if err := officer(root, -1, false, false); err != nil {
			return DayResult{}, err
		}
	}
	now := 0.0
	// The simulated clock; intake reads it from its load refresher too.
	var clockMs atomic.Int64
	clock := func() time.Time { return time.UnixMilli(clockMs.Load()).UTC() }
	in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), clock)
	if err != nil {
		return DayResult{}, err
	}
	policy := warning.DefaultPolicy()

	ws := make([]SimWarning, len(warnings))
	copy(ws, warnings)
	byRef := map[string]*SimWarning{}
	byWarning := map[int64]*SimWarning{}
	reached := map[int]float64{}
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
	res := DayResult{Policy: name, Warnings: len(ws)}
	next := 0
	const horizon = 36 * 3600.0 // the day's warnings are worked into the next morning
	var waitSum, ordWait float64
	var ordN int
	for now < horizon {
		clockMs.Store(db.Millis(dispatchAt(now)))
		changed := false
		// Calls that ended: the contact and the outcome, as the officer
		// records them in the console.
		for _, o := range offs {
			if o.current != 0 && !o.called && o.callEnd <= now {
				if err := dispatchContact(ctx, d, policy, o, byWarning[o.current], reached, clock()); err != nil {
					return DayResult{}, err
				}
				o.called, changed = true, true
			}
			if o.current == 0 || o.freeAt > now {
				continue
			}
			if err := dispatchFinish(ctx, d, policy, o, byWarning[o.current], reached, clock()); err != nil {
				return DayResult{}, err
			}
			o.current, changed = 0, true
		}
		var batch []warning.Input
		for next < len(ws) && ws[next].Arrive <= now {
			w := &ws[next]
			ref := fmt.Sprintf("SIM-%d", w.ID)
			byRef[ref] = w
			batch = append(batch, dispatchInput(w, ref))
			next++
		}
		if len(batch) > 0 {
			r, err := in.Submit(ctx, batch, warning.SubmitOptions{Door: "api"})
			if err != nil {
				return DayResult{}, err
			}
			for _, it := range r.Items {
				if it.Status != warning.ItemCreated {
					return DayResult{}, fmt.Errorf("simulated warning %s: %s %s", it.SourceRef, it.Status, it.Error)
				}
				byWarning[it.ID] = byRef[it.SourceRef]
			}
			changed = true
		}
		if changed {
			for _, o := range offs {
				o.idle = false
			}
		}
		for _, o := range offs {
			if o.current != 0 || o.idle || !onDuty(o, now) {
				continue
			}
			a := warning.Actor{UserID: o.user.ID, Scope: o.scope, Audit: auth.AuditEntry{UserID: o.user.ID, Username: o.user.Username, Role: o.user.Role}}
			r, err := warning.Next(ctx, d, a, order, clock())
			if errors.Is(err, warning.ErrNothingWaiting) {
				o.idle = true
				continue
			}
			if err != nil {
				return DayResult{}, err
			}
			w := byWarning[r.Warning.ID]
			reached[w.ID] = now
			o.current, o.freeAt, o.called = r.Warning.ID, now+w.service, false
			o.callEnd = now + min(w.service, dispatchCallMax)
			waitSum += now - w.Arrive
			if w.Grade == "ordinary" {
				ordWait += now - w.Arrive
				ordN++
			}
			// A taken warning may let another officer take a busy
			// colleague's fund or high-risk warning.
			for _, x := range offs {
				x.idle = false
			}
		}
		if next >= len(ws) && len(reached) == len(ws) && dispatchAllFree(offs) {
			break
		}
		// Advance to the next event: an arrival, a call ending, a shift change.
		t := horizon
		if next < len(ws) {
			t = ws[next].Arrive
		}
		for _, o := range offs {
			if o.current != 0 && o.freeAt < t {
				t = o.freeAt
			}
			if o.current != 0 && !o.called && o.callEnd < t {
				t = o.callEnd
			}
		}
		for _, sh := range []float64{8 * 3600, 20 * 3600, 32 * 3600} {
			if sh > now && sh < t {
				t = sh
				for _, o := range offs {
					o.idle = false
				}
			}
		}
		if t <= now {
			t = now + 1
		}
		now = t
	}
	for _, o := range offs {
		if o.current != 0 {
			if !o.called {
				if err := dispatchContact(ctx, d, policy, o, byWarning[o.current], reached, clock()); err != nil {
					return DayResult{}, err
				}
			}
			if err := dispatchFinish(ctx, d, policy, o, byWarning[o.current], reached, clock()); err != nil {
				return DayResult{}, err
			}
		}
	}
	// The money kept is what the officers recorded: the product's figure.
	if err := d.QueryRow(ctx, `SELECT COALESCE(SUM(kept_fen), 0) FROM warnings`).Scan(&res.KeptFen); err != nil {
		return DayResult{}, err
	}
	for _, w := range ws {
		r, ok := reached[w.ID]
		inTime := ok && r < w.Transfer
		if w.Grade != "ordinary" {
			res.AtRisk++
			if inTime {
				res.InTime++
			}
		}
		if !math.IsInf(w.Transfer, 1) {
			res.AtRiskFen += w.AmountFen
		}
	}
	if len(reached) > 0 {
		res.MeanWaitS = waitSum / float64(len(reached))
	}
	if ordN > 0 {
		res.OrdinaryWaitS = ordWait / float64(ordN)
	}
	return res, nil
}

func dispatchAllFree(offs []*dispatchOfficer) bool {
	for _, o := range offs {
		if o.current != 0 {
			return false
		}
	}
	return true
}

func dispatchAt(sec float64) time.Time {
	return dispatchBase.Add(time.Duration(sec * float64(time.Second))).UTC()
}

// dispatchInput is the warning as the upper-level centre or a bank sends it.
func dispatchInput(w *SimWarning, ref string) warning.Input {
	g := warning.GradeOrdinary
	switch w.Grade {
	case "fund":
		g = warning.GradeFund
	case "high":
		g = warning.GradeHigh
	}
	return warning.Input{Source: warning.SourceUpper, SourceRef: ref, ReceivedAt: dispatchAt(w.Arrive), Grade: g, FraudType: "police",
		AmountFen: w.AmountFen, Person: warning.Person{Name: "当事人", Phone: fmt.Sprintf("139%08d", w.ID+1), Age: w.Age,
			Address: dispatchTowns[w.Station] + fmt.Sprintf("%d号", w.ID+1)}}
}

// dispatchCallMax bounds the call itself: an officer's time on a warning
// beyond it is follow-up (family, bank, notes) after the contact is
// recorded, and stays below warning.CallFor, after which a claim lapses.
const dispatchCallMax = 20 * 60.0

func dispatchActor(o *dispatchOfficer) warning.Actor {
	return warning.Actor{UserID: o.user.ID, Scope: o.scope, Audit: auth.AuditEntry{UserID: o.user.ID, Username: o.user.Username, Role: o.user.Role}}
}

// dispatchContact records the call o made on w when it ends: the person
// was reached at the instant the officer took the warning.
func dispatchContact(ctx context.Context, d *db.DB, p warning.Policy, o *dispatchOfficer, w *SimWarning, reached map[int]float64, now time.Time) error {
	return warning.RecordContact(ctx, d, p, dispatchActor(o), o.current, warning.ContactInput{Method: "call", Result: "reached", At: dispatchAt(reached[w.ID])}, now)
}

// dispatchFinish records the outcome when o is done with w: reached before
// the transfer, the person is talked out of it with the warning's drawn
// luck (the money kept); after it the money is gone.
func dispatchFinish(ctx context.Context, d *db.DB, p warning.Policy, o *dispatchOfficer, w *SimWarning, reached map[int]float64, now time.Time) error {
	a := dispatchActor(o)
	r := reached[w.ID]
	out := warning.OutcomeInput{Outcome: warning.OutcomeFalseAlarm}
	switch {
	case r < w.Transfer && w.persuaded:
		out.Outcome = warning.OutcomeDissuaded
		if !math.IsInf(w.Transfer, 1) {
			out.KeptFen = w.AmountFen
		}
	case !math.IsInf(w.Transfer, 1):
		out = warning.OutcomeInput{Outcome: warning.OutcomeDefrauded, LossFen: w.AmountFen}
	}
	_, err := warning.SetOutcome(ctx, d, p, a, o.current, out, now)
	return err
}

// DispatchComparison is the result of `fanzha bench dispatch`.
type DispatchComparison struct {
	Days     int
	FIFO     DayResult // summed over days
	Fanzha   DayResult
	PerDay   [][2]DayResult
	Duration time.Duration
}

// CompareDispatch replays days seeded days through the product twice: with
// 「下一条」 in arrival order (FIFO) and in fanzha's order.
func CompareDispatch(ctx context.Context, c DayConfig, days int) (DispatchComparison, error) {
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
		f, err := RunDay(ctx, c, ws, warning.ByArrival, "fifo")
		if err != nil {
			return out, fmt.Errorf("day %d, fifo: %w", d+1, err)
		}
		z, err := RunDay(ctx, c, ws, warning.ByExpectedKept, "fanzha")
		if err != nil {
			return out, fmt.Errorf("day %d, fanzha: %w", d+1, err)
		}
		add(&out.FIFO, f)
		add(&out.Fanzha, z)
		out.PerDay = append(out.PerDay, [2]DayResult{f, z})
	}
	out.Duration = time.Since(start)
	return out, nil
}

// Describe formats one result line.
func (r DayResult) Describe() string {
	return fmt.Sprintf("%-7s warnings %5d  fund+high %4d  in time %5.1f%%  kept ¥%12.2f of ¥%12.2f  mean wait %5.1f min (ordinary %5.1f min)",
		r.Policy, r.Warnings, r.AtRisk, 100*r.InTimeShare(), float64(r.KeptFen)/100, float64(r.AtRiskFen)/100, r.MeanWaitS/60, r.OrdinaryWaitS/60)
}
