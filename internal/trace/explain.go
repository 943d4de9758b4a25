package trace

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/zone"
)

// ExplainStep is one traced transfer carrying a victim's money.
type ExplainStep struct {
	From      string    `json:"from"` // node id: account number or victim/<id>
	To        string    `json:"to"`   // node id: account number or leaf/…
	At        time.Time `json:"at"`
	AmountFen int64     `json:"amount_fen"` // the victim's money it carried
}

// Explanation tells where an amount of a victim's money at a node came
// from: the transfers that carried her money towards the node, each no
// later than the money left the account it came through, and the account
// paths they form.
type Explanation struct {
	Node        string        `json:"node"`
	VictimID    int64         `json:"victim_id"`
	AmountFen   int64         `json:"amount_fen"`   // account: her money there at AsOf; leaf: her money that ended there
	ReceivedFen int64         `json:"received_fen"` // her money that came in (account) or ended there (leaf)
	Steps       []ExplainStep `json:"steps"`        // in time order
	Paths       [][]string    `json:"paths"`        // node sequences victim → … → node (at most 20, simple)
	Text        string        `json:"text"`
}

// Explain tells the path a victim's money took to a node of the flow graph
// (an account or a leaf). Under FIFO each transfer listed carried part of
// the money; under the proportional rule every earlier inflow contributes
// a share, so all of them are listed.
func (r *Result) Explain(node string, victimID int64) (Explanation, error) {
	if r.ledger == nil {
		return Explanation{}, domain.NotFound("empty trace")
	}
	n, ok := r.Node(node)
	if !ok {
		return Explanation{}, fmt.Errorf("explain %s: %w", node, domain.ErrNotFound)
	}
	owner := int32(-1)
	for o, v := range r.owners {
		if o > 0 && v == victimID {
			owner = int32(o)
		}
	}
	if owner < 0 {
		return Explanation{}, fmt.Errorf("explain victim %d: %w", victimID, domain.ErrNotFound)
	}
	ex := Explanation{Node: node, VictimID: victimID}
	for _, a := range n.Received {
		if a.VictimID == victimID {
			ex.ReceivedFen = a.AmountFen
		}
	}
	if n.Kind == "leaf" {
		ex.AmountFen = ex.ReceivedFen
	} else {
		ex.AmountFen = r.BalanceOf(node, victimID)
	}
	l := r.ledger
	// Hops and starts carrying this victim's money, by receiving account.
	into := map[int32][]int{}
	var targets []int
	for k := range r.recs {
		rc := &r.recs[k]
		if rc.owner != owner {
			continue
		}
		if rc.leaf == leafNone && rc.to >= 0 {
			into[rc.to] = append(into[rc.to], k)
		}
		if n.Kind == "leaf" && rc.leaf != leafNone && r.recNodeID(k) == node {
			targets = append(targets, k)
		}
	}
	if n.Kind == "account" {
		if a, ok := l.index.get(node); ok {
			targets = append(targets, into[a]...)
		}
	}
	// Walk back in time: an inflow counts if it arrived no later than the
	// money left (or, for the node itself, at any time up to AsOf).
	used := map[int]bool{}
	explored := map[int32]int64{}
	type item struct {
		acct  int32
		bound int64
	}
	var work []item
	for _, k := range targets {
		used[k] = true
		if rc := r.recs[k]; rc.from >= 0 {
			work = append(work, item{rc.from, rc.at})
		}
	}
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		if b, ok := explored[it.acct]; ok && b >= it.bound {
			continue
		}
		explored[it.acct] = it.bound
		for _, k := range into[it.acct] {
			rc := r.recs[k]
			if rc.at > it.bound || used[k] {
				continue
			}
			used[k] = true
			if rc.from >= 0 {
				work = append(work, item{rc.from, rc.at})
			}
		}
	}
	ks := make([]int, 0, len(used))
	for k := range used {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b int) int {
		if d := r.recs[a].at - r.recs[b].at; d != 0 {
			if d < 0 {
				return -1
			}
			return 1
		}
		return a - b
	})
	prev := map[string][]string{} // node → distinct predecessors
	for _, k := range ks {
		rc := r.recs[k]
		st := ExplainStep{From: r.recFromID(k), To: r.recNodeID(k), At: time.UnixMilli(rc.at).UTC(), AmountFen: rc.amt}
		ex.Steps = append(ex.Steps, st)
		if !slices.Contains(prev[st.To], st.From) {
			prev[st.To] = append(prev[st.To], st.From)
		}
	}
	// Simple paths back to the victim, at most 20.
	var path []string
	var walk func(at string)
	walk = func(at string) {
		if len(ex.Paths) >= 20 || len(path) > 64 {
			return
		}
		path = append(path, at)
		if strings.HasPrefix(at, "victim/") {
			p := slices.Clone(path)
			slices.Reverse(p)
			ex.Paths = append(ex.Paths, p)
		} else {
			for _, f := range prev[at] {
				if !slices.Contains(path, f) {
					walk(f)
				}
			}
		}
		path = path[:len(path)-1]
	}
	walk(node)
	ex.Text = ex.text(r.AsOf, n)
	return ex, nil
}

func (ex Explanation) text(asOf time.Time, n Node) string {
	var b strings.Builder
	if n.Kind == "leaf" {
		fmt.Fprintf(&b, "受害人 %d 的资金 %s 元在 %s 处终止追踪（%s）。\n", ex.VictimID, money.FormatYuan(ex.AmountFen), n.Account, n.LeafType)
	} else {
		fmt.Fprintf(&b, "受害人 %d 的资金：流入账户 %s 共 %s 元，截至 %s 仍留存 %s 元。\n", ex.VictimID, n.Account,
			money.FormatYuan(ex.ReceivedFen), AsOfText(asOf), money.FormatYuan(ex.AmountFen))
	}
	for _, p := range ex.Paths {
		fmt.Fprintf(&b, "路径：%s\n", strings.Join(p, " → "))
	}
	for _, s := range ex.Steps {
		fmt.Fprintf(&b, "%s  %s → %s  %s 元\n", s.At.In(zone.Shanghai).Format("2006-01-02 15:04:05"), s.From, s.To, money.FormatYuan(s.AmountFen))
	}
	return b.String()
}

// recFromID and recNodeID give the flow graph node ids of a record's ends.
func (r *Result) recFromID(k int) string {
	rc := &r.recs[k]
	if rc.start >= 0 {
		return victimNodeID(r.owners[rc.owner])
	}
	return r.ledger.names.at(rc.from)
}

func (r *Result) recNodeID(k int) string {
	rc := &r.recs[k]
	if rc.leaf == leafNone {
		return r.ledger.names.at(rc.to)
	}
	if rc.start >= 0 {
		return "leaf/" + leafNames[rc.leaf] + "/" + victimNodeID(r.owners[rc.owner]) + "/" + r.starts[rc.start].ToAccount
	}
	to := ""
	if rc.to >= 0 {
		to = r.ledger.names.at(rc.to)
	}
	return "leaf/" + leafNames[rc.leaf] + "/" + r.ledger.names.at(rc.from) + "/" + to
}

// AsOfText is the time balances are taken at, for people: 「无流水」 when the
// trace read no statement row (a zero AsOf).
func AsOfText(asOf time.Time) string {
	if asOf.IsZero() {
		return "无流水"
	}
	return asOf.In(zone.Shanghai).Format("2006-01-02 15:04:05")
}

// LeafTypeName is the Chinese label of a leaf type.
func LeafTypeName(t string) string {
	switch t {
	case LeafNoStatement:
		return "未调取流水的账户"
	case LeafCash:
		return "取现"
	case LeafPayment:
		return "消费/支付"
	case LeafFee:
		return "手续费"
	case LeafUnknown:
		return "对手不明"
	case LeafUnmatched:
		return "对方流水无对应入账"
	case LeafHopLimit:
		return "超出追踪层数"
	case LeafMaxLag:
		return "超出停留时限"
	case LeafInTransit:
		return "在途"
	}
	return t
}
