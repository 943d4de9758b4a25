package sim

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// person is someone the generator writes about.
type person struct {
	name, phone, id, birth, sex, address, occupation string
	age                                              int
	v                                                *village
}

// newPerson draws a resident of the county of a given age band.
func (c *county) newPerson(rng *rand.Rand, age int, at time.Time) person {
	v := c.pickVillage(rng)
	male := rng.IntN(2) == 0
	by := at.Year() - age
	m, d := 1+rng.IntN(12), 1+rng.IntN(28)
	p := person{name: personName(rng, male), phone: mobile(rng), id: idNumber(rng, c.spec.Code, by, m, d, male), age: age, v: v,
		birth: fmt.Sprintf("%04d-%02d-%02d", by, m, d)}
	if male {
		p.sex = "M"
	} else {
		p.sex = "F"
	}
	p.address = residentAddress(rng, v)
	switch {
	case age >= 60:
		p.occupation = "retired"
	case age < 23:
		p.occupation = "student"
	case rng.IntN(3) == 0:
		p.occupation = "enterprise"
	case rng.IntN(3) == 0:
		p.occupation = "farmer"
	default:
		p.occupation = []string{"self_employed", "unemployed", "civil_servant", "other"}[rng.IntN(4)]
	}
	return p
}

// residentAddress writes an address the way people and upstream lists do:
// sometimes with the province prefix, sometimes abbreviated.
func residentAddress(rng *rand.Rand, v *village) string {
	var tail string
	if v.urban {
		tail = fmt.Sprintf("%s%d栋%d单元%d", compounds[rng.IntN(len(compounds))], 1+rng.IntN(20), 1+rng.IntN(4), 100*(1+rng.IntN(18))+1+rng.IntN(4))
	} else {
		tail = fmt.Sprintf("%d组%d号", 1+rng.IntN(12), 1+rng.IntN(60))
	}
	county, province := v.county.Name, v.county.Province
	switch rng.IntN(10) {
	case 0, 1:
		return province + v.county.City + county + v.town.Name + v.node.Name + tail
	case 2:
		return v.town.Name + v.node.Name + tail // no county
	case 3:
		return county + v.town.Aliases + v.node.Aliases + tail // abbreviated
	default:
		return county + v.town.Name + v.node.Name + tail
	}
}

// fraud types by who is at risk.
func drawFraudType(rng *rand.Rand, age int) fraudtype.Code {
	type w struct {
		c fraudtype.Code
		n int
	}
	var table []w
	switch {
	case age >= 60:
		table = []w{{fraudtype.Police, 30}, {fraudtype.HealthCare, 25}, {fraudtype.Investment, 12}, {fraudtype.Boss, 10}, {fraudtype.CustomerService, 10},
			{fraudtype.AIFace, 5}, {fraudtype.Romance, 3}, {fraudtype.Other, 5}}
	case age < 23:
		table = []w{{fraudtype.Game, 25}, {fraudtype.Rebate, 25}, {fraudtype.PartTime, 18}, {fraudtype.Credit, 10}, {fraudtype.Shopping, 10},
			{fraudtype.CustomerService, 7}, {fraudtype.Other, 5}}
	default:
		table = []w{{fraudtype.Rebate, 22}, {fraudtype.Investment, 18}, {fraudtype.CustomerService, 14}, {fraudtype.Loan, 12}, {fraudtype.Credit, 7},
			{fraudtype.Boss, 7}, {fraudtype.Romance, 6}, {fraudtype.Police, 5}, {fraudtype.Shopping, 4}, {fraudtype.ScreenShare, 3},
			{fraudtype.OverseasJob, 1}, {fraudtype.Other, 1}}
	}
	tot := 0
	for _, x := range table {
		tot += x.n
	}
	k := rng.IntN(tot)
	for _, x := range table {
		if k < x.n {
			return x.c
		}
		k -= x.n
	}
	return fraudtype.Other
}

func drawAge(rng *rand.Rand) int {
	switch r := rng.IntN(100); {
	case r < 28:
		return 60 + rng.IntN(26)
	case r < 42:
		return 14 + rng.IntN(9)
	default:
		return 23 + rng.IntN(37)
	}
}

var warningTexts = map[fraudtype.Code][]string{
	fraudtype.Police:          {"对方自称公安局民警，称当事人涉嫌洗钱案，要求将存款转入“安全账户”配合调查", "当事人接到自称检察院的电话，被要求下载会议软件并提供银行卡信息"},
	fraudtype.HealthCare:      {"当事人多次参加免费健康讲座，拟购买高价保健品并预付款项", "对方以“以房养老”投资项目为名，要求当事人转入养老投资款"},
	fraudtype.Investment:      {"当事人在陌生网友推荐的投资平台充值，平台显示高额收益但无法提现", "当事人被拉入“股票交流群”，按“导师”指示在虚假平台投资"},
	fraudtype.Boss:            {"当事人收到冒充领导的QQ消息，要求向指定账户转账", "对方冒充亲属称出车祸急需用钱"},
	fraudtype.CustomerService: {"对方自称电商客服，称商品有质量问题要退款，诱导当事人开启屏幕共享", "对方自称快递客服称包裹丢失理赔，要求当事人提供验证码"},
	fraudtype.AIFace:          {"当事人与“朋友”视频通话后被要求转账，疑似AI换脸", "对方用与亲属相同的声音来电借钱"},
	fraudtype.Romance:         {"当事人通过婚恋网站结识“男友”，对方以各种理由索要钱财", "网恋对象称投资失败需要资金周转"},
	fraudtype.Game:            {"学生在游戏平台买卖账号，被对方以“解冻费”为由要求转账", "对方称可低价出售游戏装备，收款后拉黑"},
	fraudtype.Rebate:          {"当事人做“点赞返佣”任务，先获小额返利，后被要求垫付大额任务款", "对方以刷单返利为名，要求当事人连续充值“解冻”"},
	fraudtype.PartTime:        {"学生应聘网络兼职打字员，被要求先交入职押金", "对方以高薪兼职为名，要求缴纳会员费"},
	fraudtype.Credit:          {"对方称当事人学生时期有校园贷，不注销会影响征信，诱导贷款后转账", "对方自称金融监管部门，要求“清除不良征信记录”"},
	fraudtype.Loan:            {"当事人在网贷APP申请贷款，被以“解冻费”“保证金”为由要求转账", "对方称可办理无抵押低息贷款，先收取手续费"},
	fraudtype.Shopping:        {"当事人在社交平台低价购买手机，付款后对方失联", "对方以代购名义收取定金后不发货"},
	fraudtype.ScreenShare:     {"当事人被诱导开启屏幕共享，银行卡验证码可能已泄露", "对方指导当事人开启共享屏幕操作手机银行"},
	fraudtype.OverseasJob:     {"当事人拟应聘境外高薪工作，对方要求先交办证费", "对方以境外务工名义诱骗当事人出境"},
	fraudtype.Other:           {"当事人接到可疑来电，内容涉及转账汇款", "群众反映亲属可能遭遇电信网络诈骗"},
}

func textFor(rng *rand.Rand, t fraudtype.Code) string {
	ts := warningTexts[t]
	if len(ts) == 0 {
		ts = warningTexts[fraudtype.Other]
	}
	return ts[rng.IntN(len(ts))]
}

// warningHours is the hourly pattern of warnings (Asia/Shanghai).
var warningHours = [24]float64{0.8, 0.5, 0.4, 0.3, 0.3, 0.5, 1.0, 2.0, 4.0, 5.5, 6.5, 6.5, 5.0, 5.0, 6.0, 6.0, 5.5, 5.0, 5.0, 6.0, 6.5, 5.5, 3.5, 1.8}

func drawHour(rng *rand.Rand) int {
	var tot float64
	for _, w := range warningHours {
		tot += w
	}
	x := rng.Float64() * tot
	for h, w := range warningHours {
		if x < w {
			return h
		}
		x -= w
	}
	return 23
}

// scamPool is the fraudsters' reusable numbers, accounts and links: real
// gangs reuse them, so warnings repeat them.
type scamPool struct {
	phones   []string
	accounts []string
	urls     []string
	apps     []string
}

func newScamPool(rng *rand.Rand, mules []string) *scamPool {
	p := &scamPool{}
	for i := 0; i < 700; i++ {
		switch rng.IntN(4) {
		case 0:
			p.phones = append(p.phones, fmt.Sprintf("+%d%09d", []int{852, 855, 95, 63}[rng.IntN(4)], rng.IntN(1_000_000_000)))
		case 1:
			p.phones = append(p.phones, fmt.Sprintf("170%08d", rng.IntN(100_000_000)))
		default:
			p.phones = append(p.phones, mobile(rng))
		}
	}
	p.accounts = append(p.accounts, mules...)
	for i := 0; i < 120; i++ {
		p.urls = append(p.urls, fmt.Sprintf("http://%s%d.%s", []string{"vip-tz", "jd-kf", "qb-app", "gw-zx", "dk-fast"}[rng.IntN(5)], rng.IntN(999), []string{"cc", "top", "vip", "xyz"}[rng.IntN(4)]))
	}
	p.apps = []string{"会议宝", "云视讯", "安全卫士Pro", "财富通", "金牛证券", "快贷宝", "游戏交易猫仿冒版", "任务派单", "XX交友", "屏幕助手"}
	return p
}

// genWarnings writes the years of warnings; defrauded warnings become cases
// (returned for genCases to give them victims and transfers).
func genWarnings(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, pool *scamPool, now, rosterStart time.Time, count int) (warnStats, []pendingCase, error) {
	var st warnStats
	var cases []pendingCase
	wb := newBulk(ctx, tx, "warnings", []string{"id", "source", "source_ref", "received_at", "grade", "priority", "person_name",
		"person_phone", "person_id_number", "person_birth", "person_age", "person_sex", "person_address", "fraud_type", "scam_phone",
		"scam_account", "scam_url", "scam_app", "amount_fen", "text", "area_id", "station_id", "route_reason", "assignee_id", "status",
		"merged_into", "contact_due_at", "onsite_due_at", "first_contact_at", "onsite_at", "escalated_at", "outcome", "outcome_at",
		"kept_fen", "last_intake_at", "last_contact_at", "score_detail", "created_at", "updated_at"})
	ev := newBulk(ctx, tx, "warning_events", []string{"warning_id", "at", "kind", "user_id", "detail"}, wb)
	ct := newBulk(ctx, tx, "contacts", []string{"warning_id", "at", "user_id", "method", "result", "note", "created_at"}, wb)
	policy := warning.DefaultPolicy()
	loc := zone.Shanghai
	// Receipt times, sorted, over the year before now; the last few hours
	// get a handful more so the live queue is realistic.
	times := make([]time.Time, 0, count+20)
	days := c.spec.days()
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	for i := 0; i < count; i++ {
		day := start.Add(time.Duration(rng.IntN(days)) * 24 * time.Hour).In(loc)
		t := time.Date(day.Year(), day.Month(), day.Day(), drawHour(rng), rng.IntN(60), rng.IntN(60), 0, loc)
		if t.After(now) || t.Before(start) {
			t = now.Add(-time.Duration(1+rng.IntN(3000)) * time.Hour)
		}
		times = append(times, t.UTC())
	}
	for i := 0; i < 18; i++ {
		times = append(times, now.Add(-time.Duration(rng.IntN(180))*time.Minute))
	}
	sortTimes(times)
	ids, err := allocateIDs(ctx, tx, "warnings", len(times))
	if err != nil {
		return st, nil, err
	}
	type recent struct {
		id     int64
		p      person
		at     time.Time
		closed time.Time
	}
	var recents []recent
	for i, at := range times {
		age := drawAge(rng)
		p := c.newPerson(rng, age, at)
		var mergedInto int64
		// About 4% concern a person warned in the days before: merged into
		// that warning when it was still open, else a new repeat warning.
		if len(recents) > 0 && rng.IntN(25) == 0 {
			r := recents[rng.IntN(len(recents))]
			if at.Sub(r.at) < 10*24*time.Hour {
				p = r.p
				if r.closed.IsZero() || r.closed.After(at) {
					mergedInto = r.id
				}
			}
		}
		ft := drawFraudType(rng, p.age)
		grade := warning.GradeOrdinary
		var amount int64
		switch r := rng.Float64(); {
		case r < 0.018:
			grade = warning.GradeFund
			amount = int64(math.Exp(math.Log(40000)+0.9*rng.NormFloat64())) * 100
		case r < 0.263:
			grade = warning.GradeHigh
			if rng.IntN(3) == 0 {
				amount = int64(math.Exp(math.Log(10000)+1.0*rng.NormFloat64())) * 100
			}
		}
		src := warning.SourceUpper
		switch r := rng.IntN(100); {
		case grade == warning.GradeFund && r < 80:
			src = warning.SourceBank
		case grade == warning.GradeFund:
		case r < 66:
		case r < 82:
			src = warning.SourceOperator
		case r < 92:
			src = warning.SourceHotline
		case r < 97:
			src = warning.SourceWalkIn
		default:
			src = warning.SourceOther
		}
		score, _ := warning.Score(warning.ScoreInput{Grade: grade, AmountFen: amount, Age: p.age, FraudType: string(ft)})
		// Routing: ~4% of addresses are written so they cannot be matched
		// (out of county, only a street name): the centre's queue.
		areaID, stationID := p.v.node.ID, p.v.node.StationID
		reason := "匹配到 " + p.v.node.FullName
		if k := rng.IntN(100); k < 4 {
			p.address = otherCities[rng.IntN(len(otherCities))] + "市" + []string{"开福区", "天河区", "南山区", "五华区"}[rng.IntN(4)] + "某小区"
			areaID, stationID, reason = c.root.ID, 0, "未匹配：地址不在本县，进入中心队列"
		} else if k < 8 && len(p.v.cells) > 0 {
			cell := p.v.cells[rng.IntN(len(p.v.cells))]
			areaID = cell.ID
			p.address += cell.Name
			reason = "匹配到 " + cell.FullName
		}
		var assignee int64
		var assigneeName string
		si := stationIndex(c, stationID)
		if stationID != 0 && mergedInto == 0 {
			ds := c.onDuty(c.stations[si], si, at, rosterStart)
			pick := ds[rng.IntN(len(ds))]
			assignee, assigneeName = pick.ID, pick.DisplayName
		}
		due := policy.ContactDue(grade, at)
		// Contact and outcome.
		open := now.Sub(at) < 3*time.Hour
		var firstContact, onsiteDue, onsiteAt, escalated, outcomeAt sql.NullInt64
		var outcome warning.Outcome
		var kept int64
		status := "closed"
		if mergedInto != 0 {
			status = "merged"
		}
		var delay time.Duration
		switch grade {
		case warning.GradeFund:
			delay = time.Duration(60+rng.IntN(480)) * time.Second
			if rng.IntN(12) == 0 {
				delay = time.Duration(11+rng.IntN(25)) * time.Minute
			}
		case warning.GradeHigh:
			delay = time.Duration(3+rng.IntN(24)) * time.Minute
			if rng.IntN(10) == 0 {
				delay = time.Duration(31+rng.IntN(60)) * time.Minute
			}
		default:
			delay = time.Duration(20+rng.IntN(20*60)) * time.Minute
		}
		contactAt := at.Add(delay)
		if mergedInto == 0 && !(open && contactAt.After(now)) {
			firstContact = nullMs(contactAt)
			if contactAt.After(due) {
				escalated = nullMs(due.Add(time.Second))
			}
		} else if mergedInto == 0 && open && due.Before(now) {
			escalated = nullMs(due.Add(time.Second))
		}
		var caseFor *pendingCase
		if mergedInto == 0 && !open {
			falseAlarm := rng.IntN(10) == 0
			switch r := rng.IntN(1000); {
			case falseAlarm:
				outcome = warning.OutcomeFalseAlarm
			case r < 12:
				outcome = warning.OutcomeDefrauded
			case r < 130:
				outcome = warning.OutcomeUnreachable
			default:
				outcome = warning.OutcomeDissuaded
			}
			closeAt := contactAt.Add(time.Duration(5+rng.IntN(60)) * time.Minute)
			if outcome == warning.OutcomeUnreachable || (grade != warning.GradeOrdinary && rng.IntN(5) == 0 && outcome != warning.OutcomeFalseAlarm) {
				if policy.NeedsOnsite(grade) {
					onsiteDue = nullMs(contactAt.Add(policy.OnsiteWithin))
					ons := contactAt.Add(time.Duration(20+rng.IntN(110)) * time.Minute)
					if rng.IntN(12) == 0 {
						ons = contactAt.Add(time.Duration(125+rng.IntN(120)) * time.Minute)
					}
					onsiteAt = nullMs(ons)
					closeAt = ons.Add(10 * time.Minute)
					if outcome == warning.OutcomeUnreachable && rng.IntN(2) == 0 {
						outcome = warning.OutcomeDissuaded // found at home and talked out of it
					}
				}
			}
			if outcome == warning.OutcomeDissuaded && grade != warning.GradeOrdinary {
				if amount > 0 {
					kept = amount
				} else {
					kept = int64(math.Exp(math.Log(6000)+0.9*rng.NormFloat64())) * 100
				}
			}
			if closeAt.After(now) {
				closeAt = now.Add(-time.Minute)
			}
			outcomeAt = nullMs(closeAt)
			if outcome == warning.OutcomeDefrauded {
				loss := amount
				if loss == 0 {
					loss = int64(math.Exp(math.Log(8000)+1.2*rng.NormFloat64())) * 100
				}
				caseFor = &pendingCase{victim: p, fraudType: ft, reportedAt: closeAt, lossFen: loss, text: textFor(rng, ft)}
			}
		} else if mergedInto == 0 {
			status = "open"
		}
		sc := pool.phones[rng.IntN(len(pool.phones))]
		var sa, su, sapp string
		switch ft {
		case fraudtype.Investment, fraudtype.Rebate, fraudtype.Loan, fraudtype.Game:
			su = pool.urls[rng.IntN(len(pool.urls))]
			sapp = pool.apps[rng.IntN(len(pool.apps))]
		case fraudtype.Police, fraudtype.CustomerService, fraudtype.ScreenShare:
			sapp = pool.apps[rng.IntN(3)]
		}
		if grade == warning.GradeFund && len(pool.accounts) > 0 {
			sa = pool.accounts[rng.IntN(len(pool.accounts))]
		}
		lastContact := firstContact
		id := ids[i]
		err := wb.add(id, string(src), fmt.Sprintf("%s%s-%s-%05d", c.spec.Ref, sourceCode(src), at.In(loc).Format("20060102"), i),
			db.Millis(at), string(grade), score, p.name, p.phone, p.id, p.birth, p.age, p.sex, p.address, string(ft), sc, sa, su, sapp,
			amount, textFor(rng, ft), areaID, nullID(stationID), reason, nullID(assignee), status, nullID(mergedInto),
			db.Millis(due), onsiteDue, firstContact, onsiteAt, escalated, string(outcome), outcomeAt, kept, db.Millis(at), lastContact, "",
			db.Millis(at), db.Millis(at))
		if err != nil {
			return st, nil, fmt.Errorf("warning %d: %w", i, err)
		}
		st.total++
		switch grade {
		case warning.GradeFund:
			st.fund++
		case warning.GradeHigh:
			st.high++
		}
		events := [][3]any{{at, "intake", fmt.Sprintf("经接口接收（%s），%s，优先分 %d", warning.SourceName(src), warning.GradeName(grade), score)}}
		if mergedInto != 0 {
			events = append(events, [3]any{at, "merged", fmt.Sprintf("同一当事人已有在办预警 #%d，已并入", mergedInto)})
		} else {
			events = append(events, [3]any{at, "routed", reason})
			if assignee != 0 {
				events = append(events, [3]any{at, "assigned", "按值班表分派给在班劝阻员 " + assigneeName})
			}
		}
		if firstContact.Valid {
			res := "reached"
			if outcome == warning.OutcomeUnreachable || onsiteDue.Valid {
				res = "no_answer"
			}
			events = append(events, [3]any{contactAt, "contact", "电话：" + warning.ContactResultName(res)})
			if err := ct.add(id, db.Millis(contactAt), nullID(assignee), "call", res, "", db.Millis(contactAt)); err != nil {
				return st, nil, err
			}
		}
		if outcomeAt.Valid {
			events = append(events, [3]any{db.Time(outcomeAt.Int64), "outcome", warning.OutcomeName(outcome)})
		}
		for _, e := range events {
			if err := ev.add(id, db.Millis(e[0].(time.Time)), e[1], nullID(assignee), e[2]); err != nil {
				return st, nil, err
			}
		}
		if caseFor != nil {
			caseFor.warningID = id
			cases = append(cases, *caseFor)
		}
		if mergedInto == 0 {
			rc := recent{id: id, p: p, at: at}
			if outcomeAt.Valid {
				rc.closed = db.Time(outcomeAt.Int64)
			}
			recents = append(recents, rc)
			if len(recents) > 400 {
				recents = recents[len(recents)-400:]
			}
		}
	}
	for _, b := range []*bulk{ev, ct} {
		if err := b.flush(); err != nil {
			return st, nil, err
		}
	}
	// The demo's station-officer login gets the open warnings of its station.
	if len(c.stations) > 0 {
		demo := c.dissuaders[c.stations[0].ID][0]
		if _, err := tx.Exec(ctx, `UPDATE warnings SET assignee_id = ? WHERE status = 'open' AND station_id = ?`, demo.ID, c.stations[0].ID); err != nil {
			return st, nil, err
		}
	}
	return st, cases, nil
}

type warnStats struct{ total, fund, high int }

func stationIndex(c *county, id int64) int {
	for i, s := range c.stations {
		if s.ID == id {
			return i
		}
	}
	return 0
}

func sourceCode(s warning.Source) string {
	switch s {
	case warning.SourceUpper:
		return "SJ"
	case warning.SourceBank:
		return "YH"
	case warning.SourceOperator:
		return "YYS"
	case warning.SourceHotline:
		return "96110"
	case warning.SourceWalkIn:
		return "LF"
	}
	return "QT"
}

func nullMs(t time.Time) sql.NullInt64 { return sql.NullInt64{Int64: db.Millis(t), Valid: true} }

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func sortTimes(ts []time.Time) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
}
