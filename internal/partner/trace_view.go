package partner

import (
	"context"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/trace"
)

// The fund trace of a case as the console and the API show it: the flow
// graph with opaque node ids and masked labels, and the candidate accounts
// with the requests already made about them and the bank each would go to.

// TraceNodeView is a node of the flow graph.
type TraceNodeView struct {
	ID           string               `json:"id"`
	Kind         string               `json:"kind"` // victim | account | leaf
	Label        string               `json:"label"`
	Account      string               `json:"account,omitempty"`
	AccountID    int64                `json:"account_id,omitempty"`
	Bank         string               `json:"bank,omitempty"`
	VictimID     int64                `json:"victim_id,omitempty"`
	LeafType     string               `json:"leaf_type,omitempty"`
	LeafName     string               `json:"leaf_name,omitempty"`
	HasStatement bool                 `json:"has_statement"`
	Depth        int                  `json:"depth"`
	ReceivedFen  int64                `json:"received_fen"`
	BalanceFen   int64                `json:"balance_fen"`
	Balance      []trace.VictimAmount `json:"balance,omitempty"`
	Frozen       bool                 `json:"frozen"`     // a freeze or stop-payment was confirmed by the bank
	FrozenFen    int64                `json:"frozen_fen"` // the amount the bank confirmed
}

// TraceEdgeView is an edge of the flow graph.
type TraceEdgeView struct {
	From      string               `json:"from"`
	To        string               `json:"to"`
	Amounts   []trace.VictimAmount `json:"amounts"`
	TotalFen  int64                `json:"total_fen"`
	Transfers int                  `json:"transfers"`
	FirstAt   time.Time            `json:"first_at"`
	LastAt    time.Time            `json:"last_at"`
}

// TraceVictimView is where a victim's money went.
type TraceVictimView struct {
	VictimID     int64            `json:"victim_id"`
	Name         string           `json:"name"`
	LostFen      int64            `json:"lost_fen"`
	RemainingFen int64            `json:"remaining_fen"`
	LeafFen      map[string]int64 `json:"leaf_fen"`
}

// TraceRequestRef is a request already made about a candidate account.
type TraceRequestRef struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	KindName   string `json:"kind_name"`
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	ResultFen  int64  `json:"result_fen"`
}

// TraceCandidateView is an account still holding traced money.
type TraceCandidateView struct {
	Node        string               `json:"node"`
	Account     string               `json:"account"`
	AccountID   int64                `json:"account_id,omitempty"`
	Bank        string               `json:"bank,omitempty"`
	Branch      string               `json:"branch,omitempty"`
	Holder      string               `json:"holder,omitempty"`
	UnitID      int64                `json:"unit_id,omitempty"` // the member unit a request goes to (the bank)
	UnitName    string               `json:"unit_name,omitempty"`
	BalanceFen  int64                `json:"balance_fen"`
	Balance     []trace.VictimAmount `json:"balance"`
	ReceivedFen int64                `json:"received_fen"`
	LastInAt    time.Time            `json:"last_in_at"`
	Depth       int                  `json:"depth"`
	Requests    []TraceRequestRef    `json:"requests"`
}

// TraceView is a case's trace for people.
type TraceView struct {
	CaseID     int64                `json:"case_id"`
	Options    trace.Options        `json:"options"`
	AsOf       time.Time            `json:"as_of,omitzero"` // absent: no statement was read
	Scope      funds.LedgerScope    `json:"scope"`
	Victims    []TraceVictimView    `json:"victims"`
	LeafNames  map[string]string    `json:"leaf_names"` // leaf type → Chinese, for victims' leaf_fen
	Nodes      []TraceNodeView      `json:"nodes"`
	Edges      []TraceEdgeView      `json:"edges"`
	Candidates []TraceCandidateView `json:"candidates"`
	Unmasked   bool                 `json:"unmasked"`
	// Changes: what changed in the case's victims and transfers since its
	// trace was last looked at (this look records itself, so the next one
	// reports only later changes).
	Changes funds.TraceChanges `json:"changes"`
}

// CaseTraceView traces a case in scope with opt and shows it: account
// numbers masked by m, each candidate with the requests about it (from the
// case's requests) and its bank's member unit. It is a look at the trace:
// the view says what changed since the previous look (Changes) and records
// this one.
func CaseTraceView(ctx context.Context, q db.Querier, scope area.Node, caseID int64, opt trace.Options, m auth.Masker, now time.Time) (TraceView, error) {
	// Read before the trace (nothing is shown before the scope is checked
	// by the trace): a change committed meanwhile is reported at the next
	// look too.
	changes, err := funds.TraceChangesOf(ctx, q, caseID)
	if err != nil {
		return TraceView{}, err
	}
	ct, err := funds.TraceCaseInScope(ctx, q, scope, caseID, opt)
	if err != nil {
		return TraceView{}, err
	}
	cands, err := funds.Candidates(ctx, q, &ct.Result)
	if err != nil {
		return TraceView{}, err
	}
	reqs, err := ForCase(ctx, q, scope, ct.Case.ID, now)
	if err != nil {
		return TraceView{}, err
	}
	byAccount := map[string][]TraceRequestRef{}
	frozen := map[string]int64{}
	for _, r := range reqs {
		if r.Account == "" {
			continue
		}
		byAccount[r.Account] = append(byAccount[r.Account], TraceRequestRef{ID: r.ID, Kind: r.Kind, KindName: r.KindName, Status: r.Status,
			StatusName: StatusName(r.Status), ResultFen: r.ResultFen})
		if (r.Kind == "freeze" || r.Kind == "stop_payment") && (r.Status == "done" || r.Status == "confirmed") {
			frozen[r.Account] = max(frozen[r.Account], r.ResultFen)
		}
	}
	banks, err := BankUnits(ctx, q)
	if err != nil {
		return TraceView{}, err
	}
	near, err := AreaChain(ctx, q, ct.Case.AreaID)
	if err != nil {
		return TraceView{}, err
	}
	meta := map[string]funds.Candidate{}
	for _, c := range cands {
		meta[c.Account] = c
	}

	res := &ct.Result
	v := TraceView{CaseID: ct.Case.ID, Options: res.Options, AsOf: res.AsOf, Scope: ct.Scope, Unmasked: m.Unmasked,
		Nodes: make([]TraceNodeView, 0, len(res.Nodes)), Edges: make([]TraceEdgeView, 0, len(res.Edges)),
		Candidates: make([]TraceCandidateView, 0, len(cands)), LeafNames: map[string]string{}, Changes: changes}
	for _, tv := range res.Victims {
		for k := range tv.LeafFen {
			v.LeafNames[k] = trace.LeafTypeName(k)
		}
		v.Victims = append(v.Victims, TraceVictimView{VictimID: tv.VictimID, Name: ct.VictimName(tv.VictimID), LostFen: tv.LostFen,
			RemainingFen: tv.RemainingFen, LeafFen: tv.LeafFen})
	}
	for _, n := range res.Nodes {
		nv := TraceNodeView{ID: ct.ViewID(n.ID), Kind: n.Kind, VictimID: n.VictimID, HasStatement: n.HasStatement, Depth: n.Depth,
			BalanceFen: n.BalanceFen, Balance: n.Balance, Label: ct.Label(n, m)}
		for _, a := range n.Received {
			nv.ReceivedFen += a.AmountFen
		}
		switch n.Kind {
		case "account":
			nv.Account = m.Card(n.Account)
			if c, ok := meta[n.Account]; ok {
				nv.AccountID, nv.Bank = c.AccountID, c.Bank
			}
			if f, ok := frozen[n.Account]; ok {
				nv.Frozen, nv.FrozenFen = true, f
			}
		case "leaf":
			nv.LeafType, nv.LeafName = n.LeafType, trace.LeafTypeName(n.LeafType)
			nv.Account = m.Card(n.Counter)
		}
		v.Nodes = append(v.Nodes, nv)
	}
	for _, e := range res.Edges {
		v.Edges = append(v.Edges, TraceEdgeView{From: ct.ViewID(e.From), To: ct.ViewID(e.To), Amounts: e.Amounts, TotalFen: e.TotalFen,
			Transfers: e.Transfers, FirstAt: e.FirstAt, LastAt: e.LastAt})
	}
	for _, c := range cands {
		cv := TraceCandidateView{Node: ct.ViewID(c.NodeID), Account: m.Card(c.Account), AccountID: c.AccountID, Bank: c.Bank, Branch: c.Branch,
			Holder: c.Holder, BalanceFen: c.BalanceFen, Balance: c.Balance, ReceivedFen: c.ReceivedFen, LastInAt: c.LastInAt, Depth: c.Depth,
			Requests: byAccount[c.Account]}
		if u, ok := BankUnitOf(banks, c.Bank, near); ok {
			cv.UnitID, cv.UnitName = u.ID, u.Name
		}
		if cv.Requests == nil {
			cv.Requests = []TraceRequestRef{}
		}
		v.Candidates = append(v.Candidates, cv)
	}
	if err := funds.MarkTraceSeen(ctx, q, ct.Case.ID, changes, now); err != nil {
		return TraceView{}, err
	}
	return v, nil
}
