package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/web"
)

// 指令闭环 and 回访 pages: the 「待反馈」 queue with its countdowns, the
// feedback file export and the instruction file import (/instructions),
// manual signing on the warning page, the dissuader's follow-up calls
// (/followups, also on the home page), and the warning page's instruction
// and person-history blocks.

func (s *handler) instructionPages() {
	m := s.Mux
	m.HandleFunc("GET /instructions", s.Page(auth.CapWarningRead, s.handleInstructionsPage))
	m.HandleFunc("POST /instructions/import", s.Page(auth.CapWarningWrite, s.handleInstructionImport))
	m.HandleFunc("POST /instructions/feedback.xlsx", s.Page(auth.CapWarningWrite, s.handleFeedbackExport))
	m.HandleFunc("POST /warnings/{id}/sign", s.Page(auth.CapWarningWrite, s.handleSignForm))
	m.HandleFunc("GET /followups", s.Page(auth.CapWarningRead, s.handleFollowupsPage))
	m.HandleFunc("POST /followups", s.Page(auth.CapWarningWrite, s.handleFollowupForm))
	s.leaguePages()
}

// queuePage is how many instructions one page of the queue shows.
const queuePage = 50

// instructionsView is the data of the 待反馈 page.
type instructionsView struct {
	Items    []instruction.Pending
	Total    int
	Overdue  int
	Pager    web.Pager
	From, To string // the export period's default (dates)
	Layouts  []instruction.Layout
	CanWrite bool
	Report   *instruction.ImportReport // after an import
}

func (s *handler) instructionsView(r *http.Request, p *auth.Principal) (instructionsView, error) {
	v := instructionsView{Layouts: instruction.Layouts, CanWrite: p.Can(auth.CapWarningWrite)}
	all, err := instruction.PendingFeedback(r.Context(), s.DB, p.Scope, s.Now())
	if err != nil {
		return v, err
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	v.Total = len(all)
	for _, it := range all {
		if it.Overdue {
			v.Overdue++
		}
	}
	start := min((page-1)*queuePage, len(all))
	v.Items = all[start:min(len(all), start+queuePage)]
	v.Pager = web.Pager{ID: "queue-pager", Page: page}
	if page > 1 {
		v.Pager.Prev = fmt.Sprintf("?page=%d", page-1)
	}
	if start+queuePage < len(all) {
		v.Pager.Next = fmt.Sprintf("?page=%d", page+1)
	}
	to := s.Now().In(s.Loc)
	v.From, v.To = to.AddDate(0, 0, -30).Format("2006-01-02"), to.Format("2006-01-02")
	return v, nil
}

func (s *handler) handleInstructionsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.instructionsView(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "instructions", web.Page{Title: "指令反馈", Active: "/instructions", Data: v})
	return nil
}

// handleInstructionImport takes an instruction file and shows the queue
// with the import's report; a file that cannot be read is shown as the
// page's error.
func (s *handler) handleInstructionImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	fail := ""
	var rep *instruction.ImportReport
	name, f, err := web.UploadedFile(r, "file")
	if err != nil {
		fail = "请选择要上传的指令表格（Excel 或 CSV）"
	} else {
		defer f.Close()
		res, err := s.ImportInstructions(r, p, name, f)
		var de *domain.Error
		switch {
		case errors.As(err, &de):
			fail = "文件 " + name + " 无法导入：" + de.Error()
		case err != nil:
			return err
		default:
			rep = &res
		}
	}
	v, err := s.instructionsView(r, p)
	if err != nil {
		return err
	}
	v.Report = rep
	s.Render(w, r, http.StatusOK, "instructions", web.Page{Title: "指令反馈", Active: "/instructions", Error: fail, Data: v})
	return nil
}

// handleFeedbackExport is the page's export button: the feedback file of
// the period in the chosen layout (a POST, as it records what is sent).
func (s *handler) handleFeedbackExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	q.Set("from", r.FormValue("from"))
	q.Set("to", r.FormValue("to"))
	r.URL.RawQuery = q.Encode()
	from, to, err := s.Period(r, 30)
	if err != nil {
		return err
	}
	return s.WriteFeedbackFile(w, r, p, from, to, r.FormValue("layout"))
}

func (s *handler) handleSignForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := instruction.Sign(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "已签收指令")
	return nil
}

// followupsView is the data of the 回访 page, and the 回访 block of a
// dissuader's home page (the "followups" partial).
type followupsView struct {
	Followups []dissuade.Followup
	Results   []web.Option
	CanWrite  bool
	Next      string // where a recorded result leads back to
}

// followupResults are the choices of a follow-up's result.
func followupResults() []web.Option {
	var out []web.Option
	for _, r := range []string{"safe", "at_risk", "unreachable", "defrauded"} {
		out = append(out, web.Option{Value: r, Name: dissuade.FollowupResultName(r)})
	}
	return out
}

// dueFollowups is the caller's open follow-ups due by the end of today.
func (s *handler) dueFollowups(r *http.Request, p *auth.Principal) ([]dissuade.Followup, error) {
	now := s.Now()
	y, mo, d := now.In(s.Loc).Date()
	list, err := dissuade.Due(r.Context(), s.DB, p.Scope, p.User.ID, time.Date(y, mo, d+1, 0, 0, 0, 0, s.Loc), now)
	if err != nil {
		return nil, err
	}
	m := p.Masker(false)
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	return list, nil
}

func (s *handler) handleFollowupsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := s.dueFollowups(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "followups", web.Page{Title: "回访", Active: "/", Data: followupsView{Followups: list,
		Results: followupResults(), CanWrite: p.Can(auth.CapWarningWrite), Next: "/followups"}})
	return nil
}

func (s *handler) handleFollowupForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.FormInt(r, "id")
	if err != nil {
		return err
	}
	if err := dissuade.Done(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, r.FormValue("result"), r.FormValue("note"), s.Now()); err != nil {
		return err
	}
	back := "/followups"
	if r.FormValue("next") != "" {
		back = web.SafeNext(r.FormValue("next"))
	}
	web.RedirectFlash(w, r, back, "已登记回访结果："+dissuade.FollowupResultName(r.FormValue("result")))
	return nil
}

// warningExtras are the warning page's instruction and person-history
// blocks (instruction nil when the warning did not come as one).
type warningExtras struct {
	Instruction *instruction.Info
	History     dissuade.History
}

func (s *handler) warningExtras(r *http.Request, p *auth.Principal, id int64, m auth.Masker) (warningExtras, error) {
	var x warningExtras
	in, err := instruction.Get(r.Context(), s.DB, p.Scope, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
	case err != nil:
		return x, err
	default:
		x.Instruction = &in
	}
	h, err := dissuade.PersonHistory(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return x, err
	}
	x.History = h.Masked(m)
	return x, nil
}
