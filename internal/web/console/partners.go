package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
)

// 联席 member units seen by the centre (成员单位) and by a unit (协查请求,
// its inbox and answers).

func (s *handler) handlePartnersPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	units, err := partner.UnitSummaries(r.Context(), s.DB)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "partners", web.Page{Title: "联席成员单位", Active: "/partners", Data: units})
	return nil
}

// inboxView is the data of the inbox page.
type inboxView struct {
	Unit     string
	Requests []partner.Request
	Q        string
	Open     bool
	Pager    web.Pager
}

func (s *handler) handleInboxPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	const perPage = 50
	qv := r.URL.Query()
	pageNo, _ := strconv.Atoi(qv.Get("page"))
	pageNo = max(pageNo, 1)
	f := partner.InboxFilter{Search: strings.TrimSpace(qv.Get("q")), Open: qv.Get("open") == "1", Offset: (pageNo - 1) * perPage, Limit: perPage + 1}
	reqs, err := partner.InboxPage(r.Context(), s.DB, p.User.UnitID, f, s.Now())
	if err != nil {
		return err
	}
	more := len(reqs) > perPage
	if more {
		reqs = reqs[:perPage]
	}
	keep := url.Values{}
	if f.Search != "" {
		keep.Set("q", f.Search)
	}
	if f.Open {
		keep.Set("open", "1")
	}
	pageURL := func(n int) string {
		u := url.Values{}
		for k, v := range keep {
			u[k] = v
		}
		u.Set("page", strconv.Itoa(n))
		return "/inbox?" + u.Encode()
	}
	var prev, next string
	if pageNo > 1 {
		prev = pageURL(pageNo - 1)
	}
	if more {
		next = pageURL(pageNo + 1)
	}
	unit, err := partner.GetUnit(r.Context(), s.DB, p.User.UnitID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "inbox", web.Page{Title: "协查请求", Active: "/inbox", Data: inboxView{Unit: unit.Name, Requests: reqs,
		Q: f.Search, Open: f.Open, Pager: web.Pager{ID: "inbox-pager", Page: pageNo, Prev: prev, Next: next}}})
	return nil
}

func (s *handler) handleInboxAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	fen, err := money.ParseYuan(r.FormValue("amount"))
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
	}
	a := partner.Answer{Status: r.FormValue("status"), Result: r.FormValue("result"), ResultFen: fen, Reference: r.FormValue("reference")}
	if err := partner.Respond(r.Context(), s.DB, p.User.UnitID, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), id, a, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/inbox", fmt.Sprintf("已答复请求 #%d", id))
	return nil
}
