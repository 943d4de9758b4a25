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
}

// Login is one demo login printed by fanzha demo.
type Login struct {
	Role     auth.Role
	Username string
	Password string
	Name     string
	Area     string
}

// Summary counts what Generate made.
type Summary struct {
	Stations, Towns, Villages, Cells, Inhabitants, Officers, Shifts              int
	Warnings, FundWarnings, HighWarnings, Cases, StatementRows, PreventionEvents int
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
	var sum Summary
	err = d.InTx(ctx, func(tx *db.Tx) error {
		c, err := buildTree(ctx, tx, rng)
		if err != nil {
			return fmt.Errorf("jurisdiction tree: %w", err)
		}
		if err := buildPeople(ctx, tx, rng, c, hash); err != nil {
			return fmt.Errorf("officers and units: %w", err)
		}
		rosterStart := now.Add(-366 * 24 * time.Hour)
		shifts, err := buildRoster(ctx, tx, c, rosterStart, now)
		if err != nil {
			return fmt.Errorf("duty roster: %w", err)
		}
		net := newMuleNet(rng, c, now)
		pool := newScamPool(rng, net.level1())
		ws, pending, err := genWarnings(ctx, tx, rng, c, pool, now, rosterStart, scaled(20000, o.Scale))
		if err != nil {
			return fmt.Errorf("warnings: %w", err)
		}
		ncases, nrows, err := genCases(ctx, tx, rng, c, net, pending, now, scaled(600, o.Scale))
		if err != nil {
			return fmt.Errorf("cases and statements: %w", err)
		}
		nev, err := genPrevention(ctx, tx, rng, c, now, scaled(10400, o.Scale))
		if err != nil {
			return fmt.Errorf("prevention events: %w", err)
		}
		if _, err := genFreezes(ctx, tx, rng, now); err != nil {
			return fmt.Errorf("stop-payments and freezes: %w", err)
		}
		if err := genJoint(ctx, tx, rand.New(rand.NewPCG(uint64(o.Seed), 0x6a6f696e74)), now); err != nil {
			return fmt.Errorf("joint meetings: %w", err)
		}
		if _, err := genSurveys(ctx, tx, o.Seed, c, now); err != nil { // awareness surveys (gen_surveys.go)
			return fmt.Errorf("awareness surveys: %w", err)
		}
		if _, err := genInvestigation(ctx, tx, rand.New(rand.NewPCG(uint64(o.Seed), 0x696e76)), c, now); err != nil { // lifecycle and suspects (gen_investigation.go)
			return fmt.Errorf("case lifecycle and suspects: %w", err)
		}
		if _, err := genInstructions(ctx, tx, rand.New(rand.NewPCG(uint64(o.Seed), 0x696e7374)), c, now); err != nil { // instructions and relapses (gen_instructions.go)
			return fmt.Errorf("instructions: %w", err)
		}
		for k, v := range map[string]string{"demo_seed": strconv.FormatInt(o.Seed, 10), "demo_generated_at": now.Format(time.RFC3339)} {
			if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, k, v); err != nil {
				return err
			}
		}
		cells := 0
		for _, v := range c.villages {
			cells += len(v.cells)
		}
		sum = Summary{Stations: len(c.stations), Towns: len(c.towns), Villages: len(c.villages), Cells: cells,
			Inhabitants: int(c.popTotal), Officers: c.officers, Shifts: shifts, Warnings: ws.total, FundWarnings: ws.fund,
			HighWarnings: ws.high, Cases: ncases, StatementRows: nrows, PreventionEvents: nev}
		for _, g := range net.gangs {
			var accts []string
			for _, l := range g.levels {
				accts = append(accts, l...)
			}
			sum.Gangs = append(sum.Gangs, accts)
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	if d.Dialect == db.Postgres {
		// Fresh statistics after a bulk load, or the planner guesses the
		// tables are empty and scans them.
		if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
			return Summary{}, fmt.Errorf("analyze: %w", err)
		}
	}
	sum.Logins, err = DemoLogins(ctx, d)
	sum.Took = time.Since(start)
	return sum, err
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

// DemoLogins reads the demo logins back from the database.
func DemoLogins(ctx context.Context, d *db.DB) ([]Login, error) {
	var out []Login
	for _, du := range demoUsers {
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
		out = append(out, Login{Role: u.Role, Username: u.Username, Password: DemoPassword, Name: u.DisplayName, Area: where})
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
