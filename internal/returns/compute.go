// Package returns is the return of frozen money to victims (冻结资金返还):
// the Art. 8 calculation (Compute), and the workflow on top of it — a plan
// per frozen account, its public notice, objections, execution and the
// payments recorded — with the case's return page and its Excel export.
// It reads cases, victims and the fund trace from funds; funds does not
// know about it.
package returns

import (
	"fmt"
	"sort"

	"github.com/fanzha/fanzha/internal/domain"
)

// Returning frozen money to victims follows Art. 8 of the 2016 rules on
// returning frozen funds in telecom-fraud cases (《电信网络新型违法犯罪案件冻结资金
// 返还若干规定》):
//
//  1. the frozen account received only one victim's money: all of it (up to
//     the victim's loss) goes back to that victim (单一被害人返还);
//  2. several victims' deposits can be traced by time: each victim gets
//     what is traced to them (溯源返还);
//  3. otherwise the frozen total is shared in proportion to each victim's
//     loss (按比例返还), after a 30-day public notice.
//
// No victim ever receives more than they lost; what is left stays frozen.
// Amounts are integer fen; proportional shares are rounded down and the
// remaining fen go one each to the largest fractional remainders (ties: the
// larger loss, then the lower victim id), so the shares add up exactly.

// Rule names the rule that applied.
type Rule string

// Rules.
const (
	RuleSingleVictim Rule = "single_victim" // 单一被害人返还
	RuleTraced       Rule = "traced"        // 溯源返还
	RuleProportional Rule = "proportional"  // 按比例返还
)

// RuleName is the Chinese label of a rule.
func RuleName(r Rule) string {
	switch r {
	case RuleSingleVictim:
		return "单一被害人返还"
	case RuleTraced:
		return "溯源返还"
	case RuleProportional:
		return "按比例返还"
	}
	return string(r)
}

// Claim is a victim's claim on one frozen account.
type Claim struct {
	VictimID int64  `json:"victim_id"`
	Name     string `json:"name"`
	LossFen  int64  `json:"loss_fen"` // what the victim lost in the case(s)
	// TracedFen is the victim's money traced into this account and still
	// there at the freeze (from the trace engine); Traced says the trace
	// could follow this victim's deposits by time.
	TracedFen int64 `json:"traced_fen"`
	Traced    bool  `json:"traced"`
}

// Share is one victim's line of a return calculation.
type Share struct {
	Claim
	ShareFen int64  `json:"share_fen"`
	Basis    string `json:"basis"` // how the share was computed, for the court and the victim
}

// Calc is the calculation for one frozen account.
type Calc struct {
	FrozenFen   int64   `json:"frozen_fen"`
	Rule        Rule    `json:"rule"`
	RuleName    string  `json:"rule_name"`
	Shares      []Share `json:"shares"`
	ReturnedFen int64   `json:"returned_fen"`
	LeftFen     int64   `json:"left_fen"` // stays frozen
	// NoticeDays is the public notice before payment: 30 days for the
	// proportional rule, 0 otherwise.
	NoticeDays int `json:"notice_days"`
}

// Compute applies the rules to a frozen amount and the victims'
// claims on it.
func Compute(frozenFen int64, claims []Claim) (Calc, error) {
	if frozenFen < 0 {
		return Calc{}, domain.Invalid("冻结金额不能为负数")
	}
	c := Calc{FrozenFen: frozenFen}
	var live []Claim
	seen := map[int64]bool{}
	for _, cl := range claims {
		if cl.LossFen < 0 || cl.TracedFen < 0 {
			return c, domain.Invalid("被害人 %d 的金额不能为负数", cl.VictimID)
		}
		if seen[cl.VictimID] {
			return c, domain.Invalid("被害人 %d 重复", cl.VictimID)
		}
		seen[cl.VictimID] = true
		if cl.LossFen > 0 {
			live = append(live, cl)
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i].VictimID < live[j].VictimID })
	switch {
	case len(live) == 0:
		c.Rule = RuleProportional
	case len(live) == 1:
		c.Rule = RuleSingleVictim
		share := min(frozenFen, live[0].LossFen)
		c.Shares = []Share{{Claim: live[0], ShareFen: share,
			Basis: fmt.Sprintf("冻结账户仅收到该被害人资金：返还 min(冻结 %s, 损失 %s) = %s", yuan(frozenFen), yuan(live[0].LossFen), yuan(share))}}
	case allTraced(live):
		c.Rule = RuleTraced
		// Each victim gets what is traced to them, capped by the loss; if
		// the traced amounts exceed the frozen total (balances moved after
		// the trace), they are scaled down proportionally.
		want := make([]int64, len(live))
		var sum int64
		for i, cl := range live {
			want[i] = min(cl.TracedFen, cl.LossFen)
			sum += want[i]
		}
		shares := want
		scaled := sum > frozenFen
		if scaled {
			shares = largestRemainder(frozenFen, want)
		}
		for i, cl := range live {
			basis := fmt.Sprintf("按时间溯源，该被害人资金在此账户余 %s（不超过损失 %s）", yuan(cl.TracedFen), yuan(cl.LossFen))
			if scaled {
				basis += fmt.Sprintf("；溯源合计 %s 超过冻结 %s，按溯源额比例分配：%s", yuan(sum), yuan(frozenFen), yuan(shares[i]))
			}
			c.Shares = append(c.Shares, Share{Claim: cl, ShareFen: shares[i], Basis: basis})
		}
	default:
		c.Rule = RuleProportional
		c.NoticeDays = 30
		losses := make([]int64, len(live))
		var total int64
		for i, cl := range live {
			losses[i] = cl.LossFen
			total += cl.LossFen
		}
		pot := min(frozenFen, total)
		shares := largestRemainder(pot, losses)
		for i, cl := range live {
			c.Shares = append(c.Shares, Share{Claim: cl, ShareFen: shares[i],
				Basis: fmt.Sprintf("无法按时间溯源：%s × 损失 %s ÷ 损失合计 %s，分位取整后按最大余数补足 = %s",
					yuan(pot), yuan(cl.LossFen), yuan(total), yuan(shares[i]))})
		}
	}
	for _, s := range c.Shares {
		c.ReturnedFen += s.ShareFen
	}
	c.LeftFen = frozenFen - c.ReturnedFen
	c.RuleName = RuleName(c.Rule)
	return c, nil
}

func allTraced(cs []Claim) bool {
	for _, c := range cs {
		if !c.Traced {
			return false
		}
	}
	return true
}

// largestRemainder divides total in proportion to weights, in integer
// units, so the parts add up to total exactly (when the weights sum to at
// least total). Each part is floor(total·w/W); the remaining units go one
// each to the largest remainders, ties to the larger weight, then the
// earlier index.
func largestRemainder(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	var W int64
	for _, w := range weights {
		W += w
	}
	if W == 0 || total == 0 {
		return out
	}
	type rem struct {
		i int
		r int64 // remainder numerator (mod W)
		w int64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		q, r := mulDivMod(total, w, W)
		out[i] = q
		given += q
		rems[i] = rem{i, r, w}
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].r != rems[b].r {
			return rems[a].r > rems[b].r
		}
		if rems[a].w != rems[b].w {
			return rems[a].w > rems[b].w
		}
		return rems[a].i < rems[b].i
	})
	for k := int64(0); k < total-given && int(k) < len(rems); k++ {
		out[rems[k].i]++
	}
	return out
}

// mulDivMod returns floor(a·b/c) and (a·b mod c) without overflow for fen
// amounts (a, b up to ~9e18 combined through 128-bit arithmetic).
func mulDivMod(a, b, c int64) (int64, int64) {
	hi, lo := mul64(uint64(a), uint64(b))
	q, r := div128(hi, lo, uint64(c))
	return int64(q), int64(r)
}

func yuan(fen int64) string {
	neg := ""
	if fen < 0 {
		neg, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", neg, fen/100, fen%100)
}
