package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/zone"
)

// Opening a case from a report (报案): POST /api/v1/cases and the report
// form on the console. Amounts are yuan as text ("1,234.50") or fen.

type caseIn struct {
	AreaID     int64      `json:"area_id"` // where it happened / the victim lives; default: the caller's own area
	FraudType  string     `json:"fraud_type"`
	ReportedAt *time.Time `json:"reported_at"`
	Summary    string     `json:"summary"`
	Victims    []victimIn `json:"victims"`
}

type victimIn struct {
	Name       string       `json:"name"`
	Sex        string       `json:"sex"`
	BirthDate  string       `json:"birth_date"`
	IDNumber   string       `json:"id_number"`
	Phone      string       `json:"phone"`
	Address    string       `json:"address"`
	Occupation string       `json:"occupation"`
	LossFen    int64        `json:"loss_fen"` // when no transfer is known yet
	Transfers  []transferIn `json:"transfers"`
}

type transferIn struct {
	At          time.Time `json:"at"`
	FromAccount string    `json:"from_account"`
	ToAccount   string    `json:"to_account"`
	ToBank      string    `json:"to_bank"` // default: from the card number's prefix
	ToName      string    `json:"to_name"`
	AmountFen   int64     `json:"amount_fen"`
	Amount      string    `json:"amount"` // yuan, when amount_fen is not given
	Channel     string    `json:"channel"`
}

// newCase checks a report against the caller's jurisdiction and turns it
// into a funds.NewCase; the caller becomes the investigator.
func (s *Server) newCase(r *http.Request, p *auth.Principal, in caseIn) (funds.NewCase, error) {
	aid := in.AreaID
	if aid == 0 {
		aid = p.Scope.ID
	}
	a, err := area.Get(r.Context(), s.db, aid)
	if err != nil || !p.Scope.Contains(a) {
		return funds.NewCase{}, errorf(http.StatusUnprocessableEntity, "bad_area", "辖区 %d 不存在或不在您的辖区内", aid)
	}
	if a.StationID == 0 {
		return funds.NewCase{}, errorf(http.StatusUnprocessableEntity, "bad_area", "请选择派出所或其下的辖区（%s 不属于任何派出所）", a.FullName)
	}
	if len(in.Victims) == 0 {
		return funds.NewCase{}, errorf(http.StatusUnprocessableEntity, "no_victim", "至少登记一名受害人")
	}
	nc := funds.NewCase{AreaID: a.ID, StationID: a.StationID, FraudType: strings.TrimSpace(in.FraudType), InvestigatorID: p.User.ID,
		Summary: strings.TrimSpace(in.Summary)}
	if in.ReportedAt != nil {
		nc.ReportedAt = *in.ReportedAt
	}
	for i, v := range in.Victims {
		nv := funds.NewVictim{Name: strings.TrimSpace(v.Name), Sex: v.Sex, BirthDate: v.BirthDate, IDNumber: strings.TrimSpace(v.IDNumber),
			Phone: strings.TrimSpace(v.Phone), Address: strings.TrimSpace(v.Address), AreaID: a.ID, Occupation: v.Occupation, LossFen: v.LossFen}
		for j, t := range v.Transfers {
			amt := t.AmountFen
			if amt == 0 && t.Amount != "" {
				if amt, err = money.ParseYuan(t.Amount); err != nil {
					return funds.NewCase{}, errorf(http.StatusUnprocessableEntity, "bad_amount", "第 %d 名受害人第 %d 笔转账金额：%v", i+1, j+1, err)
				}
			}
			if t.At.IsZero() {
				return funds.NewCase{}, errorf(http.StatusUnprocessableEntity, "bad_time", "第 %d 名受害人第 %d 笔转账缺少时间", i+1, j+1)
			}
			if strings.TrimSpace(t.ToAccount) == "" {
				return funds.NewCase{}, errorf(http.StatusUnprocessableEntity, "bad_account", "第 %d 名受害人第 %d 笔转账缺少收款账号", i+1, j+1)
			}
			bank := strings.TrimSpace(t.ToBank)
			if bank == "" {
				bank = funds.CardBank(t.ToAccount)
			}
			nv.Transfers = append(nv.Transfers, funds.NewTransfer{At: t.At, FromAccount: strings.ReplaceAll(strings.TrimSpace(t.FromAccount), " ", ""),
				ToAccount: strings.ReplaceAll(strings.TrimSpace(t.ToAccount), " ", ""), ToBank: bank, ToName: strings.TrimSpace(t.ToName),
				AmountFen: amt, Channel: t.Channel})
		}
		nc.Victims = append(nc.Victims, nv)
	}
	return nc, nil
}

// openCase stores a report as a case (the classifier suggests the type
// when none is given) and audits it; the API and the report form share it.
func (s *Server) openCase(r *http.Request, p *auth.Principal, in caseIn) (id int64, no, fraudType string, err error) {
	nc, err := s.newCase(r, p, in)
	if err != nil {
		return 0, "", "", err
	}
	if nc.FraudType == "" {
		nc.FraudType = funds.SuggestFraudType(nc.Summary)
	}
	if id, no, err = funds.CreateCase(r.Context(), s.db, nc, s.now()); err != nil {
		return 0, "", "", err
	}
	return id, no, nc.FraudType, s.audit(r, p, auth.AuditCreate, "case", strconv.FormatInt(id, 10), no)
}

func (s *Server) handleCreateCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in caseIn
	if err := decodeJSON(r, &in, 1<<20); err != nil {
		return err
	}
	id, no, ftype, err := s.openCase(r, p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "case_no": no, "fraud_type": ftype})
	return nil
}

// The console's report form: victims and transfers in rows. The page is
// rendered with ?victims=N and ?rows=N rows (plain links add more without
// JavaScript; the script adds rows in place), and the form is read by
// whatever row numbers were posted.

const (
	maxFormVictims   = 20
	maxFormTransfers = 200
)

// areaGroup is a station with the towns and villages under it, for the
// grouped 辖区 picker.
type areaGroup struct {
	Station area.Node
	Nodes   []area.Node
}

func (s *Server) handleNewCasePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	nodes, err := area.Subtree(r.Context(), s.db, p.Scope)
	if err != nil {
		return err
	}
	var groups []areaGroup
	at := map[int64]int{}
	for _, n := range nodes {
		if n.Level == area.Station && !n.Retired {
			at[n.ID] = len(groups)
			groups = append(groups, areaGroup{Station: n})
		}
	}
	for _, n := range nodes {
		if (n.Level == area.Town || n.Level == area.Village) && !n.Retired {
			if i, ok := at[n.StationID]; ok {
				groups[i].Nodes = append(groups[i].Nodes, n)
			}
		}
	}
	victims := clampInt(r.URL.Query().Get("victims"), 1, maxFormVictims)
	rows := clampInt(r.URL.Query().Get("rows"), 5, maxFormTransfers)
	s.render(w, r, http.StatusOK, "case_new", page{Title: "报案登记", Active: "/cases", Data: map[string]any{"Groups": groups,
		"Now": time.Now().In(zone.Shanghai).Format("2006-01-02T15:04"), "Victims": seq(victims), "Rows": seq(rows),
		"MoreVictims": fmt.Sprintf("/cases/new?victims=%d&rows=%d", min(victims+1, maxFormVictims), rows),
		"MoreRows":    fmt.Sprintf("/cases/new?victims=%d&rows=%d", victims, min(rows+5, maxFormTransfers))}})
	return nil
}

// clampInt reads a row count: def when absent or bad, at most limit.
func clampInt(v string, def, limit int) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < def {
		return def
	}
	return min(n, limit)
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// formIndexes lists the row numbers posted for fields named prefix+N.
func formIndexes(r *http.Request, prefix string, limit int) []int {
	var out []int
	for k := range r.PostForm {
		if n, ok := strings.CutPrefix(k, prefix); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < limit {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (s *Server) handleNewCaseForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	var in caseIn
	var err error
	if in.AreaID, err = formInt(r, "area_id"); err != nil {
		return err
	}
	in.FraudType, in.Summary = r.FormValue("fraud_type"), r.FormValue("summary")
	// Victim 0's fields are name, sex …; victim N's name_N, sex_N ….
	field := func(name string, v int) string {
		if v == 0 {
			return r.FormValue(name)
		}
		return r.FormValue(fmt.Sprintf("%s_%d", name, v))
	}
	victims := []int{0}
	for _, v := range formIndexes(r, "name_", maxFormVictims) {
		if v > 0 && strings.TrimSpace(field("name", v)) != "" {
			victims = append(victims, v)
		}
	}
	pos := map[int]int{}
	for i, v := range victims {
		pos[v] = i
		in.Victims = append(in.Victims, victimIn{Name: field("name", v), Sex: field("sex", v), IDNumber: field("id_number", v),
			Phone: field("phone", v), Address: field("address", v)})
	}
	for _, k := range formIndexes(r, "to_account_", maxFormTransfers) {
		to := strings.TrimSpace(r.FormValue(fmt.Sprintf("to_account_%d", k)))
		if to == "" {
			continue
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", r.FormValue(fmt.Sprintf("at_%d", k)), zone.Shanghai)
		if err != nil {
			return errorf(http.StatusUnprocessableEntity, "bad_time", "第 %d 笔转账的时间无效", k+1)
		}
		vi := 0
		if v := r.FormValue(fmt.Sprintf("victim_%d", k)); v != "" {
			n, err := strconv.Atoi(v)
			i, ok := pos[n]
			if err != nil || !ok {
				return errorf(http.StatusUnprocessableEntity, "bad_victim", "第 %d 笔转账的受害人未填写姓名", k+1)
			}
			vi = i
		}
		in.Victims[vi].Transfers = append(in.Victims[vi].Transfers, transferIn{At: at, FromAccount: r.FormValue(fmt.Sprintf("from_account_%d", k)), ToAccount: to,
			ToBank: r.FormValue(fmt.Sprintf("to_bank_%d", k)), ToName: r.FormValue(fmt.Sprintf("to_name_%d", k)), Amount: r.FormValue(fmt.Sprintf("amount_%d", k)),
			Channel: r.FormValue(fmt.Sprintf("channel_%d", k))})
	}
	for i, v := range victims {
		if len(in.Victims[i].Transfers) > 0 {
			continue
		}
		if in.Victims[i].LossFen, err = money.ParseYuan(field("loss", v)); err != nil || in.Victims[i].LossFen <= 0 {
			return errorf(http.StatusUnprocessableEntity, "no_loss", "请为受害人 %s 登记被骗转账，或填写损失金额", cmp.Or(strings.TrimSpace(in.Victims[i].Name), strconv.Itoa(i+1)))
		}
	}
	id, no, _, err := s.openCase(r, p, in)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/cases/"+strconv.FormatInt(id, 10), "已立案 "+no)
	return nil
}

// caseLinks reads a case's related cases and suspects, masked by m.
func (s *Server) caseLinks(r *http.Request, p *auth.Principal, caseID int64, m auth.Masker) ([]funds.RelatedCase, []funds.Suspect, error) {
	related, err := funds.RelatedCases(r.Context(), s.db, p.Scope, caseID)
	if err != nil {
		return nil, nil, err
	}
	for i := range related {
		related[i] = related[i].Masked(m)
	}
	if related == nil {
		related = []funds.RelatedCase{}
	}
	suspects, err := funds.Suspects(r.Context(), s.db, caseID)
	if err != nil {
		return nil, nil, err
	}
	for i := range suspects {
		suspects[i] = suspects[i].Masked(m)
	}
	return related, suspects, nil
}

// addSuspect records a suspect of a case in the caller's scope and audits it.
func (s *Server) addSuspect(r *http.Request, p *auth.Principal, in funds.Suspect) (int64, error) {
	sid, err := funds.AddSuspect(r.Context(), s.db, p.Scope, p.User.ID, in, s.now())
	if err != nil {
		return 0, err
	}
	return sid, s.audit(r, p, auth.AuditCreate, "case_suspect", strconv.FormatInt(sid, 10), "case "+strconv.FormatInt(in.CaseID, 10))
}

func (s *Server) handleAddSuspect(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in funds.Suspect
	if err := decodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	in.CaseID = id
	sid, err := s.addSuspect(r, p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": sid})
	return nil
}

func (s *Server) handleSuspectForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	in := funds.Suspect{CaseID: id, Name: r.FormValue("name"), IDNumber: r.FormValue("id_number"), Phone: r.FormValue("phone"),
		Account: r.FormValue("account"), Role: r.FormValue("role"), Note: r.FormValue("note")}
	if _, err := s.addSuspect(r, p, in); err != nil {
		return err
	}
	redirectFlash(w, r, "/cases/"+strconv.FormatInt(id, 10)+"#suspects", "已登记犯罪嫌疑人")
	return nil
}
