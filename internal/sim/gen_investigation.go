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

// investigationCounts is what genInvestigation made.
type investigationCounts struct {
	steps, pending, suspects, dispositions int
}

// suspectPlaces are where the demo's suspects are caught: at home, and in
// the provinces the money and the callers go to.
var suspectPlaces = []string{"本县城关镇", "本县青石镇", "长沙市岳麓区", "广东省东莞市", "广东省深圳市宝安区",
	"广西壮族自治区南宁市", "云南省西双版纳州景洪市", "福建省泉州市", "湖北省武汉市", "海南省儋州市"}

// genInvestigation takes each generated case through the lifecycle
// (internal/investigation) as its investigator and the county's leader
// would have over the year: accepted, filed (approved), investigated,
// solved with the suspects caught and disposed of, sent to prosecution and
// closed — or refused filing or withdrawn. A case's generated status
// (cases.status) is the target; steps that would fall after now stop
// where they are, and the steps that need approval asked in the last
// seven days wait for the leader. Everything goes through the package's functions, so the
// history, timeline, audit log and figures are what the console would
// have written. rng is its own stream, so the rest of the county does not
// change with it.
func genInvestigation(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) (investigationCounts, error) {
	var out investigationCounts
	users := map[int64]auth.User{}
	for _, us := range c.investig {
		for _, u := range us {
			users[u.ID] = u
		}
	}
	for _, u := range c.centreInv {
		users[u.ID] = u
	}
	entry := func(u auth.User) auth.AuditEntry {
		return auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role, IP: "127.0.0.1"}
	}
	leader := entry(c.leaders[0])
	stationName := map[int64]string{}
	for _, st := range c.stations {
		stationName[st.ID] = st.Name
	}
	type caseRow struct {
		id, station, investigator int64
		reported                  time.Time
		status                    string
	}
	rows, err := tx.Query(ctx, `SELECT id, COALESCE(station_id, 0), COALESCE(investigator_id, 0), reported_at, status FROM cases
		WHERE area_id `+inCounty+` ORDER BY id`, c.root.SubtreePattern())
	if err != nil {
		return out, err
	}
	var cases []caseRow
	for rows.Next() {
		var r caseRow
		var at int64
		if err := rows.Scan(&r.id, &r.station, &r.investigator, &at, &r.status); err != nil {
			rows.Close()
			return out, err
		}
		r.reported = db.Time(at)
		cases = append(cases, r)
	}
	rows.Close()
	var known []int64 // suspects with an ID number, some caught again on another case
	for _, cr := range cases {
		u, ok := users[cr.investigator]
		if !ok {
			continue
		}
		who := entry(u)
		// The path to the target state.
		var path []investigation.Action
		waiting := false // the last step's approval is left pending
		switch cr.status {
		case "open":
			path = []investigation.Action{investigation.Accept}
			switch r := rng.IntN(3); {
			case r == 0:
				path = nil
			case r == 1 && now.Sub(cr.reported) < 30*24*time.Hour:
				// 立案 asked, on the leader's desk.
				path, waiting = append(path, investigation.File), true
			}
		case "investigating":
			path = []investigation.Action{investigation.Accept, investigation.File, investigation.Investigate}
			if rng.IntN(4) == 0 {
				path = path[:2] // filed, not yet under way
			}
		case "solved":
			path = []investigation.Action{investigation.Accept, investigation.File, investigation.Investigate, investigation.Solve}
			if rng.IntN(2) == 0 {
				path = append(path, investigation.Prosecute)
			}
		default:
			switch r := rng.IntN(10); {
			case r == 0:
				path = []investigation.Action{investigation.Accept, investigation.Refuse}
			case r == 1:
				path = []investigation.Action{investigation.Accept, investigation.File, investigation.Investigate, investigation.Withdraw}
			case r < 5:
				path = []investigation.Action{investigation.Accept, investigation.File, investigation.Investigate, investigation.Solve, investigation.Close}
			default:
				path = []investigation.Action{investigation.Accept, investigation.File, investigation.Investigate, investigation.Solve,
					investigation.Prosecute, investigation.Close}
			}
		}
		at := cr.reported.Add(time.Duration(1+rng.IntN(20)) * time.Hour)
		year := cr.reported.Year()
		var struck []int64 // this case's suspects under a criminal measure
		var chargedAt time.Time
		for _, a := range path {
			var gap time.Duration
			switch a {
			case investigation.File:
				gap = time.Duration(1+rng.IntN(7*24)) * time.Hour
				if h := int(now.Sub(at).Hours()); waiting && h > 1 {
					gap = time.Duration(1+rng.IntN(h)) * time.Hour // asked by now
				}
			case investigation.Investigate:
				gap = time.Duration(1+rng.IntN(48)) * time.Hour
			case investigation.Solve:
				gap = time.Duration(5*24+rng.IntN(55*24)) * time.Hour
			case investigation.Prosecute:
				gap = time.Duration(20*24+rng.IntN(40*24)) * time.Hour
			case investigation.Close:
				gap = time.Duration(10*24+rng.IntN(30*24)) * time.Hour
			case investigation.Refuse, investigation.Withdraw:
				gap = time.Duration(2*24+rng.IntN(20*24)) * time.Hour
			}
			at = at.Add(gap)
			if at.After(now) {
				break
			}
			if a == investigation.Solve {
				// The suspects, caught before the case is solved: a gang
				// now and then.
				n := 1 + rng.IntN(2)
				if rng.IntN(5) == 0 {
					n = 3 + rng.IntN(6)
				}
				for k := 0; k < n; k++ {
					caughtAt := at.Add(-time.Duration(rng.IntN(96)) * time.Hour)
					if caughtAt.Before(cr.reported) {
						caughtAt = cr.reported.Add(time.Hour)
					}
					sid, err := genSuspect(ctx, tx, rng, c, who, cr.id, &known, caughtAt)
					if err != nil {
						return out, fmt.Errorf("case %d suspect: %w", cr.id, err)
					}
					out.suspects++
					unit := stationName[cr.station]
					if rng.IntN(3) == 0 {
						unit = "云溪县公安局刑侦大队"
					}
					if _, err := investigation.DisposeIn(ctx, tx, c.root, who, investigation.DispositionInput{SuspectID: sid, CaseID: cr.id,
						Kind: investigation.Caught, At: caughtAt, Unit: unit, Place: suspectPlaces[rng.IntN(len(suspectPlaces))]}, caughtAt); err != nil {
						return out, fmt.Errorf("case %d 抓获: %w", cr.id, err)
					}
					out.dispositions++
					// Criminal measures for most, administrative for the rest.
					var kind investigation.Kind
					switch r := rng.IntN(10); {
					case r < 4:
						kind = investigation.Detained
					case r < 6:
						kind = investigation.Bailed
					case r < 8:
						kind = investigation.AdminPenalty
					default:
						kind = investigation.Admonished
					}
					doc := ""
					if kind.Criminal() {
						doc = fmt.Sprintf("云公（刑）%s字〔%d〕%d号", map[investigation.Kind]string{investigation.Detained: "拘",
							investigation.Bailed: "保"}[kind], year, 100+rng.IntN(900))
					}
					measured := caughtAt.Add(time.Duration(rng.IntN(20)) * time.Hour)
					if measured.After(now) {
						continue
					}
					if _, err := investigation.DisposeIn(ctx, tx, c.root, who, investigation.DispositionInput{SuspectID: sid, CaseID: cr.id,
						Kind: kind, At: measured, DocNo: doc}, measured); err != nil {
						return out, fmt.Errorf("case %d %s: %w", cr.id, kind, err)
					}
					out.dispositions++
					if kind.Criminal() {
						struck = append(struck, sid)
					}
					if kind == investigation.Detained {
						arrested := caughtAt.Add(time.Duration(7*24+rng.IntN(23*24)) * time.Hour)
						if arrested.Before(now) {
							if _, err := investigation.DisposeIn(ctx, tx, c.root, who, investigation.DispositionInput{SuspectID: sid, CaseID: cr.id,
								Kind: investigation.Arrested, At: arrested, Unit: "云溪县人民检察院批准"}, arrested); err != nil {
								return out, fmt.Errorf("case %d 逮捕: %w", cr.id, err)
							}
							out.dispositions++
						}
					}
				}
			}
			req := investigation.Request{CaseID: cr.id, Action: a, At: at}
			step, _ := investigation.StepOf(a)
			if step.NeedsDoc {
				req.DocNo = fmt.Sprintf("云公（刑）%s字〔%d〕%d号", map[investigation.Action]string{investigation.File: "立",
					investigation.Refuse: "不立", investigation.Prosecute: "诉", investigation.Withdraw: "撤"}[a], year, 1+rng.IntN(999))
			}
			if step.NeedsReason {
				req.Reason = map[investigation.Action]string{investigation.Refuse: "经审查，没有犯罪事实（系民间借贷纠纷）",
					investigation.Withdraw: "经侦查，不应追究刑事责任（报案人已追回全部款项且系误解）"}[a]
			}
			tr, err := investigation.MoveIn(ctx, tx, c.root, who, req, at)
			if err != nil {
				return out, fmt.Errorf("case %d %s: %w", cr.id, a, err)
			}
			out.steps++
			if a == investigation.Prosecute {
				chargedAt = at
			}
			if tr.Status == investigation.StatusPending {
				decided := at.Add(time.Duration(2+rng.IntN(46)) * time.Hour)
				if decided.After(now) || waiting || now.Sub(at) < 7*24*time.Hour {
					out.pending++
					break // the leader has not decided yet
				}
				if _, err := investigation.DecideIn(ctx, tx, c.root, leader, cr.id, true, "同意", decided); err != nil {
					return out, fmt.Errorf("case %d approve %s: %w", cr.id, a, err)
				}
				at = decided
			}
		}
		// The suspects under a criminal measure go to prosecution with the
		// case, and the oldest are sentenced.
		if !chargedAt.IsZero() {
			for _, sid := range struck {
				if _, err := investigation.DisposeIn(ctx, tx, c.root, who, investigation.DispositionInput{SuspectID: sid, CaseID: cr.id,
					Kind: investigation.Charged, At: chargedAt}, chargedAt); err != nil {
					return out, fmt.Errorf("case %d 移送起诉: %w", cr.id, err)
				}
				out.dispositions++
				if sentenced := chargedAt.Add(time.Duration(60*24+rng.IntN(60*24)) * time.Hour); sentenced.Before(now) {
					if _, err := investigation.DisposeIn(ctx, tx, c.root, who, investigation.DispositionInput{SuspectID: sid, CaseID: cr.id,
						Kind: investigation.Sentenced, At: sentenced, Unit: "云溪县人民法院"}, sentenced); err != nil {
						return out, fmt.Errorf("case %d 判决: %w", cr.id, err)
					}
					out.dispositions++
				}
			}
		}
	}
	return out, nil
}

// suspectRoles weighs the roles as the seeds' strike reports do: many
// mules and card sellers, few organisers.
var suspectRoles = []investigation.Role{investigation.Mule, investigation.Mule, investigation.Mule, investigation.CardFarmer,
	investigation.CardFarmer, investigation.ScoreRunner, investigation.Traffic, investigation.Organiser, investigation.OtherRole}

// genSuspect adds a suspect to a case: now and then a person already on
// another case (linked, not duplicated), otherwise a new one with a phone
// and, for the money roles, one of the case's receiving accounts.
func genSuspect(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, who auth.AuditEntry, caseID int64, known *[]int64, at time.Time) (int64, error) {
	if len(*known) > 20 && rng.IntN(20) == 0 {
		sid := (*known)[rng.IntN(len(*known))]
		s, err := investigation.GetSuspect(ctx, tx, c.root, sid)
		if err != nil {
			return 0, err
		}
		if !containsID(s.CaseIDs, caseID) {
			return sid, investigation.LinkSuspectIn(ctx, tx, c.root, who, sid, caseID, at)
		}
	}
	p := c.newPerson(rng, 19+rng.IntN(30), at)
	in := investigation.SuspectInput{Name: p.name, IDNumber: p.id, Phones: []string{p.phone}, Role: suspectRoles[rng.IntN(len(suspectRoles))]}
	if in.Role == investigation.Mule || in.Role == investigation.CardFarmer || in.Role == investigation.ScoreRunner {
		var acct string
		err := tx.QueryRow(ctx, `SELECT to_account FROM case_transfers WHERE case_id = ? ORDER BY id LIMIT 1`, caseID).Scan(&acct)
		if err == nil {
			in.Accounts = []string{acct}
		}
	}
	sid, err := investigation.AddSuspectIn(ctx, tx, c.root, who, caseID, in, at)
	if err != nil {
		return 0, err
	}
	*known = append(*known, sid)
	return sid, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// inCounty restricts a query to the areas of one county (its subtree
// pattern as the argument): in a province the counties are generated one
// after another, or side by side, in one database.
const inCounty = "IN (SELECT id FROM areas WHERE path LIKE ?)"
