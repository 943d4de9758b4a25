package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/zone"
)

var eventKinds = []struct {
	kind     string
	weight   int
	reached  [2]int
	audience []string
	title    string
}{
	{"group_push", 30, [2]int{80, 500}, []string{"general"}, "微信群推送反诈提示"},
	{"door_to_door", 20, [2]int{5, 40}, []string{"elderly"}, "入户走访宣传"},
	{"stall", 12, [2]int{40, 300}, []string{"general", "elderly"}, "反诈宣传摆摊"},
	{"screen", 10, [2]int{200, 2000}, []string{"general"}, "LED屏滚动播放反诈标语"},
	{"lecture", 8, [2]int{30, 200}, []string{"elderly", "enterprise", "unemployed"}, "反诈专题讲座"},
	{"video", 8, [2]int{300, 5000}, []string{"general", "students"}, "反诈短视频推送"},
	{"school_class", 7, [2]int{40, 400}, []string{"students"}, "反诈主题班会"},
	{"bank_counter", 5, [2]int{20, 120}, []string{"elderly", "general"}, "银行网点柜面提醒"},
}

var materialTypes = map[string][]fraudtype.Code{
	"elderly":    {fraudtype.Police, fraudtype.HealthCare, fraudtype.Investment, fraudtype.AIFace},
	"students":   {fraudtype.Game, fraudtype.Rebate, fraudtype.PartTime, fraudtype.Credit},
	"enterprise": {fraudtype.Boss, fraudtype.Investment, fraudtype.Rebate},
	"unemployed": {fraudtype.Loan, fraudtype.PartTime, fraudtype.OverseasJob},
	"general":    {fraudtype.Rebate, fraudtype.CustomerService, fraudtype.Police, fraudtype.Investment},
}

// genPrevention writes the year of prevention events. A few villages in
// each station get no event in the last two months: the coverage gaps the
// targeting list should find.
func genPrevention(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time, count int) (int, error) {
	ins := newBulk(ctx, tx, "prevention_events", []string{"area_id", "kind", "at", "title", "place", "organiser_kind", "organiser",
		"audience", "reached", "posters", "leaflets", "folders", "fraud_types", "created_by", "created_at"})
	gaps := map[int64]bool{}
	for i, v := range c.villages {
		if i%11 == 3 {
			gaps[v.node.ID] = true
		}
	}
	tot := 0
	for _, k := range eventKinds {
		tot += k.weight
	}
	loc := zone.Shanghai
	days := c.spec.days()
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	n := 0
	for i := 0; i < count; i++ {
		v := c.villages[rng.IntN(len(c.villages))]
		day := start.Add(time.Duration(rng.IntN(days)) * 24 * time.Hour).In(loc)
		at := time.Date(day.Year(), day.Month(), day.Day(), 8+rng.IntN(11), rng.IntN(60), 0, 0, loc).UTC()
		if at.After(now) {
			at = now.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
		}
		if gaps[v.node.ID] && now.Sub(at) < 60*24*time.Hour {
			continue
		}
		x := rng.IntN(tot)
		k := eventKinds[0]
		for _, e := range eventKinds {
			if x < e.weight {
				k = e
				break
			}
			x -= e.weight
		}
		areaID := v.node.ID
		if len(v.cells) > 0 && rng.IntN(3) == 0 {
			areaID = v.cells[rng.IntN(len(v.cells))].ID
		}
		aud := k.audience[rng.IntN(len(k.audience))]
		types := materialTypes[aud]
		var codes []string
		for _, t := range types[:1+rng.IntN(len(types))] {
			codes = append(codes, string(t))
		}
		st := c.stations[stationIndex(c, v.node.StationID)]
		orgKind, org := "station", st.Name
		createdBy := c.dissuaders[st.ID][rng.IntN(len(c.dissuaders[st.ID]))].ID
		switch {
		case k.kind == "school_class":
			orgKind, org = "school", v.town.Name+"中心学校"
		case k.kind == "bank_counter":
			orgKind, org = "bank", bankShort(rng.IntN(len(banks)))+c.spec.stem()+"支行"
		case k.kind == "door_to_door" || k.kind == "group_push":
			for _, g := range c.grid {
				if g.AreaID == v.node.ID {
					orgKind, org, createdBy = "grid_worker", "网格员 "+g.DisplayName, g.ID
				}
			}
		}
		reached := k.reached[0] + rng.IntN(k.reached[1]-k.reached[0]+1)
		posters, leaflets, folders := 0, 0, 0
		if k.kind == "stall" || k.kind == "lecture" || k.kind == "door_to_door" || k.kind == "bank_counter" {
			posters, leaflets, folders = rng.IntN(6), reached/2+rng.IntN(reached+1), rng.IntN(reached/4+1)
		}
		title := fmt.Sprintf("%s（%s）", k.title, v.node.Name)
		if err := ins.add(areaID, k.kind, db.Millis(at), title, v.node.FullName, orgKind, org, aud, reached,
			posters, leaflets, folders, strings.Join(codes, ","), createdBy, db.Millis(at)); err != nil {
			return n, err
		}
		n++
	}
	return n, ins.flush()
}
