package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/zone"
)

// CountyName is the demo county (fictional).
const CountyName = "云溪县"

// countySpec names one generated county: the demo county, or one of a
// province's.
type countySpec struct {
	Name     string    // 云溪县
	Code     string    // 6-digit region code, 430999; node codes start with it
	Province string    // 湘南省, as addresses write it
	City     string    // 云州市 ("" for the demo county, which is the root)
	Parent   area.Node // the city (the zero Node: the county is the root)
	Top      area.Node // the tree's root, where partner users are bound (zero: the county)
	User     string    // username prefix ("" for the demo county)
	Ref      string    // prefix of source refs, case numbers and unit codes ("" for the demo county)
	Years    int       // years of history (0 means 1)
	X, Y     float64   // the county's square on the schematic map (a province's counties side by side)
}

// demoSpec is the demo county of `fanzha demo`.
var demoSpec = countySpec{Name: CountyName, Code: "430999", Province: "湘南省"}

// stem is the county's name without its suffix (云溪县 → 云溪).
func (s countySpec) stem() string {
	for _, suf := range []string{"县", "区", "市", "旗"} {
		if t, ok := strings.CutSuffix(s.Name, suf); ok {
			return t
		}
	}
	return s.Name
}

// days is the length of the generated history.
func (s countySpec) days() int {
	if s.Years < 1 {
		return 365
	}
	return 365 * s.Years
}

// stationPlan is the demo county's nine stations and the towns/streets
// each covers. Street offices (街道) hold communities; towns (镇/乡) hold
// villages and a community or two at the town seat.
var stationPlan = []struct {
	Name  string
	Towns []string
}{
	{"城关派出所", []string{"城关街道"}},
	{"东街派出所", []string{"东街街道", "滨江街道"}},
	{"西城派出所", []string{"西城街道"}},
	{"青石派出所", []string{"青石镇", "双溪乡"}},
	{"白沙派出所", []string{"白沙镇", "柳林乡"}},
	{"龙潭派出所", []string{"龙潭镇"}},
	{"桃源派出所", []string{"桃源镇", "金坪乡"}},
	{"新塘派出所", []string{"新塘镇", "高桥镇"}},
	{"石门派出所", []string{"石门镇", "大坪乡"}},
}

// village is a generated village or community with what the generator
// needs of it.
type village struct {
	node   area.Node
	town   area.Node
	cells  []area.Node
	urban  bool
	weight int64       // population, for drawing where people live
	county *countySpec // the county it lies in
}

type county struct {
	spec     countySpec
	root     area.Node
	stations []area.Node
	towns    []area.Node
	villages []*village
	popTotal int64
	// officers by station id (dissuaders), centre staff, grid workers.
	dissuaders map[int64][]auth.User
	investig   map[int64][]auth.User
	centreDuty []auth.User
	analysts   []auth.User
	leaders    []auth.User
	centreInv  []auth.User
	grid       []auth.User
	admin      auth.User
	units      []unit
	officers   int
}

type unit struct {
	id   int64
	kind string
	name string
}

func suffixOf(name string) string {
	for _, s := range []string{"街道", "镇", "乡"} {
		if strings.HasSuffix(name, s) {
			return s
		}
	}
	return ""
}

// buildTree writes the jurisdiction tree with populations that add up:
// cells sum to their village, villages to their town, and so on.
func buildTree(ctx context.Context, tx *db.Tx, rng *rand.Rand, spec countySpec) (*county, error) {
	c := &county{spec: spec, dissuaders: map[int64][]auth.User{}, investig: map[int64][]auth.User{}}
	stem := spec.stem()
	c.root = area.Node{ParentID: spec.Parent.ID, Level: area.County, Kind: area.KindFor(area.County, spec.Name), Code: spec.Code,
		Name: spec.Name, Aliases: stem + "|" + spec.Province + spec.Name + "|" + spec.Province + stem + "市" + spec.Name,
		Shape: squareShape(spec.X, spec.Y, 1000, 1000)}
	if spec.Parent.ID == 0 {
		c.root.FullName = spec.Name
	} else {
		c.root.Aliases = stem + "|" + spec.Province + spec.Name + "|" + spec.City + spec.Name
	}
	if err := area.Create(ctx, tx, &c.root); err != nil {
		return nil, err
	}
	villageStemsLeft := append([]string(nil), villageStems...)
	rng.Shuffle(len(villageStemsLeft), func(i, j int) { villageStemsLeft[i], villageStemsLeft[j] = villageStemsLeft[j], villageStemsLeft[i] })
	communityLeft := append([]string(nil), communityStems...)
	rng.Shuffle(len(communityLeft), func(i, j int) { communityLeft[i], communityLeft[j] = communityLeft[j], communityLeft[i] })
	nextVillage := func() string { s := villageStemsLeft[0]; villageStemsLeft = villageStemsLeft[1:]; return s }
	nextCommunity := func() string {
		if len(communityLeft) == 0 {
			return nextVillage()
		}
		s := communityLeft[0]
		communityLeft = communityLeft[1:]
		return s
	}

	for si, sp := range stationPlan {
		// The county's schematic map: a 3×3 grid of station blocks with
		// jittered corners.
		x0, y0 := spec.X+float64(si%3)*333, spec.Y+float64(si/3)*333
		st := area.Node{ParentID: c.root.ID, Level: area.Station, Kind: "派出所", Code: fmt.Sprintf("%s-S%02d", spec.Code, si+1),
			Name: sp.Name, Aliases: strings.TrimSuffix(sp.Name, "派出所") + "所", Sort: int64(si),
			Shape: jitterShape(rng, x0, y0, 333, 333)}
		st.FullName = c.root.FullName + sp.Name
		if err := area.Create(ctx, tx, &st); err != nil {
			return nil, err
		}
		c.stations = append(c.stations, st)
		for ti, tn := range sp.Towns {
			kind := suffixOf(tn)
			tw := area.Node{ParentID: st.ID, Level: area.Town, Kind: kind, Code: fmt.Sprintf("%s-S%02d-T%d", spec.Code, si+1, ti+1),
				Name: tn, FullName: c.root.FullName + tn, Aliases: strings.TrimSuffix(tn, kind), Sort: int64(ti),
				Shape: jitterShape(rng, x0+float64(ti)*333/float64(len(sp.Towns)), y0, 333/float64(len(sp.Towns)), 333)}
			if err := area.Create(ctx, tx, &tw); err != nil {
				return nil, err
			}
			c.towns = append(c.towns, tw)
			urban := kind == "街道"
			n := 11 + rng.IntN(4)
			if urban {
				n = 8 + rng.IntN(3)
			}
			for vi := 0; vi < n; vi++ {
				var name, vkind string
				isUrban := urban || vi == 0 // the town seat is a community
				if isUrban {
					name, vkind = nextCommunity()+"社区", "社区"
				} else {
					name, vkind = nextVillage()+"村", "村"
				}
				pop := int64(650 + rng.IntN(1100))
				if isUrban {
					pop = int64(2200 + rng.IntN(2300))
				}
				v := &village{town: tw, urban: isUrban, county: &c.spec}
				v.node = area.Node{ParentID: tw.ID, Level: area.Village, Kind: vkind,
					Code: fmt.Sprintf("%s-S%02d-T%d-V%02d", spec.Code, si+1, ti+1, vi+1), Name: name, FullName: c.root.FullName + tn + name,
					Aliases: strings.TrimSuffix(name, vkind), Sort: int64(vi)}
				ncell := 3 + rng.IntN(4)
				if isUrban {
					ncell = 5 + rng.IntN(4)
				}
				// Age profile: rural villages are older.
				elderlyShare := 0.20 + rng.Float64()*0.10
				if isUrban {
					elderlyShare = 0.15 + rng.Float64()*0.06
				}
				minorShare := 0.15 + rng.Float64()*0.07
				studentShare := 0.12 + rng.Float64()*0.06
				cellPops := splitInt(rng, pop, ncell)
				var el, mi, stu int64
				for k := 0; k < ncell; k++ {
					cp := cellPops[k]
					ce, cm, cs := int64(float64(cp)*elderlyShare), int64(float64(cp)*minorShare), int64(float64(cp)*studentShare)
					el, mi, stu = el+ce, mi+cm, stu+cs
					v.cells = append(v.cells, area.Node{Level: area.Cell, Kind: "网格", Name: fmt.Sprintf("第%d网格", k+1),
						Code: fmt.Sprintf("%s-G%d", v.node.Code, k+1), Population: cp, Elderly: ce, Minors: cm, Students: cs, Sort: int64(k)})
				}
				v.node.Population, v.node.Elderly, v.node.Minors, v.node.Students = pop, el, mi, stu
				if err := area.Create(ctx, tx, &v.node); err != nil {
					return nil, err
				}
				for k := range v.cells {
					v.cells[k].ParentID = v.node.ID
					v.cells[k].FullName = v.node.FullName + v.cells[k].Name
					if err := area.Create(ctx, tx, &v.cells[k]); err != nil {
						return nil, err
					}
				}
				v.weight = pop
				c.villages = append(c.villages, v)
			}
		}
	}
	// Populations of towns, stations and the county are the sums below.
	for _, lv := range []area.Level{area.Town, area.Station, area.County} {
		if err := sumPopulations(ctx, tx, c.root, lv); err != nil {
			return nil, err
		}
	}
	for _, v := range c.villages {
		c.popTotal += v.node.Population
	}
	return c, nil
}

// sumPopulations sets the figures of the nodes of one level under root to
// the sums of their children.
func sumPopulations(ctx context.Context, tx *db.Tx, root area.Node, lv area.Level) error {
	if _, err := tx.Exec(ctx, `UPDATE areas SET
			population = (SELECT COALESCE(SUM(c.population), 0) FROM areas c WHERE c.parent_id = areas.id),
			elderly = (SELECT COALESCE(SUM(c.elderly), 0) FROM areas c WHERE c.parent_id = areas.id),
			minors = (SELECT COALESCE(SUM(c.minors), 0) FROM areas c WHERE c.parent_id = areas.id),
			students = (SELECT COALESCE(SUM(c.students), 0) FROM areas c WHERE c.parent_id = areas.id)
			WHERE level = ? AND path LIKE ?`, lv, root.SubtreePattern()); err != nil {
		return fmt.Errorf("sum populations: %w", err)
	}
	return nil
}

// splitInt splits total into n positive parts.
func splitInt(rng *rand.Rand, total int64, n int) []int64 {
	w := make([]float64, n)
	var s float64
	for i := range w {
		w[i] = 0.6 + rng.Float64()
		s += w[i]
	}
	out := make([]int64, n)
	var given int64
	for i := range w {
		out[i] = int64(float64(total) * w[i] / s)
		given += out[i]
	}
	out[n-1] += total - given
	return out
}

func squareShape(x, y, w, h float64) string {
	return fmt.Sprintf("[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]", x, y, x+w, y, x+w, y+h, x, y+h)
}

// jitterShape is a rectangle with its corners moved a little, so the
// schematic map does not look like a spreadsheet.
func jitterShape(rng *rand.Rand, x, y, w, h float64) string {
	j := func() float64 { return (rng.Float64() - 0.5) * 0.08 * w }
	return fmt.Sprintf("[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]", x, y, x+w, y+j(), x+w+j(), y+h, x+j(), y+h)
}

// pickVillage draws a village weighted by population.
func (c *county) pickVillage(rng *rand.Rand) *village {
	x := rng.Int64N(c.popTotal)
	for _, v := range c.villages {
		if x < v.weight {
			return v
		}
		x -= v.weight
	}
	return c.villages[len(c.villages)-1]
}

// buildPeople writes the officers, partner units and their users.
func buildPeople(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, hash string) error {
	stem := c.spec.stem()
	top := c.root.ID // partner users are bound to the tree's root, as the console binds them
	if c.spec.Top.ID != 0 {
		top = c.spec.Top.ID
	}
	mk := func(username, name string, role auth.Role, areaID, unitID int64) (auth.User, error) {
		u, err := auth.CreateUser(ctx, tx, auth.NewUser{Username: c.spec.User + username, DisplayName: name, Role: role, AreaID: areaID,
			UnitID: unitID, Phone: mobile(rng), PasswordHash: hash})
		if err != nil {
			return u, err
		}
		if role != auth.RolePartner {
			c.officers++
		}
		return u, nil
	}
	var err error
	if c.admin, err = mk("admin", "中心管理员·"+personName(rng, true), auth.RoleAdmin, c.root.ID, 0); err != nil {
		return err
	}
	for i := 0; i < 12; i++ {
		name := "duty"
		if i > 0 {
			name = fmt.Sprintf("duty%02d", i+1)
		}
		u, err := mk(name, personName(rng, i%3 != 0), auth.RoleDuty, c.root.ID, 0)
		if err != nil {
			return err
		}
		c.centreDuty = append(c.centreDuty, u)
	}
	for i := 0; i < 3; i++ {
		name := "analyst"
		if i > 0 {
			name = fmt.Sprintf("analyst%02d", i+1)
		}
		u, err := mk(name, personName(rng, i%2 == 0), auth.RoleAnalyst, c.root.ID, 0)
		if err != nil {
			return err
		}
		c.analysts = append(c.analysts, u)
	}
	for i := 0; i < 4; i++ {
		name := "investigator"
		if i > 0 {
			name = fmt.Sprintf("investigator%02d", i+1)
		}
		u, err := mk(name, personName(rng, true), auth.RoleInvestigator, c.root.ID, 0)
		if err != nil {
			return err
		}
		c.centreInv = append(c.centreInv, u)
	}
	for i, n := range []string{"leader", "leader02"} {
		u, err := mk(n, personName(rng, i == 0), auth.RoleLeader, c.root.ID, 0)
		if err != nil {
			return err
		}
		c.leaders = append(c.leaders, u)
	}
	for si, st := range c.stations {
		for k := 0; k < 6; k++ {
			name := fmt.Sprintf("s%02dd%d", si+1, k+1)
			if si == 0 && k == 0 {
				name = "dissuader"
			}
			u, err := mk(name, personName(rng, k%3 != 2), auth.RoleDissuader, st.ID, 0)
			if err != nil {
				return err
			}
			c.dissuaders[st.ID] = append(c.dissuaders[st.ID], u)
		}
		u, err := mk(fmt.Sprintf("s%02di1", si+1), personName(rng, true), auth.RoleInvestigator, st.ID, 0)
		if err != nil {
			return err
		}
		c.investig[st.ID] = append(c.investig[st.ID], u)
	}
	// Grid workers: two per station, bound to a village each.
	gi := 0
	for _, st := range c.stations {
		var mine []*village
		for _, v := range c.villages {
			if v.node.StationID == st.ID {
				mine = append(mine, v)
			}
		}
		for k := 0; k < 2 && k < len(mine); k++ {
			gi++
			name := fmt.Sprintf("grid%02d", gi)
			if gi == 1 {
				name = "grid"
			}
			u, err := mk(name, personName(rng, k == 0), auth.RoleGrid, mine[k*3%len(mine)].node.ID, 0)
			if err != nil {
				return err
			}
			c.grid = append(c.grid, u)
		}
	}
	// Member units: banks with their county branches, operators with
	// outlets, and other units of the joint meeting, each serving the
	// county (a province's freeze requests go to the case's county).
	addUnit := func(parent int64, kind, code, name string) (int64, error) {
		u, err := partner.InsertUnit(ctx, tx, partner.UnitInput{ParentID: parent, Kind: kind, Code: c.spec.Ref + code, Name: name, AreaID: c.root.ID}, time.Unix(0, 0))
		if err == nil && parent == 0 {
			c.units = append(c.units, unit{u.ID, kind, name})
		}
		return u.ID, err
	}
	for i, b := range banks {
		id, err := addUnit(0, "bank", fmt.Sprintf("B%02d", i+1), partner.BankName(b.Name)+stem+"支行")
		if err != nil {
			return err
		}
		for k, br := range []string{"营业部", "城关分理处", "青石分理处"} {
			if _, err := addUnit(id, "bank", fmt.Sprintf("B%02d-%d", i+1, k+1), partner.BankName(b.Name)+stem+"支行"+br); err != nil {
				return err
			}
		}
		if i == 0 {
			if _, err := mk("bank", "工行"+stem+"支行·"+personName(rng, false), auth.RolePartner, top, id); err != nil {
				return err
			}
		}
	}
	for i, o := range []string{"中国移动" + stem + "分公司", "中国联通" + stem + "分公司", "中国电信" + stem + "分公司"} {
		id, err := addUnit(0, "operator", fmt.Sprintf("O%02d", i+1), o)
		if err != nil {
			return err
		}
		for k, out := range []string{"城关营业厅", "东街营业厅", "青石营业厅"} {
			if _, err := addUnit(id, "operator", fmt.Sprintf("O%02d-%d", i+1, k+1), strings.TrimSuffix(o, "分公司")+out); err != nil {
				return err
			}
		}
		if i == 0 {
			if _, err := mk("mobile", "移动"+stem+"·"+personName(rng, true), auth.RolePartner, top, id); err != nil {
				return err
			}
		}
	}
	township := "青石镇人民政府"
	if c.spec.Ref != "" { // a province's counties all have a 青石镇
		township = c.spec.Name + township
	}
	for i, o := range []struct{ kind, name string }{{"education", c.spec.Name + "教育局"}, {"regulator", c.spec.Name + "市场监督管理局"},
		{"township", township}, {"other", c.spec.Name + "人民法院"}} {
		if _, err := addUnit(0, o.kind, fmt.Sprintf("M%02d", i+1), o.name); err != nil {
			return err
		}
	}
	return nil
}

// buildRoster writes the demo's 7×24 duty roster through the product's
// roster functions: weekly patterns (internal/roster) that repeat
// indefinitely — the server's gap watcher materialises them ahead, so the
// demo roster never runs out — materialised here from `from` (the start of
// the generated history) to the horizon. Three 8-hour shifts a day (00–08,
// 08–16, 16–24 Asia/Shanghai); each station has two dissuaders on the day
// shift and one on the evening and night shifts, in a weekly rotation
// (rota); the centre has two duty officers on every shift. The demo's
// station-officer login is on the day and evening shifts every day, so the
// demo always has work for it in the daytime. It returns the shifts stored.
func buildRoster(ctx context.Context, tx *db.Tx, c *county, from, now time.Time) (int, error) {
	a := roster.Actor{Scope: c.root, Now: now,
		Audit: auth.AuditEntry{UserID: c.admin.ID, Username: c.admin.Username, Role: c.admin.Role, IP: "demo"}}
	type key struct {
		user, area int64
		duty       roster.Duty
		sh         int
	}
	masks := map[key]roster.Weekdays{}
	var order []key
	add := func(k key, w int) {
		if _, ok := masks[k]; !ok {
			order = append(order, k)
		}
		masks[k] |= 1 << w
	}
	for w := 0; w < 7; w++ { // Monday first
		for sh := 0; sh < 3; sh++ {
			for si, st := range c.stations {
				for _, u := range c.rota(st, si, w, sh) {
					add(key{u.ID, st.ID, roster.Dissuader, sh}, w)
				}
				if si == 0 && sh >= 1 {
					add(key{c.dissuaders[st.ID][0].ID, st.ID, roster.Dissuader, sh}, w) // the demo login
				}
			}
			for k := 0; k < 2; k++ {
				u := c.centreDuty[(w*3+sh)*2%len(c.centreDuty)+k]
				add(key{u.ID, c.root.ID, roster.DutyOfficer, sh}, w)
			}
		}
	}
	fromDay := roster.DayOf(from).Format(roster.DayLayout)
	for _, k := range order {
		if _, err := roster.AddPattern(ctx, tx, a, roster.PatternInput{AreaID: k.area, UserID: k.user, Duty: k.duty, Weekdays: masks[k],
			Start: fmt.Sprintf("%02d:00", k.sh*8), Hours: 8, From: fromDay}); err != nil {
			return 0, err
		}
	}
	if _, err := roster.MaterialiseUnder(ctx, tx, c.root, roster.DayOf(from), now.Add(roster.Horizon), now); err != nil {
		return 0, err
	}
	var n int
	cond, arg := area.UnderClause("area_id", c.root)
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts WHERE `+cond, arg).Scan(&n)
	return n, err
}

// rota is the weekly rotation of a station's dissuaders: who stands shift
// sh (0 night, 1 day, 2 evening) on weekday w (0 Monday … 6 Sunday).
func (c *county) rota(st area.Node, si, w, sh int) []auth.User {
	ds := c.dissuaders[st.ID]
	out := []auth.User{ds[(w*3+sh+si)%len(ds)]}
	if sh == 1 {
		if o := ds[(w*3+sh+si+3)%len(ds)]; o.ID != out[0].ID {
			out = append(out, o)
		}
	}
	return out
}

// onDuty returns the dissuaders of a station on duty at t by the rotation
// of buildRoster's patterns (the generated history assigns warnings by it).
func (c *county) onDuty(st area.Node, si int, t time.Time, _ time.Time) []auth.User {
	lt := t.In(zone.Shanghai)
	return c.rota(st, si, (int(lt.Weekday())+6)%7, lt.Hour()/8)
}
