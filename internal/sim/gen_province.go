package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// A province (fanzha demo --counties N): 湘南省 at the root, its cities
// (ten counties each) and N counties, each generated like the demo county
// from its own seed under its own name and region code. Usernames are
// prefixed by the level they belong to: the province's own logins keep the
// demo's names (admin, duty, leader, …), a city's start with city01-, a
// county's with county001-. Generation writes each county's tree, officers
// and roster in turn (they go through the product's audited functions),
// then the counties' histories in parallel transactions.

// ProvinceName is the demo province (fictional).
const ProvinceName = "湘南省"

// MaxCounties is the most counties a generated province has (ten to a
// city, cities coded 4381…4399).
const MaxCounties = 190

const demoCountiesKey = "demo_counties"

// countiesPerCity is how many counties each generated city has.
const countiesPerCity = 10

var cityNames = []string{"云州市", "江陵市", "青阳市", "白鹭市", "金沙市", "龙城市", "桃江市", "石泉市", "清河市", "临川市",
	"安平市", "永宁市", "长岭市", "平湖市", "宁远市", "新田市", "兴安市", "丰城市", "高平市"}

var countyFirst = []string{"云", "青", "白", "金", "龙", "桃", "石", "清", "临", "安", "永", "长", "平", "宁", "新", "兴", "丰", "高", "明", "南"}
var countySecond = []string{"溪", "川", "山", "江", "阳", "源", "湖", "水", "林", "岭"}

// provinceCounty is the spec of the j-th county (0-based) of a province of n.
func provinceCounty(j int, years int) countySpec {
	city := j / countiesPerCity
	// Names run through first × second characters, so the first county is
	// 云溪县 as in the demo and no two counties share a name.
	name := countyFirst[j%len(countyFirst)] + countySecond[(j/len(countyFirst)+j%len(countyFirst))%len(countySecond)]
	suffix := "县"
	if j%countiesPerCity == 1 {
		suffix = "区" // each city's seat district
	}
	return countySpec{Name: name + suffix, Code: fmt.Sprintf("43%02d%02d", 81+city, j%countiesPerCity+1), Province: ProvinceName,
		City: cityNames[city], User: fmt.Sprintf("county%03d-", j+1), Ref: fmt.Sprintf("X%03d-", j+1), Years: years,
		X: float64(j%10) * 1000, Y: float64(j/10) * 1000}
}

// provinceUsers are the province's and each city's own logins: centre
// staff above the counties.
var provinceUsers = []struct {
	role auth.Role
	name string
	n    int
}{{auth.RoleAdmin, "admin", 1}, {auth.RoleDuty, "duty", 4}, {auth.RoleAnalyst, "analyst", 2}, {auth.RoleInvestigator, "investigator", 2},
	{auth.RoleLeader, "leader", 2}}

// generateProvince writes a province of o.Counties counties.
func generateProvince(ctx context.Context, d *db.DB, o Options, now time.Time, hash string, start time.Time) (Summary, error) {
	n := o.Counties
	if n > MaxCounties {
		return Summary{}, fmt.Errorf("a generated province has at most %d counties (asked for %d)", MaxCounties, n)
	}
	years := max(o.Years, 1)
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x9407))
	var sum Summary
	var prov area.Node
	cities := make([]area.Node, (n+countiesPerCity-1)/countiesPerCity)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		prov = area.Node{Level: area.Province, Kind: "省", Code: "430000", Name: ProvinceName, FullName: ProvinceName, Aliases: "湘南",
			Shape: squareShape(0, 0, 10000, float64(len(cities))*1000)}
		if err := area.Create(ctx, tx, &prov); err != nil {
			return err
		}
		mk := func(prefix string, node area.Node) error {
			for _, pu := range provinceUsers {
				for k := 0; k < pu.n; k++ {
					name := prefix + pu.name
					if k > 0 {
						name = fmt.Sprintf("%s%s%02d", prefix, pu.name, k+1)
					}
					if _, err := auth.CreateUser(ctx, tx, auth.NewUser{Username: name, DisplayName: personName(rng, k%2 == 0), Role: pu.role,
						AreaID: node.ID, Phone: mobile(rng), PasswordHash: hash}); err != nil {
						return err
					}
					sum.Officers++
				}
			}
			return nil
		}
		if err := mk("", prov); err != nil {
			return err
		}
		for k := range cities {
			cities[k] = area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: fmt.Sprintf("43%02d00", 81+k), Name: cityNames[k],
				Aliases: cityNames[k][:len(cityNames[k])-len("市")], Sort: int64(k),
				Shape: squareShape(0, float64(k)*1000, 10000, 1000)}
			if err := area.Create(ctx, tx, &cities[k]); err != nil {
				return err
			}
			if err := mk(fmt.Sprintf("city%02d-", k+1), cities[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("province and cities: %w", err)
	}
	// Each county's tree, officers and roster, one transaction each.
	counties := make([]*county, n)
	rngs := make([]*rand.Rand, n)
	for j := 0; j < n; j++ {
		spec := provinceCounty(j, years)
		spec.Parent, spec.Top = cities[j/countiesPerCity], prov
		rngs[j] = rand.New(rand.NewPCG(uint64(o.Seed)+uint64(j)*7919, 0x5eed))
		err := d.InTx(ctx, func(tx *db.Tx) error {
			c, shifts, err := genCountyTree(ctx, tx, rngs[j], spec, hash, now)
			if err != nil {
				return err
			}
			counties[j] = c
			sum.Shifts += shifts
			return nil
		})
		if err != nil {
			return Summary{}, fmt.Errorf("county %s: %w", spec.Name, err)
		}
		if o.Progress != nil {
			o.Progress(fmt.Sprintf("county %d/%d %s: tree, officers and roster", j+1, n, spec.Name))
		}
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		for _, lv := range []area.Level{area.City, area.Province} {
			if err := sumPopulations(ctx, tx, prov, lv); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return Summary{}, err
	}
	// The histories: plain inserts, one transaction per county, in
	// parallel on PostgreSQL.
	workers := o.Parallel
	if workers < 1 {
		workers = 1
	}
	if d.Dialect != db.Postgres {
		workers = 1 // SQLite has one writer
	}
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	done := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				var part Summary
				err := d.InTx(ctx, func(tx *db.Tx) error {
					return genCountyHistory(ctx, tx, rngs[j], counties[j], o.Seed+int64(j), o.Scale, now, &part)
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("county %s: %w", counties[j].spec.Name, err)
				}
				addSummary(&sum, part)
				done++
				if o.Progress != nil && err == nil {
					o.Progress(fmt.Sprintf("county %d/%d %s: history (%d warnings)", done, n, counties[j].spec.Name, part.Warnings))
				}
				mu.Unlock()
			}
		}()
	}
	for j := 0; j < n; j++ {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return Summary{}, firstErr
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error { return writeDemoSettings(ctx, tx, o.Seed, now, n) }); err != nil {
		return Summary{}, err
	}
	if err := analyze(ctx, d); err != nil {
		return Summary{}, err
	}
	sum.Counties, sum.Cities = n, len(cities)
	sum.Logins, err = DemoLogins(ctx, d)
	sum.Took = time.Since(start)
	return sum, err
}

func addSummary(s *Summary, p Summary) {
	s.Stations += p.Stations
	s.Towns += p.Towns
	s.Villages += p.Villages
	s.Cells += p.Cells
	s.Inhabitants += p.Inhabitants
	s.Officers += p.Officers
	s.Warnings += p.Warnings
	s.FundWarnings += p.FundWarnings
	s.HighWarnings += p.HighWarnings
	s.Cases += p.Cases
	s.StatementRows += p.StatementRows
	s.PreventionEvents += p.PreventionEvents
	s.Gangs = append(s.Gangs, p.Gangs...)
}

// provinceLogins are the logins DemoLogins prints for a province: the
// province's, the first city's and the first county's.
func provinceLogins() []struct {
	role     auth.Role
	username string
} {
	out := []struct {
		role     auth.Role
		username string
	}{{auth.RoleAdmin, "admin"}, {auth.RoleLeader, "leader"}, {auth.RoleDuty, "duty"},
		{auth.RoleAdmin, "city01-admin"}, {auth.RoleLeader, "city01-leader"}}
	for _, du := range demoUsers {
		out = append(out, struct {
			role     auth.Role
			username string
		}{du.role, "county001-" + du.username})
	}
	return out
}

// demoCounties reads how many counties the generated province has (0 for
// the demo county).
func demoCounties(ctx context.Context, q db.Querier) int {
	var v string
	if err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, demoCountiesKey).Scan(&v); err != nil {
		return 0
	}
	n, _ := strconv.Atoi(v)
	return n
}
