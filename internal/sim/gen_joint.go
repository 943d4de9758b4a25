package sim

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/zone"
)

// genJoint writes the year's 联席会议: a meeting every quarter with the
// member units present, its decisions, and the tasks it gave units — most
// done, some under way, a few overdue — with the units' follow-up notes.
// The tables are described in docs/PARTNERS.md.
func genJoint(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) error {
	type unit struct {
		id         int64
		kind, name string
	}
	var units []unit
	for _, u := range c.units { // the county's member units, in the order made
		units = append(units, unit{u.id, u.kind, u.name})
	}
	if len(units) == 0 {
		return nil
	}
	var admin any
	if c.admin.ID != 0 {
		admin = c.admin.ID
	}
	tasksByKind := map[string][]string{
		"bank": {"对本行涉诈开户网点开展自查，报送近三月新开卡异常情况", "柜面大额取现（5 万元以上）落实“见警即止”提醒话术",
			"对老年客户大额转账开展二次核实", "配合梳理涉案账户开户资料，3 个工作日内反馈"},
		"operator":  {"清理辖区营业厅一人多卡、异常批量开卡", "对涉诈号码落实“断卡”处置并反馈", "向辖区用户推送反诈提示短信"},
		"education": {"全县中小学开展一堂反诈主题课", "排查在校学生出租出借银行卡情况"},
		"regulator": {"联合检查辖区手机卡代办点", "对涉诈广告开展专项清理"},
		"township":  {"组织村（社区）网格员开展入户宣传，做到户户见面", "将反诈宣传纳入村规民约"},
		"court":     {"通报近期电信网络诈骗案件判决情况，发布典型案例"},
		"other":     {"配合开展反诈宣传进单位"},
	}
	insMeeting, err := tx.Prepare(ctx, `INSERT INTO joint_meetings (held_at, title, place, attendees, decisions, created_by, created_at)
		VALUES (?,?,?,?,?,?,?) RETURNING id`)
	if err != nil {
		return err
	}
	defer insMeeting.Close()
	insUnit, err := tx.Prepare(ctx, `INSERT INTO joint_meeting_units (meeting_id, unit_id) VALUES (?,?)`)
	if err != nil {
		return err
	}
	defer insUnit.Close()
	insTask, err := tx.Prepare(ctx, `INSERT INTO joint_tasks (meeting_id, unit_id, title, detail, owner, due_at, status, created_by, created_at, updated_at, done_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id`)
	if err != nil {
		return err
	}
	defer insTask.Close()
	insNote, err := tx.Prepare(ctx, `INSERT INTO joint_task_notes (task_id, at, user_id, by_unit, note) VALUES (?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer insNote.Close()
	nowMs := db.Millis(now)
	for q := 3; q >= 0; q-- {
		held := now.AddDate(0, -3*q, 0).Add(-time.Duration(10+rng.IntN(20)) * 24 * time.Hour)
		held = time.Date(held.Year(), held.Month(), held.Day(), 1+rng.IntN(2), 30, 0, 0, time.UTC) // 09:30–10:30 Beijing
		title := "县打击治理电信网络新型违法犯罪工作联席会议（" + held.In(zone.Shanghai).Format("2006年1月") + "）"
		decisions := "1. 通报本季度发案、劝阻、止付冻结情况；2. 银行、运营商落实“断卡”行动责任；3. 教育、乡镇按网格开展宣传全覆盖；4. 下季度重点：冒充公检法、刷单返利。"
		var mid int64
		if err := insMeeting.QueryRowContext(ctx, db.Millis(held), title, "县公安局三楼会议室", "县反诈中心、各派出所、成员单位代表",
			decisions, admin, db.Millis(held)).Scan(&mid); err != nil {
			return err
		}
		for _, u := range units {
			if _, err := insUnit.ExecContext(ctx, mid, u.id); err != nil {
				return err
			}
			list := tasksByKind[u.kind]
			if len(list) == 0 || rng.IntN(3) == 0 {
				continue
			}
			title := list[rng.IntN(len(list))]
			due := held.Add(time.Duration(14+rng.IntN(30)) * 24 * time.Hour)
			status, updated := "done", due.Add(-time.Duration(1+rng.IntN(10))*24*time.Hour)
			var done any = db.Millis(updated)
			switch {
			case due.After(now) && rng.IntN(2) == 0:
				status, done, updated = "doing", nil, held.Add(time.Duration(2+rng.IntN(5))*24*time.Hour)
			case due.After(now):
				status, done, updated = "open", nil, held
			case rng.IntN(8) == 0: // overdue, still under way
				status, done, updated = "doing", nil, due.Add(-48*time.Hour)
			}
			if db.Millis(updated) > nowMs {
				updated = now
			}
			var tid int64
			if err := insTask.QueryRowContext(ctx, mid, u.id, title, "按会议决定落实，按期反馈", u.name+"负责人",
				db.Millis(due), status, admin, db.Millis(held), db.Millis(updated), done).Scan(&tid); err != nil {
				return err
			}
			if status != "open" {
				note := "已部署，正在落实"
				if status == "done" {
					note = "已完成，材料已报县反诈中心"
				}
				if _, err := insNote.ExecContext(ctx, tid, db.Millis(updated), nil, 1, note); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
