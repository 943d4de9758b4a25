package funds

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/zone"
)

// The fund trace of a case as people see it (资金穿透): account numbers are
// card numbers, so a trace's nodes get opaque ids (n0, n1, …, stable for
// the same data and options) and a label masked by the caller's masker.

var (
	// ErrNoTransfers marks the rule refusal (domain.Refuse, code no_transfers)
	// of a case without losing transfers to trace from.
	ErrNoTransfers = errors.New("case transfers")
	// ErrTraceNode marks the domain.NotFound of a node id the flow graph
	// does not have (the data or the options changed since the trace was
	// shown).
	ErrTraceNode = errors.New("trace node")
)

// CaseTrace is the computed trace of a case in scope.
type CaseTrace struct {
	Case   Case
	Result trace.Result
	Scope  LedgerScope
	ids    map[string]string // engine node id → view id
	back   map[string]string // view id → engine node id
	names  map[int64]string  // victim id → name
}

// TraceCaseInScope traces a case in scope (a case outside it is not found) with
// opt through the statements reachable from its receiving accounts.
func TraceCaseInScope(ctx context.Context, q db.Querier, scope area.Node, caseID int64, opt trace.Options) (*CaseTrace, error) {
	c, err := GetCase(ctx, q, scope, caseID)
	if err != nil {
		return nil, err
	}
	if len(c.Transfers) == 0 {
		return nil, domain.Refuse("no_transfers", "案件 %s 没有登记被骗转账，无法追踪资金", c.CaseNo).With(ErrNoTransfers)
	}
	res, sc, err := TraceCaseFrom(ctx, q, c, opt)
	if err != nil {
		return nil, err
	}
	ct := &CaseTrace{Case: c, Result: res, Scope: sc, ids: map[string]string{}, back: map[string]string{}, names: map[int64]string{}}
	for _, v := range c.Victims {
		ct.names[v.ID] = v.Name
	}
	for i, n := range res.Nodes {
		v := "n" + strconv.Itoa(i)
		ct.ids[n.ID], ct.back[v] = v, n.ID
	}
	return ct, nil
}

// ViewID is the opaque id of an engine node.
func (ct *CaseTrace) ViewID(node string) string { return ct.ids[node] }

// VictimName is the name of a victim of the case.
func (ct *CaseTrace) VictimName(id int64) string { return ct.names[id] }

// Label names a node of the flow graph for people: the victim, the account
// (masked by m) or the leaf with where the money went.
func (ct *CaseTrace) Label(n trace.Node, m auth.Masker) string {
	switch n.Kind {
	case "victim":
		if name := ct.names[n.VictimID]; name != "" {
			return "受害人 " + name
		}
		return "受害人"
	case "leaf":
		l := trace.LeafTypeName(n.LeafType)
		if n.Counter != "" {
			l += " " + m.Card(n.Counter)
		}
		return l
	}
	return m.Card(n.Account)
}

func (ct *CaseTrace) labelOf(node string, m auth.Masker) string {
	n, ok := ct.Result.Node(node)
	if !ok {
		return node
	}
	return ct.Label(n, m)
}

// NodeExplanationStep is one traced transfer of an explanation, between
// nodes named by view id and label.
type NodeExplanationStep struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	FromLabel string    `json:"from_label"`
	ToLabel   string    `json:"to_label"`
	At        time.Time `json:"at"`
	AmountFen int64     `json:"amount_fen"`
}

// NodeExplanation tells people where a victim's money at a node came from.
type NodeExplanation struct {
	Node        string                `json:"node"`
	Label       string                `json:"label"`
	VictimID    int64                 `json:"victim_id"`
	VictimName  string                `json:"victim_name"`
	AmountFen   int64                 `json:"amount_fen"`
	ReceivedFen int64                 `json:"received_fen"`
	Steps       []NodeExplanationStep `json:"steps"`
	Paths       [][]string            `json:"paths"` // labels
	Text        string                `json:"text"`
}

// ExplainNode explains the amount of the victim's money at the node of view
// id viewNode, with labels masked by m.
func (ct *CaseTrace) ExplainNode(viewNode string, victim int64, m auth.Masker) (NodeExplanation, error) {
	node, ok := ct.back[viewNode]
	if !ok {
		return NodeExplanation{}, domain.NotFound("流向图中没有节点 %q（数据或选项可能已变化，请重新追踪）", viewNode).With(ErrTraceNode)
	}
	ex, err := ct.Result.Explain(node, victim)
	if err != nil {
		return NodeExplanation{}, err
	}
	v := NodeExplanation{Node: ct.ids[node], Label: ct.labelOf(node, m), VictimID: victim, VictimName: ct.names[victim], AmountFen: ex.AmountFen,
		ReceivedFen: ex.ReceivedFen}
	var b strings.Builder
	n, _ := ct.Result.Node(node)
	if n.Kind == "leaf" {
		fmt.Fprintf(&b, "%s 的资金 %s 元在此终止追踪：%s。\n", v.VictimName, money.FormatYuan(ex.AmountFen), v.Label)
	} else {
		fmt.Fprintf(&b, "%s 的资金流入 %s 共 %s 元，截至 %s 仍留存 %s 元。\n", v.VictimName, v.Label, money.FormatYuan(ex.ReceivedFen),
			trace.AsOfText(ct.Result.AsOf), money.FormatYuan(ex.AmountFen))
	}
	for _, path := range ex.Paths {
		ls := make([]string, len(path))
		for i, id := range path {
			ls[i] = ct.labelOf(id, m)
		}
		v.Paths = append(v.Paths, ls)
		fmt.Fprintf(&b, "路径：%s\n", strings.Join(ls, " → "))
	}
	for _, st := range ex.Steps {
		sv := NodeExplanationStep{From: ct.ids[st.From], To: ct.ids[st.To], FromLabel: ct.labelOf(st.From, m), ToLabel: ct.labelOf(st.To, m),
			At: st.At, AmountFen: st.AmountFen}
		v.Steps = append(v.Steps, sv)
		fmt.Fprintf(&b, "%s  %s → %s  %s 元\n", st.At.In(zone.Shanghai).Format("2006-01-02 15:04:05"), sv.FromLabel, sv.ToLabel, money.FormatYuan(st.AmountFen))
	}
	v.Text = b.String()
	return v, nil
}
