package console

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/web"
)

// The statement import page (流水导入): upload bank statements, read the
// per-file report with its bad rows, and add a bank's column mapping.

func (s *handler) statementPages() {
	m := s.Mux
	m.HandleFunc("GET /statements", s.Page(auth.CapFundsRead, s.handleStatementsPage))
	m.HandleFunc("POST /statements/import", s.Page(auth.CapFundsWrite, s.handleStatementsUpload))
	m.HandleFunc("POST /statements/mappings", s.Page(auth.CapFundsWrite, s.handleMappingForm))
	m.HandleFunc("GET /cases/new", s.Page(auth.CapCaseWrite, s.handleNewCasePage))
	m.HandleFunc("POST /cases/new", s.Page(auth.CapCaseWrite, s.handleNewCaseForm))
	m.HandleFunc("POST /cases/{id}/suspects", s.Page(auth.CapCaseWrite, s.handleSuspectForm))
}

// mappingField is a field of the mapping editor.
type mappingField struct {
	Name, Label, Hint string
	Required          bool
	field             func(*funds.Mapping) *[]string
}

// mappingFields are the mapping editor's fields: form name, label, and
// where the value goes in a funds.Mapping.
var mappingFields = []mappingField{
	{"account", "本方账号列", "交易卡号, 交易账号", true, func(m *funds.Mapping) *[]string { return &m.Account }},
	{"holder", "本方户名列", "户名, 客户名称", false, func(m *funds.Mapping) *[]string { return &m.Holder }},
	{"account_branch", "开户网点列", "开户网点", false, func(m *funds.Mapping) *[]string { return &m.AccountBranch }},
	{"time", "交易时间列（日期和时间在一列）", "交易时间", false, func(m *funds.Mapping) *[]string { return &m.Time }},
	{"date", "交易日期列（日期、时间分两列时）", "交易日期", false, func(m *funds.Mapping) *[]string { return &m.Date }},
	{"time_of_day", "交易时刻列", "交易时刻", false, func(m *funds.Mapping) *[]string { return &m.TimeOfDay }},
	{"amount", "交易金额列（带符号，或配借贷标志）", "交易金额", false, func(m *funds.Mapping) *[]string { return &m.Amount }},
	{"direction", "借贷标志列", "借贷标志, 收付标志", false, func(m *funds.Mapping) *[]string { return &m.Direction }},
	{"dir_in", "表示收入的标志值", "贷, 进", false, func(m *funds.Mapping) *[]string { return &m.DirIn }},
	{"dir_out", "表示支出的标志值", "借, 出", false, func(m *funds.Mapping) *[]string { return &m.DirOut }},
	{"in", "收入金额列（收支分两列时）", "收入金额", false, func(m *funds.Mapping) *[]string { return &m.In }},
	{"out", "支出金额列", "支出金额", false, func(m *funds.Mapping) *[]string { return &m.Out }},
	{"balance", "余额列", "交易余额, 账户余额", false, func(m *funds.Mapping) *[]string { return &m.Balance }},
	{"counter", "对手账号列", "对手账号, 对方账号", true, func(m *funds.Mapping) *[]string { return &m.Counter }},
	{"counter_name", "对手户名列", "对手户名", false, func(m *funds.Mapping) *[]string { return &m.CounterName }},
	{"counter_bank", "对手开户行列", "对手开户行", false, func(m *funds.Mapping) *[]string { return &m.CounterBank }},
	{"summary", "摘要列", "摘要, 交易摘要", false, func(m *funds.Mapping) *[]string { return &m.Summary }},
	{"channel", "渠道列", "交易渠道", false, func(m *funds.Mapping) *[]string { return &m.Channel }},
	{"branch", "交易网点列", "交易网点", false, func(m *funds.Mapping) *[]string { return &m.Branch }},
	{"ip", "IP 列", "IP地址", false, func(m *funds.Mapping) *[]string { return &m.IP }},
	{"mac", "MAC 列", "MAC地址", false, func(m *funds.Mapping) *[]string { return &m.MAC }},
}

// splitNames reads a list of column names typed with commas, 、 or
// semicolons between them.
func splitNames(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n' })
	out := make([]string, 0, len(f))
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// statementsView is the data of the statements page: the imports and
// mappings always, what an upload or a mapping form left to show.
type statementsView struct {
	Imports  []funds.ImportRecord
	Mappings []funds.Mapping
	Fields   []mappingField
	CanWrite bool
	// After an upload: the reports, the files refused, the mapping chosen.
	Reports []funds.ImportReport
	Failed  []string
	Chosen  string
	// After a mapping form: what was typed and why it was refused.
	Form         map[string]string
	MappingError string
}

func (s *handler) renderStatements(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, data statementsView) error {
	imports, err := funds.RecentImports(r.Context(), s.DB, p.Scope, 30)
	if err != nil {
		return err
	}
	ms, err := funds.Mappings(r.Context(), s.DB)
	if err != nil {
		return err
	}
	// The benchmark-only mappings (FinBench) are not for officers.
	shown := ms[:0]
	for _, m := range ms {
		if !m.Benchmark {
			shown = append(shown, m)
		}
	}
	data.Imports, data.Mappings, data.Fields = imports, shown, mappingFields
	data.CanWrite = p.Can(auth.CapFundsWrite)
	if data.Form == nil {
		data.Form = map[string]string{}
	}
	s.Render(w, r, status, "statements", web.Page{Title: "流水导入", Active: "/cases", Data: data})
	return nil
}

func (s *handler) handleStatementsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderStatements(w, r, p, http.StatusOK, statementsView{})
}

func (s *handler) handleStatementsUpload(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	reports, failed, opt, err := s.ImportStatementFiles(w, r, p)
	if err != nil {
		return err
	}
	msgs := make([]string, len(failed))
	for i, f := range failed {
		msgs[i] = f.File + "：" + f.Error
	}
	status := http.StatusOK
	if len(reports) == 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.renderStatements(w, r, p, status, statementsView{Reports: reports, Failed: msgs, Chosen: opt.Mapping})
}

func (s *handler) handleMappingForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	m := funds.Mapping{Name: strings.TrimSpace(r.FormValue("name")), Label: strings.TrimSpace(r.FormValue("label"))}
	form := map[string]string{"name": m.Name, "label": m.Label}
	for _, f := range mappingFields {
		v := r.FormValue(f.Name)
		form[f.Name] = v
		*f.field(&m) = splitNames(v)
	}
	if m.Name == "" {
		return s.renderStatements(w, r, p, http.StatusUnprocessableEntity, statementsView{Form: form, MappingError: "请填写映射名称（如 某某银行2024版）"})
	}
	if err := funds.SaveMapping(r.Context(), s.DB, m, p.User.ID, s.Now()); err != nil {
		ae := web.Classify(err)
		return s.renderStatements(w, r, p, ae.Status, statementsView{Form: form, MappingError: ae.Message})
	}
	if err := s.Audit(r, p, auth.AuditCreate, "statement_mapping", m.Name, ""); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/statements", fmt.Sprintf("已保存列映射「%s」，导入时可选择它，或由表头自动识别", m.Name))
	return nil
}
