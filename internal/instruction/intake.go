package instruction

import (
	"context"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/warning"
)

// Ref is the instruction part of a warning sent by the JSON API or the
// NATS stream: the issuer's level (a code, or a label as ParseLevel reads
// it), the instruction number and the issuer's own deadlines when it gave
// them (absent: the level's default from the issuing time).
type Ref struct {
	Level       string    `json:"level"`
	Number      string    `json:"number"`
	Issuer      string    `json:"issuer,omitempty"`
	SignDue     time.Time `json:"sign_due,omitzero"`
	FeedbackDue time.Time `json:"feedback_due,omitzero"`
}

// Check reads the level and number, as Submit will.
func (r Ref) Check() error {
	if _, err := ParseLevel(r.Level); err != nil {
		return domain.Invalid("指令：%w", err)
	}
	if strings.TrimSpace(r.Number) == "" {
		return domain.Invalid("指令编号为空")
	}
	return nil
}

// Incoming is one warning as the JSON API and the stream take it: the
// warning's own fields and, when it came as an instruction, an
// "instruction" object. A warning without one is an ordinary warning.
type Incoming struct {
	warning.Input
	Instruction *Ref `json:"instruction,omitempty"`
}

// SourceOf is the intake source of an instruction's level: banks and
// operators have their own, every police level is 上级.
func SourceOf(l Level) warning.Source {
	switch l {
	case Bank:
		return warning.SourceBank
	case Operator:
		return warning.SourceOperator
	}
	return warning.SourceUpper
}

// Submitted is what Submit did: the intake's answer and how many
// instructions it registered (new ones; a re-sent one is already there).
type Submitted struct {
	warning.BatchResult
	Registered int `json:"registered"`
}

// Submit takes warnings that may carry their instruction through the one
// intake path and registers the instruction of each warning taken, as
// ImportFile does for a file. A warning with an instruction and no source
// gets its level's source; no source reference, the instruction number.
// An instruction that cannot be read (no number, an unknown level) refuses
// the whole submission before anything is stored, naming the warning.
func Submit(ctx context.Context, d *db.DB, in *warning.Intake, items []Incoming, opt warning.SubmitOptions, now time.Time) (Submitted, error) {
	var out Submitted
	inputs := make([]warning.Input, len(items))
	metas := make([]*Input, len(items))
	for i, it := range items {
		inputs[i] = it.Input
		if it.Instruction == nil {
			continue
		}
		ref := it.Instruction
		if err := ref.Check(); err != nil {
			return out, domain.Invalid("第 %d 条预警：%w", i+1, err)
		}
		lv, _ := ParseLevel(ref.Level)
		num := strings.TrimSpace(ref.Number)
		if inputs[i].Source == "" {
			inputs[i].Source = SourceOf(lv)
		}
		if strings.TrimSpace(inputs[i].SourceRef) == "" {
			inputs[i].SourceRef = num
		}
		metas[i] = &Input{Level: lv, Number: num, Issuer: strings.TrimSpace(ref.Issuer), ReceivedAt: it.ReceivedAt,
			SignDue: ref.SignDue, FeedbackDue: ref.FeedbackDue}
	}
	res, err := in.Submit(ctx, inputs, opt)
	out.BatchResult = res
	if err != nil {
		return out, err
	}
	var reg []Input
	for _, r := range res.Items {
		if r.ID == 0 || r.Status == warning.ItemRejected || r.Index < 0 || r.Index >= len(metas) || metas[r.Index] == nil {
			continue
		}
		m := *metas[r.Index]
		m.WarningID = r.ID
		reg = append(reg, m)
	}
	if len(reg) == 0 {
		return out, nil
	}
	cfg, err := LoadConfig(ctx, d)
	if err != nil {
		return out, err
	}
	n, err := register(ctx, d, cfg, reg, now)
	out.Registered = n
	return out, err
}
