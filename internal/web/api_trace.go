package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/zone"
)

// The fund trace of a case (资金穿透), its explanation of any amount, and
// stop-payment / freeze requests made from the trace's candidates.
//
// Account numbers are card numbers: the API masks them unless the caller
// asks for ?unmask=1 (audited). Nodes therefore get opaque ids (n0, n1, …,
// stable for the same data and options) and a label; a request names its
// account by accounts.id, which the candidates carry.

// traceOptions reads a trace's options from query parameters (or form
// fields): rule=fifo|proportional, libr=1, max_hops=N, max_lag=hours (or a
// Go duration such as 90m), as_of=RFC 3339 or "2006-01-02 15:04" (Beijing
// time).
func traceOptions(get func(string) string) (funds.TraceOptions, error) {
	var opt funds.TraceOptions
	var err error
	if opt.Rule, err = funds.ParseTraceRule(get("rule")); err != nil {
		return opt, errorf(http.StatusBadRequest, "bad_rule", "分配规则 rule 只能是 fifo（先进先出）或 proportional（按比例）")
	}
	switch get("libr") {
	case "", "0", "false":
	case "1", "true":
		opt.LIBRCap = true
	default:
		return opt, errorf(http.StatusBadRequest, "bad_libr", "libr 只能是 1 或 0（最低余额规则）")
	}
	if v := get("max_hops"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 50 {
			return opt, errorf(http.StatusBadRequest, "bad_max_hops", "max_hops 应为 0–50 的整数（0 为不限）")
		}
		opt.MaxHops = n
	}
	if v := get("max_lag"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			h, herr := strconv.ParseFloat(v, 64)
			if herr != nil {
				return opt, errorf(http.StatusBadRequest, "bad_max_lag", "max_lag 应为小时数（如 24）或时长（如 90m）")
			}
			d = time.Duration(h * float64(time.Hour))
		}
		if d < 0 {
			return opt, errorf(http.StatusBadRequest, "bad_max_lag", "max_lag 不能为负")
		}
		opt.MaxLag = d
	}
	if v := get("as_of"); v != "" {
		// RFC 3339 carries its zone; the others are Beijing time.
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04"} {
			if t, err := time.ParseInLocation(layout, v, zone.Shanghai); err == nil {
				opt.AsOf = t
				break
			}
		}
		if opt.AsOf.IsZero() {
			return opt, errorf(http.StatusBadRequest, "bad_as_of", "as_of 应为时间，如 2026-11-20 18:00（北京时间）或 RFC 3339")
		}
	}
	return opt, nil
}

type traceNodeView struct {
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
	Balance      []funds.VictimAmount `json:"balance,omitempty"`
	Frozen       bool                 `json:"frozen"`     // a freeze or stop-payment was confirmed by the bank
	FrozenFen    int64                `json:"frozen_fen"` // the amount the bank confirmed
}

type traceEdgeView struct {
	From      string               `json:"from"`
	To        string               `json:"to"`
	Amounts   []funds.VictimAmount `json:"amounts"`
	TotalFen  int64                `json:"total_fen"`
	Transfers int                  `json:"transfers"`
	FirstAt   time.Time            `json:"first_at"`
	LastAt    time.Time            `json:"last_at"`
}

type traceVictimView struct {
	VictimID     int64            `json:"victim_id"`
	Name         string           `json:"name"`
	LostFen      int64            `json:"lost_fen"`
	RemainingFen int64            `json:"remaining_fen"`
	LeafFen      map[string]int64 `json:"leaf_fen"`
}

type traceRequestRef struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	KindName   string `json:"kind_name"`
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	ResultFen  int64  `json:"result_fen"`
}

type traceCandidateView struct {
	Node        string               `json:"node"`
	Account     string               `json:"account"`
	AccountID   int64                `json:"account_id,omitempty"`
	Bank        string               `json:"bank,omitempty"`
	Branch      string               `json:"branch,omitempty"`
	Holder      string               `json:"holder,omitempty"`
	UnitID      int64                `json:"unit_id,omitempty"` // the member unit a request goes to (the bank)
	UnitName    string               `json:"unit_name,omitempty"`
	BalanceFen  int64                `json:"balance_fen"`
	Balance     []funds.VictimAmount `json:"balance"`
	ReceivedFen int64                `json:"received_fen"`
	LastInAt    time.Time            `json:"last_in_at"`
	Depth       int                  `json:"depth"`
	Requests    []traceRequestRef    `json:"requests"`
}

type traceView struct {
	CaseID     int64                `json:"case_id"`
	Options    funds.TraceOptions   `json:"options"`
	AsOf       time.Time            `json:"as_of,omitzero"` // absent: no statement was read
	Scope      funds.LedgerScope    `json:"scope"`
	Victims    []traceVictimView    `json:"victims"`
	LeafNames  map[string]string    `json:"leaf_names"` // leaf type → Chinese, for victims' leaf_fen
	Nodes      []traceNodeView      `json:"nodes"`
	Edges      []traceEdgeView      `json:"edges"`
	Candidates []traceCandidateView `json:"candidates"`
	Unmasked   bool                 `json:"unmasked"`
}

// caseTrace is a computed trace with what the views need.
type caseTrace struct {
	c     funds.Case
	res   funds.TraceResult
	scope funds.LedgerScope
	ids   map[string]string // engine node id → view id
	back  map[string]string // view id → engine node id
	names map[int64]string  // victim id → name
}

// label names a node of the flow graph for people: the victim, the
// account (masked by m) or the leaf with where the money went.
func (ct *caseTrace) label(n funds.TraceNode, m auth.Masker) string {
	switch n.Kind {
	case "victim":
		if name := ct.names[n.VictimID]; name != "" {
			return "受害人 " + name
		}
		return "受害人"
	case "leaf":
		l := funds.LeafTypeName(n.LeafType)
		if n.Counter != "" {
			l += " " + m.Card(n.Counter)
		}
		return l
	}
	return m.Card(n.Account)
}

func (s *Server) runCaseTrace(r *http.Request, p *auth.Principal, caseID int64, opt funds.TraceOptions) (*caseTrace, error) {
	c, err := funds.GetCase(r.Context(), s.db, p.Scope, caseID)
	if err != nil {
		return nil, err
	}
	if len(c.Transfers) == 0 {
		return nil, errorf(http.StatusUnprocessableEntity, "no_transfers", "案件 %s 没有登记被骗转账，无法追踪资金", c.CaseNo)
	}
	res, sc, err := funds.TraceCaseFrom(r.Context(), s.db, c, opt)
	if err != nil {
		return nil, err
	}
	ct := &caseTrace{c: c, res: res, scope: sc, ids: map[string]string{}, back: map[string]string{}, names: map[int64]string{}}
	for _, v := range c.Victims {
		ct.names[v.ID] = v.Name
	}
	for i, n := range res.Nodes {
		v := "n" + strconv.Itoa(i)
		ct.ids[n.ID], ct.back[v] = v, n.ID
	}
	return ct, nil
}

func (s *Server) handleCaseTrace(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	opt, err := traceOptions(r.URL.Query().Get)
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "case_trace", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	ct, err := s.runCaseTrace(r, p, id, opt)
	if err != nil {
		return err
	}
	v, err := s.traceView(r, p, ct, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) traceView(r *http.Request, p *auth.Principal, ct *caseTrace, m auth.Masker) (traceView, error) {
	ctx := r.Context()
	cands, err := funds.Candidates(ctx, s.db, &ct.res)
	if err != nil {
		return traceView{}, err
	}
	reqs, err := partner.ForCase(ctx, s.db, p.Scope, ct.c.ID, s.now())
	if err != nil {
		return traceView{}, err
	}
	byAccount := map[string][]traceRequestRef{}
	frozen := map[string]int64{}
	for _, q := range reqs {
		if q.Account == "" {
			continue
		}
		byAccount[q.Account] = append(byAccount[q.Account], traceRequestRef{ID: q.ID, Kind: q.Kind, KindName: q.KindName, Status: q.Status,
			StatusName: partner.StatusName(q.Status), ResultFen: q.ResultFen})
		if (q.Kind == "freeze" || q.Kind == "stop_payment") && (q.Status == "done" || q.Status == "confirmed") {
			frozen[q.Account] = max(frozen[q.Account], q.ResultFen)
		}
	}
	units, err := partner.UnitSummaries(ctx, s.db)
	if err != nil {
		return traceView{}, err
	}
	meta := map[string]funds.Candidate{}
	for _, c := range cands {
		meta[c.Account] = c
	}

	v := traceView{CaseID: ct.c.ID, Options: ct.res.Options, AsOf: ct.res.AsOf, Scope: ct.scope, Unmasked: m.Unmasked,
		Nodes: make([]traceNodeView, 0, len(ct.res.Nodes)), Edges: make([]traceEdgeView, 0, len(ct.res.Edges)),
		Candidates: make([]traceCandidateView, 0, len(cands))}
	v.LeafNames = map[string]string{}
	for _, tv := range ct.res.Victims {
		for k := range tv.LeafFen {
			v.LeafNames[k] = funds.LeafTypeName(k)
		}
		v.Victims = append(v.Victims, traceVictimView{VictimID: tv.VictimID, Name: ct.names[tv.VictimID], LostFen: tv.LostFen,
			RemainingFen: tv.RemainingFen, LeafFen: tv.LeafFen})
	}
	for _, n := range ct.res.Nodes {
		nv := traceNodeView{ID: ct.ids[n.ID], Kind: n.Kind, VictimID: n.VictimID, HasStatement: n.HasStatement, Depth: n.Depth,
			BalanceFen: n.BalanceFen, Balance: n.Balance}
		for _, a := range n.Received {
			nv.ReceivedFen += a.AmountFen
		}
		nv.Label = ct.label(n, m)
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
			nv.LeafType, nv.LeafName = n.LeafType, funds.LeafTypeName(n.LeafType)
			nv.Account = m.Card(n.Counter)
		}
		v.Nodes = append(v.Nodes, nv)
	}
	for _, e := range ct.res.Edges {
		v.Edges = append(v.Edges, traceEdgeView{From: ct.ids[e.From], To: ct.ids[e.To], Amounts: e.Amounts, TotalFen: e.TotalFen,
			Transfers: e.Transfers, FirstAt: e.FirstAt, LastAt: e.LastAt})
	}
	for _, c := range cands {
		cv := traceCandidateView{Node: ct.ids[c.NodeID], Account: m.Card(c.Account), AccountID: c.AccountID, Bank: c.Bank, Branch: c.Branch,
			Holder: c.Holder, BalanceFen: c.BalanceFen, Balance: c.Balance, ReceivedFen: c.ReceivedFen, LastInAt: c.LastInAt, Depth: c.Depth,
			Requests: byAccount[c.Account]}
		if u, ok := bankUnit(units, c.Bank); ok {
			cv.UnitID, cv.UnitName = u.ID, u.Name
		}
		if cv.Requests == nil {
			cv.Requests = []traceRequestRef{}
		}
		v.Candidates = append(v.Candidates, cv)
	}
	return v, nil
}

// bankUnit finds the member unit (a bank's county branch, top level) for an
// account's bank: "中国工商银行" matches "工商银行云溪支行", "中国银行" matches
// "中国银行云溪支行" (and never any other unit whose name merely has 银行).
func bankUnit(units []partner.UnitSummary, bank string) (partner.UnitSummary, bool) {
	var best partner.UnitSummary
	for _, u := range units {
		if u.Kind == "bank" && u.Parent == "" && partner.IsUnitOfBank(u.Name, bank) && (best.ID == 0 || u.ID < best.ID) {
			best = u
		}
	}
	return best, best.ID != 0
}

type explainStepView struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	FromLabel string    `json:"from_label"`
	ToLabel   string    `json:"to_label"`
	At        time.Time `json:"at"`
	AmountFen int64     `json:"amount_fen"`
}

type explainView struct {
	Node        string            `json:"node"`
	Label       string            `json:"label"`
	VictimID    int64             `json:"victim_id"`
	VictimName  string            `json:"victim_name"`
	AmountFen   int64             `json:"amount_fen"`
	ReceivedFen int64             `json:"received_fen"`
	Steps       []explainStepView `json:"steps"`
	Paths       [][]string        `json:"paths"` // labels
	Text        string            `json:"text"`
}

func (s *Server) handleCaseTraceExplain(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	opt, err := traceOptions(q.Get)
	if err != nil {
		return err
	}
	victim, err := strconv.ParseInt(q.Get("victim"), 10, 64)
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_victim", "请用 victim 指定受害人编号")
	}
	m, err := s.masker(r, p, "case_trace", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	ct, err := s.runCaseTrace(r, p, id, opt)
	if err != nil {
		return err
	}
	node, ok := ct.back[q.Get("node")]
	if !ok {
		return errorf(http.StatusNotFound, "not_found", "流向图中没有节点 %q（数据或选项可能已变化，请重新追踪）", q.Get("node"))
	}
	ex, err := ct.res.Explain(node, victim)
	if err != nil {
		return err
	}
	label := func(nodeID string) string {
		n, ok := ct.res.Node(nodeID)
		if !ok {
			return nodeID
		}
		return ct.label(n, m)
	}
	v := explainView{Node: ct.ids[node], Label: label(node), VictimID: victim, VictimName: ct.names[victim], AmountFen: ex.AmountFen,
		ReceivedFen: ex.ReceivedFen}
	var b strings.Builder
	n, _ := ct.res.Node(node)
	if n.Kind == "leaf" {
		fmt.Fprintf(&b, "%s 的资金 %s 元在此终止追踪：%s。\n", v.VictimName, money.FormatYuan(ex.AmountFen), v.Label)
	} else {
		fmt.Fprintf(&b, "%s 的资金流入 %s 共 %s 元，截至 %s 仍留存 %s 元。\n", v.VictimName, v.Label, money.FormatYuan(ex.ReceivedFen),
			funds.AsOfText(ct.res.AsOf), money.FormatYuan(ex.AmountFen))
	}
	for _, path := range ex.Paths {
		ls := make([]string, len(path))
		for i, id := range path {
			ls[i] = label(id)
		}
		v.Paths = append(v.Paths, ls)
		fmt.Fprintf(&b, "路径：%s\n", strings.Join(ls, " → "))
	}
	for _, st := range ex.Steps {
		sv := explainStepView{From: ct.ids[st.From], To: ct.ids[st.To], FromLabel: label(st.From), ToLabel: label(st.To), At: st.At, AmountFen: st.AmountFen}
		v.Steps = append(v.Steps, sv)
		fmt.Fprintf(&b, "%s  %s → %s  %s 元\n", st.At.In(zone.Shanghai).Format("2006-01-02 15:04:05"), sv.FromLabel, sv.ToLabel, money.FormatYuan(st.AmountFen))
	}
	v.Text = b.String()
	writeJSON(w, http.StatusOK, v)
	return nil
}

// traceRequestIn asks for a stop-payment or freeze of a candidate account.
type traceRequestIn struct {
	AccountID int64  `json:"account_id"`
	Kind      string `json:"kind"`       // stop_payment | freeze
	UnitID    int64  `json:"unit_id"`    // 0: the account's bank
	AmountFen *int64 `json:"amount_fen"` // absent: the traced balance; 0: the whole balance
	Reason    string `json:"reason"`
	// The trace the candidate comes from.
	Rule    string `json:"rule"`
	LIBR    bool   `json:"libr"`
	MaxHops int    `json:"max_hops"`
	MaxLag  string `json:"max_lag"`
	AsOf    string `json:"as_of"`
	// Preview checks the request and answers what would be sent — with the
	// full account number for an officer who may unmask (audited as an
	// unmask) — without sending it: the console's confirmation shows it.
	Preview bool `json:"preview"`
}

func (s *Server) handleCaseTraceRequest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in traceRequestIn
	if err := decodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	out, err := s.requestFromTrace(r, p, id, in)
	if err != nil {
		return err
	}
	if in.Preview {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

type traceRequestOut struct {
	RequestID int64  `json:"request_id"`
	Status    string `json:"status"`
	Kind      string `json:"kind"`
	Account   string `json:"account"` // masked, full in a preview for a role that may unmask
	Unmasked  bool   `json:"unmasked"`
	UnitID    int64  `json:"unit_id"`
	UnitName  string `json:"unit_name"`
	AmountFen int64  `json:"amount_fen"`
}

// requestFromTrace traces the case again with the given options, checks the
// account still holds traced money and sends the request to its bank.
func (s *Server) requestFromTrace(r *http.Request, p *auth.Principal, caseID int64, in traceRequestIn) (traceRequestOut, error) {
	if in.Kind != "stop_payment" && in.Kind != "freeze" {
		return traceRequestOut{}, errorf(http.StatusBadRequest, "bad_kind", "kind 只能是 stop_payment（止付）或 freeze（冻结）")
	}
	if in.AccountID <= 0 {
		return traceRequestOut{}, errorf(http.StatusBadRequest, "bad_account", "请用 account_id 指定账户（见追踪结果的 candidates）")
	}
	opts := map[string]string{"rule": in.Rule, "max_hops": strconv.Itoa(in.MaxHops), "max_lag": in.MaxLag, "as_of": in.AsOf}
	if in.LIBR {
		opts["libr"] = "1"
	}
	opt, err := traceOptions(func(k string) string { return opts[k] })
	if err != nil {
		return traceRequestOut{}, err
	}
	number, _, err := funds.AccountByID(r.Context(), s.db, in.AccountID)
	if err != nil {
		return traceRequestOut{}, err
	}
	ct, err := s.runCaseTrace(r, p, caseID, opt)
	if err != nil {
		return traceRequestOut{}, err
	}
	cands, err := funds.Candidates(r.Context(), s.db, &ct.res)
	if err != nil {
		return traceRequestOut{}, err
	}
	i := slices.IndexFunc(cands, func(c funds.Candidate) bool { return c.Account == number })
	if i < 0 {
		return traceRequestOut{}, errorf(http.StatusUnprocessableEntity, "no_traced_balance",
			"账户 %s 在本案的资金追踪中没有留存余额，不能从追踪结果发起止付/冻结；如确有需要，请在案件页手工发起请求", auth.MaskCard(number))
	}
	c := cands[i]
	units, err := partner.UnitSummaries(r.Context(), s.db)
	if err != nil {
		return traceRequestOut{}, err
	}
	var unit partner.UnitSummary
	if in.UnitID != 0 {
		k := slices.IndexFunc(units, func(u partner.UnitSummary) bool { return u.ID == in.UnitID && u.Kind == "bank" })
		if k < 0 {
			return traceRequestOut{}, errorf(http.StatusUnprocessableEntity, "bad_unit", "成员单位 %d 不是银行", in.UnitID)
		}
		unit = units[k]
	} else {
		var ok bool
		if unit, ok = bankUnit(units, c.Bank); !ok {
			return traceRequestOut{}, errorf(http.StatusUnprocessableEntity, "no_bank_unit",
				"找不到账户开户行（%s）对应的成员单位，请用 unit_id 指定接收请求的银行", cmp.Or(c.Bank, "未知"))
		}
	}
	amount := c.BalanceFen
	if in.AmountFen != nil {
		if *in.AmountFen < 0 {
			return traceRequestOut{}, errorf(http.StatusBadRequest, "bad_amount", "金额不能为负")
		}
		amount = *in.AmountFen
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		reason = fmt.Sprintf("案件 %s 资金追踪（%s%s）：该账户留存涉案资金 %s 元", ct.c.CaseNo, ruleName(opt.Rule), map[bool]string{true: "，最低余额规则"}[opt.LIBRCap],
			money.FormatYuan(c.BalanceFen))
	}
	if in.Preview {
		out := traceRequestOut{Status: "preview", Kind: in.Kind, Account: auth.MaskCard(number), UnitID: unit.ID, UnitName: unit.Name, AmountFen: amount}
		if p.Can(auth.CapUnmask) {
			kind := map[string]string{"stop_payment": "止付", "freeze": "冻结"}[in.Kind]
			if err := s.audit(r, p, auth.AuditUnmask, "account", strconv.FormatInt(in.AccountID, 10),
				fmt.Sprintf("案件 %s 发出%s请求前确认完整账号", ct.c.CaseNo, kind)); err != nil {
				return traceRequestOut{}, err
			}
			out.Account, out.Unmasked = number, true
		}
		return out, nil
	}
	reqID, err := partner.CreateForCase(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())), p.User.ID, caseID,
		partner.CaseRequest{Kind: in.Kind, UnitID: unit.ID, Account: number, AmountFen: amount, Reason: reason}, s.now())
	if err != nil {
		return traceRequestOut{}, err
	}
	return traceRequestOut{RequestID: reqID, Status: "sent", Kind: in.Kind, Account: auth.MaskCard(number), UnitID: unit.ID, UnitName: unit.Name, AmountFen: amount}, nil
}

func ruleName(r funds.TraceRule) string {
	if r == funds.TraceProportional {
		return "按比例"
	}
	return "先进先出"
}
