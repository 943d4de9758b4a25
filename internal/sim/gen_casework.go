package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/investigation"
)

// caseworkCounts is what genCasework made.
type caseworkCounts struct {
	series, merged, campaignCases, tasks, notes int
}

// genCasework gives the demo county's year the work around its cases
// (internal/investigation): series of cases that share a suspect (串并案),
// one 集群战役 over the year's cases with a card farmer, a 省督办 on the
// largest loss, and tasks and notes on the cases still under way (some
// tasks overdue, so the home page and the reminder have something to show).
// It runs after genInvestigation, through the package's functions, with
// its own rng stream.
func genCasework(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) (caseworkCounts, error) {
	var out caseworkCounts
	entry := func(u auth.User) auth.AuditEntry {
		return auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role, IP: "127.0.0.1"}
	}
	if len(c.centreInv) == 0 || len(c.leaders) == 0 {
		return out, nil
	}
	inv, leader := entry(c.centreInv[0]), entry(c.leaders[0])

	// 串并案: a suspect on several cases ties them into a series under the
	// earliest one, when none of them is in a series yet.
	rows, err := tx.Query(ctx, `SELECT sc.suspect_id, sc.case_id FROM suspect_cases sc JOIN cases c ON c.id = sc.case_id
		WHERE sc.suspect_id IN (SELECT suspect_id FROM suspect_cases GROUP BY suspect_id HAVING COUNT(*) > 1)
		AND c.area_id `+inCounty+` ORDER BY sc.suspect_id, sc.case_id`, c.root.SubtreePattern())
	if err != nil {
		return out, err
	}
	groups := map[int64][]int64{}
	var order []int64
	for rows.Next() {
		var sid, cid int64
		if err := rows.Scan(&sid, &cid); err != nil {
			rows.Close()
			return out, err
		}
		if groups[sid] == nil {
			order = append(order, sid)
		}
		groups[sid] = append(groups[sid], cid)
	}
	rows.Close()
	used := map[int64]bool{}
	for _, sid := range order {
		if out.series >= 6 {
			break
		}
		ids := groups[sid]
		free := true
		for _, id := range ids {
			free = free && !used[id]
		}
		if !free {
			continue
		}
		if err := investigation.MergeIn(ctx, tx, c.root, inv, ids[0], ids[1:], "同一犯罪嫌疑人作案，串并侦查", now.Add(-time.Duration(1+rng.IntN(60))*24*time.Hour)); err != nil {
			return out, fmt.Errorf("series of case %d: %w", ids[0], err)
		}
		for _, id := range ids {
			used[id] = true
		}
		out.series++
		out.merged += len(ids) - 1
	}

	// One 集群战役 over the last six months' cases with a card farmer, and
	// a 省督办 on the largest loss of the year.
	started := now.AddDate(0, -6, 0)
	g, err := investigation.CreateCampaignIn(ctx, tx, c.root, leader, investigation.CampaignInput{Kind: investigation.Cluster,
		Name: "“断卡”集群战役", AreaID: c.root.ID, Started: started, Note: "打击收购、出租、出售银行卡和电话卡的团伙"}, started)
	if err != nil {
		return out, fmt.Errorf("campaign: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT sc.case_id FROM suspect_cases sc JOIN suspects s ON s.id = sc.suspect_id
		JOIN cases c ON c.id = sc.case_id WHERE s.role = 'card_farmer' AND c.reported_at >= ? AND c.area_id `+inCounty+` ORDER BY sc.case_id`,
		db.Millis(started), c.root.SubtreePattern())
	if err != nil {
		return out, err
	}
	var tagged []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return out, err
		}
		tagged = append(tagged, id)
	}
	rows.Close()
	for _, id := range tagged {
		if err := investigation.TagCaseIn(ctx, tx, c.root, leader, g, id, true, now); err != nil {
			return out, fmt.Errorf("campaign case %d: %w", id, err)
		}
		out.campaignCases++
	}
	var big int64
	if err := tx.QueryRow(ctx, `SELECT id FROM cases WHERE reported_at >= ? AND area_id `+inCounty+` ORDER BY loss_fen DESC, id LIMIT 1`,
		db.Millis(now.AddDate(-1, 0, 0)), c.root.SubtreePattern()).Scan(&big); err == nil {
		p, err := investigation.CreateCampaignIn(ctx, tx, c.root, leader, investigation.CampaignInput{Kind: investigation.ProvinceSupervis,
			Name: "省厅督办：特大投资理财诈骗案", AreaID: c.root.ID, Started: now.AddDate(0, -2, 0)}, now)
		if err != nil {
			return out, err
		}
		if err := investigation.TagCaseIn(ctx, tx, c.root, leader, p, big, true, now); err != nil {
			return out, err
		}
		out.campaignCases++
	}

	// Tasks and notes on the cases under way, by their investigators.
	rows, err = tx.Query(ctx, `SELECT c.id, c.investigator_id FROM cases c JOIN case_states s ON s.case_id = c.id
		WHERE s.state IN ('filed', 'investigating') AND c.investigator_id IS NOT NULL AND c.area_id `+inCounty+`
		ORDER BY c.id DESC LIMIT 40`, c.root.SubtreePattern())
	if err != nil {
		return out, err
	}
	type work struct{ id, user int64 }
	var under []work
	for rows.Next() {
		var w work
		if err := rows.Scan(&w.id, &w.user); err != nil {
			rows.Close()
			return out, err
		}
		under = append(under, w)
	}
	rows.Close()
	users := map[int64]auth.User{}
	for _, us := range c.investig {
		for _, u := range us {
			users[u.ID] = u
		}
	}
	for _, u := range c.centreInv {
		users[u.ID] = u
	}
	titles := []string{"调取收款账户开户资料及流水", "走访被害人补充笔录", "协调银行冻结剩余资金", "调取通话记录", "比对嫌疑人轨迹"}
	notes := []string{"被害人补充：对方自称平台客服，使用屏幕共享。", "收款账户已调取流水，资金分散转入多个二级卡。", "嫌疑人手机号近期活跃于外省，已申请协查。"}
	for _, w := range under {
		u, ok := users[w.user]
		if !ok {
			continue
		}
		who := entry(u)
		for k := 0; k < 1+rng.IntN(2); k++ {
			created := now.Add(-time.Duration(1+rng.IntN(14*24)) * time.Hour)
			due := created.Add(time.Duration(24+rng.IntN(10*24)) * time.Hour) // some already past
			if _, err := investigation.AddTaskIn(ctx, tx, c.root, who, investigation.TaskInput{CaseID: w.id, Title: titles[rng.IntN(len(titles))],
				AssigneeID: u.ID, Due: due}, created); err != nil {
				return out, fmt.Errorf("task on case %d: %w", w.id, err)
			}
			out.tasks++
		}
		if rng.IntN(2) == 0 {
			if _, err := investigation.AddNoteIn(ctx, tx, c.root, who, w.id, notes[rng.IntN(len(notes))],
				now.Add(-time.Duration(rng.IntN(72))*time.Hour)); err != nil {
				return out, fmt.Errorf("note on case %d: %w", w.id, err)
			}
			out.notes++
		}
	}
	return out, nil
}
