package console

import (
	"bytes"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/web"
)

// The printable A4 case summary (卷宗目录): GET /cases/{id}/summary, a page
// of its own without the console's navigation, with print CSS. It holds the
// same parts as the Excel case file (investigation.WriteCaseFile) read from
// the same use cases: the parties, the losing transfers, a summary of the
// FIFO trace, the requests and answers, the dispositions, the lifecycle
// steps and the timeline. Numbers are masked unless ?unmask=true (audited
// as unmask); every print is audited as an export of the case.

// caseSummaryView is the data of the case_summary page.
type caseSummaryView struct {
	C          funds.Case
	State      investigation.CaseState
	Series     investigation.Series
	InSeries   bool
	Campaigns  []investigation.Campaign
	Suspects   []summarySuspect
	Trace      []summaryTrace
	Accounts   int // accounts whose statements the trace read
	Requests   []partner.Request
	Steps      []investigation.Transition
	Timeline   []funds.CaseEvent
	Contents   []summaryPart
	Disposals  int // dispositions on this case
	Printed    time.Time
	PrintedBy  string
	Unmasked   bool
	CanUnmask  bool
	Script     string // the console bundle (the print button), "" when not built
	VictimName map[int64]string
}

// summarySuspect is a suspect with the dispositions on this case.
type summarySuspect struct {
	investigation.Suspect
	Here []investigation.Disposition
}

// summaryTrace is one victim's trace: lost, still in accounts, and where
// the rest went.
type summaryTrace struct {
	Victim       string
	LostFen      int64
	RemainingFen int64
	Leaves       []summaryLeaf
}

// summaryLeaf is one destination kind of a victim's money.
type summaryLeaf struct {
	Name string
	Fen  int64
}

// summaryPart is a line of the 卷宗目录: a part and how many rows it holds.
type summaryPart struct {
	No     int
	Anchor string
	Name   string
	Rows   int
}

func (s *handler) handleCaseSummary(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := funds.GetCase(ctx, s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	now := s.Now()
	v := caseSummaryView{C: c.Masked(m), Printed: now, PrintedBy: p.User.DisplayName, Unmasked: m.Unmasked,
		CanUnmask: p.Can(auth.CapUnmask), Script: s.printScript(), VictimName: map[int64]string{}}
	for _, vi := range v.C.Victims {
		v.VictimName[vi.ID] = vi.Name
	}
	if v.State, err = investigation.StateOf(ctx, s.DB, p.Scope, id); err != nil {
		return err
	}
	if v.Series, err = investigation.SeriesOf(ctx, s.DB, p.Scope, id); err != nil {
		return err
	}
	v.InSeries = v.Series.ParentID != id || len(v.Series.Members) > 0
	if v.Campaigns, err = investigation.CaseCampaigns(ctx, s.DB, p.Scope, id); err != nil {
		return err
	}
	suspects, err := investigation.CaseSuspects(ctx, s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	disposals := 0
	for _, su := range suspects {
		row := summarySuspect{Suspect: su.Masked(m)}
		for _, d := range row.Disposals {
			if d.CaseID == id {
				row.Here = append(row.Here, d)
			}
		}
		disposals += len(row.Here)
		v.Suspects = append(v.Suspects, row)
	}
	ct, err := funds.TraceCaseInScope(ctx, s.DB, p.Scope, id, trace.Options{})
	if errors.Is(err, funds.ErrNoTransfers) {
		ct, err = &funds.CaseTrace{}, nil // no losing transfer yet: nothing to trace
	}
	if err != nil {
		return err
	}
	for _, n := range ct.Result.Nodes {
		if n.Kind == "account" {
			v.Accounts++
		}
	}
	for _, vt := range ct.Result.Victims {
		row := summaryTrace{Victim: v.VictimName[vt.VictimID], LostFen: vt.LostFen, RemainingFen: vt.RemainingFen}
		for k, fen := range vt.LeafFen {
			row.Leaves = append(row.Leaves, summaryLeaf{Name: trace.LeafTypeName(k), Fen: fen})
		}
		sort.Slice(row.Leaves, func(i, j int) bool { return row.Leaves[i].Name < row.Leaves[j].Name })
		v.Trace = append(v.Trace, row)
	}
	if v.Requests, err = partner.ForCase(ctx, s.DB, p.Scope, id, now); err != nil {
		return err
	}
	for i := range v.Requests {
		v.Requests[i] = v.Requests[i].Masked(m)
	}
	if v.Steps, err = investigation.History(ctx, s.DB, p.Scope, id); err != nil {
		return err
	}
	for i := range v.Steps {
		v.Steps[i] = v.Steps[i].Masked(m)
	}
	if v.Timeline, err = funds.CaseTimeline(ctx, s.DB, p.Scope, id); err != nil {
		return err
	}
	for i := range v.Timeline {
		v.Timeline[i].Detail = m.Text(v.Timeline[i].Detail)
	}
	v.Disposals = disposals
	for i, part := range []summaryPart{
		{Anchor: "parties", Name: "当事人", Rows: len(v.C.Victims) + len(v.Suspects)},
		{Anchor: "transfers", Name: "被骗转账", Rows: len(v.C.Transfers)},
		{Anchor: "trace", Name: "资金追查", Rows: len(v.Trace)},
		{Anchor: "requests", Name: "止付/冻结/协查请求及答复", Rows: len(v.Requests)},
		{Anchor: "dispositions", Name: "处置情况", Rows: disposals},
		{Anchor: "steps", Name: "办案流程", Rows: len(v.Steps)},
		{Anchor: "timeline", Name: "时间线", Rows: len(v.Timeline)},
	} {
		part.No = i + 1
		v.Contents = append(v.Contents, part)
	}
	if err := s.Audit(r, p, auth.AuditExport, "case", strconv.FormatInt(id, 10), "case summary html masked="+strconv.FormatBool(!m.Unmasked)); err != nil {
		return err
	}
	t := s.Tmpl["case_summary"]
	if t == nil {
		return web.Errorf(http.StatusInternalServerError, "internal", "模板不存在：case_summary")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "case_summary_doc", web.Page{Title: "卷宗 " + c.CaseNo, P: p, Data: v}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}
