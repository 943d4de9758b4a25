package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Trickle is the demo's live feed: new warnings through the real intake
// (so they are routed, assigned and shown on the duty board at once) and
// outcomes on older ones.
type Trickle struct {
	Intake *warning.Intake
	Policy warning.Policy
	// villages and their towns, loaded on first use.
	villages []area.Node
	towns    map[int64]area.Node
	root     area.Node
}

func (t *Trickle) load(ctx context.Context, d *db.DB) error {
	if t.villages != nil {
		return nil
	}
	root, err := area.Root(ctx, d)
	if err != nil {
		return err
	}
	vs, err := area.ByLevel(ctx, d, root, area.Village)
	if err != nil {
		return err
	}
	ts, err := area.ByLevel(ctx, d, root, area.Town)
	if err != nil {
		return err
	}
	t.root, t.villages, t.towns = root, vs, map[int64]area.Node{}
	for _, tw := range ts {
		t.towns[tw.ID] = tw
	}
	if len(vs) == 0 {
		return fmt.Errorf("no villages in the county")
	}
	return nil
}

// addOne submits one new warning received now.
func (t *Trickle) addOne(ctx context.Context, d *db.DB, rng *rand.Rand, n int) error {
	if err := t.load(ctx, d); err != nil {
		return err
	}
	now := time.Now().UTC()
	v := t.villages[rng.IntN(len(t.villages))]
	age := drawAge(rng)
	male := rng.IntN(2) == 0
	by := now.Year() - age
	ft := drawFraudType(rng, age)
	in := warning.Input{Source: warning.SourceUpper, SourceRef: fmt.Sprintf("DEMO-LIVE-%d-%d", now.UnixMilli(), n), ReceivedAt: now,
		Person: warning.Person{Name: personName(rng, male), Phone: mobile(rng), IDNumber: idNumber(rng, regionOf(v), by, 1+rng.IntN(12), 1+rng.IntN(28), male),
			Address: v.FullName + fmt.Sprintf("%d组%d号", 1+rng.IntN(12), 1+rng.IntN(60))},
		FraudType: string(ft), Text: textFor(rng, ft), Scam: warning.ScamContact{Phone: fmt.Sprintf("170%08d", rng.IntN(100_000_000))}}
	switch r := rng.IntN(100); {
	case r < 4:
		in.Source, in.Grade = warning.SourceBank, warning.GradeFund
		in.AmountFen = int64(math.Exp(math.Log(40000)+0.8*rng.NormFloat64())) * 100
	case r < 30:
		in.Grade = warning.GradeHigh
	case r < 40:
		in.Source = warning.SourceOperator
	}
	// Upper centres', banks' and operators' warnings arrive as
	// instructions (the stream door carries them), so the live 待反馈
	// queue has fresh entries with their countdowns.
	lv := instruction.Bank
	switch in.Source {
	case warning.SourceOperator:
		lv = instruction.Operator
	case warning.SourceUpper:
		lv = []instruction.Level{instruction.Ministry, instruction.Province, instruction.City, instruction.City, instruction.County}[rng.IntN(5)]
	}
	ref := &instruction.Ref{Level: string(lv), Number: fmt.Sprintf("%s%s%s", instructionPrefix[lv], now.In(zone.Shanghai).Format("20060102150405"), strconv.Itoa(n)),
		Issuer: issuerName(lv)}
	_, err := instruction.Submit(ctx, d, t.Intake, []instruction.Incoming{{Input: in, Instruction: ref}}, warning.SubmitOptions{Door: "stream"}, now)
	return err
}

// closeOne records a contact and an outcome on the oldest open warning
// received more than 20 minutes ago, as its officer would.
func (t *Trickle) closeOne(ctx context.Context, d *db.DB, rng *rand.Rand) error {
	if err := t.load(ctx, d); err != nil {
		return err
	}
	now := time.Now().UTC()
	var id, assignee int64
	err := d.QueryRow(ctx, `SELECT id, COALESCE(assignee_id, 0) FROM warnings WHERE status = 'open' AND received_at < ?
		AND onsite_due_at IS NULL ORDER BY received_at LIMIT 1`, db.Millis(now.Add(-20*time.Minute))).Scan(&id, &assignee)
	if err != nil {
		return nil // nothing old enough
	}
	a := warning.Actor{UserID: assignee, Scope: t.root, Audit: auth.AuditEntry{UserID: assignee, Username: "demo-trickle", IP: "demo"}}
	if err := warning.RecordContact(ctx, d, t.Policy, a, id, warning.ContactInput{Method: "call", Result: "reached"}, now); err != nil {
		return err
	}
	o := warning.OutcomeInput{Outcome: warning.OutcomeDissuaded}
	switch r := rng.IntN(10); {
	case r == 0:
		o.Outcome = warning.OutcomeFalseAlarm
	default:
		o.KeptFen = int64(1000+rng.IntN(20000)) * 100
	}
	_, err = warning.SetOutcome(ctx, d, t.Policy, a, id, o, now)
	return err
}

// regionOf is the 6-digit region code a generated node's code starts with
// (430999-S01-T1-V02 → 430999), for the ID numbers of its residents.
func regionOf(n area.Node) string {
	if len(n.Code) >= 6 {
		if _, err := strconv.Atoi(n.Code[:6]); err == nil {
			return n.Code[:6]
		}
	}
	return demoSpec.Code
}
