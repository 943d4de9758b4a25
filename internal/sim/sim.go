// Package sim generates the synthetic demo county — deterministic from a
// seed — and keeps it alive: a county of about 300,000 inhabitants with 9
// police stations, ~170 villages and communities split into grid cells,
// ~85 officers on a 7×24 duty roster, member units, and one year of
// history at the scale of a busy real district (≈20,000 warnings, ≈600
// cases with victims and transfers into layered mule accounts, the bank
// statements of those accounts, ≈10,000 prevention events). It also holds
// the county-day dispatch simulator (dispatchsim.go).
package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// DemoPassword is the password of every demo login.
const DemoPassword = "fanzha-demo"

// Options controls generation.
type Options struct {
	Seed int64
	// Now is the end of the generated year (the demo uses the wall clock;
	// tests pin it).
	Now time.Time
	// Scale shrinks the history (warnings, cases, events) for fast tests;
	// the tree and the officers stay full size. 0 means 1.
	Scale float64
	// Counties > 0 generates a province (湘南省) of that many counties
	// under its cities instead of the demo county (gen_province.go).
	Counties int
	// Years of history (0 means 1); the counts of warnings, cases and
	// events grow with it.
	Years int
	// Parallel is how many counties' histories a province writes at once
	// on PostgreSQL (0 means 1).
	Parallel int
	// Progress, when set, hears of each county of a province as it is done.
	Progress func(string)
}

// Login is one demo login printed by fanzha demo.
type Login struct {
	Role     auth.Role
	Username string
	Password string
	Name     string
	Area     string
	Level    area.Level // of the node the login is bound to
}

// Summary counts what Generate made.
type Summary struct {
	Stations, Towns, Villages, Cells, Inhabitants, Officers, Shifts              int
	Warnings, FundWarnings, HighWarnings, Cases, StatementRows, PreventionEvents int
	Counties, Cities                                                             int
	Logins                                                                       []Login
	// Gangs are the account numbers of each planted mule gang: the ground
	// truth `fanzha intel groups-eval` measures the intel groups against.
	Gangs [][]string
	Took  time.Duration
}

// IsGenerated reports whether the database already holds a county.
func IsGenerated(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM areas`).Scan(&n); err != nil {
		return false, fmt.Errorf("check for a county: %w", err)
	}
	return n > 0, nil
}

// Generate writes the demo county into an empty database, in one
// transaction.
func Generate(ctx context.Context, d *db.DB, o Options) (Summary, error) {
	start := time.Now()
	if o.Scale <= 0 || o.Scale > 1 {
		o.Scale = 1
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	now := o.Now.UTC().Truncate(time.Second)
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed))
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return Summary{}, err
	}
	if o.Counties > 0 {
		return generateProvince(ctx, d, o, now, hash, start)
	}
	spec := demoSpec
	spec.Years = o.Years
	var sum Summary
	err = d.InTx(ctx, func(tx *db.Tx) error {
		c, shifts, err := genCountyTree(ctx, tx, rng, spec, hash, now)
		if err != nil {
			return err
		}
		if err := genCountyHistory(ctx, tx, rng, c, o.Seed, o.Scale, now, &sum); err != nil {
			return err
		}
		sum.Shifts = shifts
		return writeDemoSettings(ctx, tx, o.Seed, now, 0)
	})
	if err != nil {
		return Summary{}, err
	}
	if err := analyze(ctx, d); err != nil {
		return Summary{}, err
	}
	sum.Logins, err = DemoLogins(ctx, d)
	sum.Took = time.Since(start)
	return sum, err
}

// analyze refreshes PostgreSQL's statistics after a bulk load, or the
// planner guesses the tables are empty and scans them.
func analyze(ctx context.Context, d *db.DB) error {
	if d.Dialect != db.Postgres {
		return nil
	}
	if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// genCountyTree writes a county's tree, officers, member units and duty
// roster over its history (the parts that go through the product's
// audited functions and so are written one county at a time).
func genCountyTree(ctx context.Context, tx *db.Tx, rng *rand.Rand, spec countySpec, hash string, now time.Time) (*county, int, error) {
	c, err := buildTree(ctx, tx, rng, spec)
	if err != nil {
		return nil, 0, fmt.Errorf("jurisdiction tree: %w", err)
	}
	if err := buildPeople(ctx, tx, rng, c, hash); err != nil {
		return nil, 0, fmt.Errorf("officers and units: %w", err)
	}
	shifts, err := buildRoster(ctx, tx, c, c.historyStart(now), now)
	if err != nil {
		return nil, 0, fmt.Errorf("duty roster: %w", err)
	}
	return c, shifts, nil
}

// historyStart is when the county's generated history (and roster) begins.
func (c *county) historyStart(now time.Time) time.Time {
	return now.Add(-time.Duration(c.spec.days()+1) * 24 * time.Hour)
}

// genCountyHistory writes a county's history after its tree: warnings,
// cases with their statements, prevention events, stop-payments and
// freezes, joint meetings and awareness surveys. It adds its counts to sum.
func genCountyHistory(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, seed int64, scale float64, now time.Time, sum *Summary) error {
	years := float64(max(c.spec.Years, 1))
	net := newMuleNet(rng, c, now)
	pool := newScamPool(rng, net.level1())
	ws, pending, err := genWarnings(ctx, tx, rng, c, pool, now, c.historyStart(now), scaled(20000, scale*years))
	if err != nil {
		return fmt.Errorf("warnings: %w", err)
	}
	ncases, nrows, err := genCases(ctx, tx, rng, c, net, pending, now, scaled(600, scale*years))
	if err != nil {
		return fmt.Errorf("cases and statements: %w", err)
	}
	nev, err := genPrevention(ctx, tx, rng, c, now, scaled(10400, scale*years))
	if err != nil {
		return fmt.Errorf("prevention events: %w", err)
	}
	if _, err := genFreezes(ctx, tx, rng, c, now); err != nil {
		return fmt.Errorf("stop-payments and freezes: %w", err)
	}
	if err := genJoint(ctx, tx, rand.New(rand.NewPCG(uint64(seed), 0x6a6f696e74)), c, now); err != nil {
		return fmt.Errorf("joint meetings: %w", err)
	}
	if _, err := genSurveys(ctx, tx, seed, c, now); err != nil { // awareness surveys (gen_surveys.go)
		return fmt.Errorf("awareness surveys: %w", err)
	}
	if _, err := genInvestigation(ctx, tx, rand.New(rand.NewPCG(uint64(seed), 0x696e76)), c, now); err != nil { // lifecycle and suspects (gen_investigation.go)
		return fmt.Errorf("case lifecycle and suspects: %w", err)
	}
	if _, err := genCasework(ctx, tx, rand.New(rand.NewPCG(uint64(seed), 0x636173)), c, now); err != nil { // series, campaigns, tasks (gen_casework.go)
		return fmt.Errorf("series, campaigns and tasks: %w", err)
	}
	if _, err := genInstructions(ctx, tx, rand.New(rand.NewPCG(uint64(seed), 0x696e7374)), c, now); err != nil { // instructions and relapses (gen_instructions.go)
		return fmt.Errorf("instructions and relapses: %w", err)
	}
	cells := 0
	for _, v := range c.villages {
		cells += len(v.cells)
	}
	sum.Stations += len(c.stations)
	sum.Towns += len(c.towns)
	sum.Villages += len(c.villages)
	sum.Cells += cells
	sum.Inhabitants += int(c.popTotal)
	sum.Officers += c.officers
	sum.Warnings += ws.total
	sum.FundWarnings += ws.fund
	sum.HighWarnings += ws.high
	sum.Cases += ncases
	sum.StatementRows += nrows
	sum.PreventionEvents += nev
	for _, g := range net.gangs {
		var accts []string
		for _, l := range g.levels {
			accts = append(accts, l...)
		}
		sum.Gangs = append(sum.Gangs, accts)
	}
	return nil
}

// writeDemoSettings records the seed, the time of generation and, for a
// province, its number of counties (DemoLogins reads it).
func writeDemoSettings(ctx context.Context, tx *db.Tx, seed int64, now time.Time, counties int) error {
	kv := [][2]string{{"demo_seed", strconv.FormatInt(seed, 10)}, {"demo_generated_at", now.Format(time.RFC3339)}}
	if counties > 0 {
		kv = append(kv, [2]string{demoCountiesKey, strconv.Itoa(counties)})
	}
	for _, p := range kv {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

func scaled(n int, s float64) int {
	v := int(float64(n)*s + 0.5)
	if v < 1 {
		v = 1
	}
	return v
}

// demoUsers are the fixed logins, one per role.
var demoUsers = []struct {
	role     auth.Role
	username string
}{
	{auth.RoleAdmin, "admin"}, {auth.RoleDuty, "duty"}, {auth.RoleDissuader, "dissuader"}, {auth.RoleAnalyst, "analyst"},
	{auth.RoleInvestigator, "investigator"}, {auth.RoleLeader, "leader"}, {auth.RolePartner, "bank"}, {auth.RoleGrid, "grid"},
}

// DemoLogins reads the demo logins back from the database: one per role
// of the demo county, or, for a province, the province's, the first
// city's and the first county's.
func DemoLogins(ctx context.Context, d *db.DB) ([]Login, error) {
	var out []Login
	list := demoUsers
	if demoCounties(ctx, d) > 0 {
		list = provinceLogins()
	}
	for _, du := range list {
		u, err := auth.GetUserByName(ctx, d, du.username)
		if err != nil {
			return nil, fmt.Errorf("demo login %s: %w", du.username, err)
		}
		n, err := area.Get(ctx, d, u.AreaID)
		if err != nil {
			return nil, err
		}
		where := n.FullName
		if u.UnitID != 0 {
			var unit string
			_ = d.QueryRow(ctx, `SELECT name FROM units WHERE id = ?`, u.UnitID).Scan(&unit)
			where = unit
		}
		out = append(out, Login{Role: u.Role, Username: u.Username, Password: DemoPassword, Name: u.DisplayName, Area: where, Level: n.Level})
	}
	return out, nil
}

// RunTrickle feeds a new realistic warning into the intake about every
// `every` (±50%) and now and then closes an old open one with an outcome,
// until ctx ends, so the demo's board and figures move.
func RunTrickle(ctx context.Context, d *db.DB, seed int64, every time.Duration, log *slog.Logger, t *Trickle) error {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(time.Now().UnixNano())))
	n := 0
	for {
		wait := time.Duration(float64(every) * (0.5 + rng.Float64()))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		n++
		if err := t.addOne(ctx, d, rng, n); err != nil {
			log.Warn("demo trickle", "err", err)
			continue
		}
		if n%3 == 0 {
			if err := t.closeOne(ctx, d, rng); err != nil {
				log.Warn("demo trickle close", "err", err)
			}
		}
	}
}
