package funds

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// Bank statements (银行流水) come with each bank's own column names. A
// Mapping says, for each field, which column names hold it; amounts come in
// one of three shapes, chosen by which columns the mapping finds:
//
//   - signed:  one amount column, negative for money out;
//   - flagged: an amount column and a debit/credit flag column (借贷标志);
//   - split:   separate money-in and money-out columns (收入/支出).
//
// Times are either one column (交易时间 with date and time) or a date
// column plus a time-of-day column (交易日期 + 交易时间), in Asia/Shanghai.

// Mapping is a statement column dialect.
type Mapping struct {
	Name  string `json:"name"`
	Label string `json:"label"`

	Account       []string `json:"account"`                  // the statement's own account (交易卡号/交易账号)
	Holder        []string `json:"holder,omitempty"`         // its holder name (户名)
	AccountBranch []string `json:"account_branch,omitempty"` // its opening branch (开户网点)
	Time          []string `json:"time,omitempty"`           // date and time in one column
	Date          []string `json:"date,omitempty"`           // date when split from the time of day
	TimeOfDay     []string `json:"time_of_day,omitempty"`    // time of day when split
	Amount        []string `json:"amount,omitempty"`         // signed, or with Direction
	Direction     []string `json:"direction,omitempty"`      // debit/credit flag
	DirIn         []string `json:"dir_in,omitempty"`         // flag values meaning money in
	DirOut        []string `json:"dir_out,omitempty"`        // flag values meaning money out
	In            []string `json:"in,omitempty"`             // money-in column
	Out           []string `json:"out,omitempty"`            // money-out column
	Balance       []string `json:"balance,omitempty"`
	Counter       []string `json:"counter"`
	CounterName   []string `json:"counter_name,omitempty"`
	CounterBank   []string `json:"counter_bank,omitempty"`
	Summary       []string `json:"summary,omitempty"`
	Channel       []string `json:"channel,omitempty"`
	Branch        []string `json:"branch,omitempty"` // branch where the transaction happened (交易网点)
	IP            []string `json:"ip,omitempty"`
	MAC           []string `json:"mac,omitempty"`

	// Benchmark marks a mapping for benchmark data sets (the LDBC FinBench
	// transfer table), not for statements banks send: it is not offered to
	// officers in the console (neither listed nor offered as a choice); a
	// file with its exact header is still recognised (fanzha bench trace).
	Benchmark bool `json:"-"`

	// Transfer marks a file of transfers rather than one account's
	// statement (data sets such as the LDBC FinBench transfer table): each
	// row is money sent from the account column to the counter column, a
	// positive amount; it is stored as the payer's outflow and, when the
	// payee is named, the payee's inflow, both as statement rows.
	Transfer bool `json:"transfer,omitempty"`
	// RoundFen accepts amounts with more than two decimals, rounded to fen
	// half away from zero (data sets computed in floating point).
	RoundFen bool `json:"round_fen,omitempty"`
	// UTC reads times as UTC instead of Beijing time.
	UTC bool `json:"utc,omitempty"`
}

var defaultIn = []string{"贷", "进", "收", "入", "C", "CR", "贷方", "收入", "转入", "+"}
var defaultOut = []string{"借", "出", "付", "支", "D", "DR", "借方", "支出", "转出", "-"}

// builtinTitles are the Chinese names of the built-in mappings, and of
// the demo's generated statements, as the console shows them.
var builtinTitles = map[string]string{
	"card-flag": "借贷标志格式", "account-split": "收支分列格式", "signed": "带符号金额格式",
	"finbench-transfer": "FinBench 转账表（基准测试用）", "generated": "演示数据",
}

// MappingTitle is the name of a mapping as officers read it: the Chinese
// name of a built-in one, the name a user gave to theirs.
func MappingTitle(name string) string {
	if t, ok := builtinTitles[name]; ok {
		return t
	}
	return name
}

// BuiltinMappings are the header dialects shipped with fanzha, seen in the
// statements banks return to police requests.
var BuiltinMappings = []Mapping{
	{
		Name: "card-flag", Label: "交易卡号 + 交易金额 + 借贷标志（多见于工行、农行等）",
		Account: []string{"交易卡号", "卡号", "查询卡号"}, Holder: []string{"交易户名", "户名", "客户名称"},
		AccountBranch: []string{"开户网点", "开户行"},
		Time:          []string{"交易时间", "交易日期时间"},
		Amount:        []string{"交易金额", "发生额"}, Direction: []string{"借贷标志", "收付标志", "借贷方向"},
		Balance: []string{"交易余额", "余额"}, Counter: []string{"对手账号", "对手卡号", "交易对手账卡号"},
		CounterName: []string{"对手户名", "交易对手名称"}, CounterBank: []string{"对手开户行", "对手行名", "对手开户银行"},
		Summary: []string{"摘要", "交易摘要", "摘要说明"}, Channel: []string{"交易渠道", "渠道"},
		Branch: []string{"交易网点", "交易网点名称"}, IP: []string{"IP地址", "IP"}, MAC: []string{"MAC地址", "MAC"},
	},
	{
		Name: "account-split", Label: "交易账号 + 交易日期/交易时间 + 收入/支出金额（多见于建行、邮储等）",
		Account: []string{"交易账号", "账号", "查询账号"}, Holder: []string{"账户名称", "户名"},
		AccountBranch: []string{"开户网点", "开户机构"},
		Date:          []string{"交易日期"}, TimeOfDay: []string{"交易时间"},
		In: []string{"收入金额", "贷方发生额", "收入"}, Out: []string{"支出金额", "借方发生额", "支出"},
		Balance: []string{"账户余额", "余额"}, Counter: []string{"对方账号", "对方卡号"},
		CounterName: []string{"对方户名", "对方名称"}, CounterBank: []string{"对方行名", "对方开户行"},
		Summary: []string{"摘要", "用途"}, Channel: []string{"交易渠道", "渠道"},
		Branch: []string{"交易网点", "交易机构"}, IP: []string{"IP地址", "IP"}, MAC: []string{"MAC地址", "MAC"},
	},
	{
		Name: "finbench-transfer", Label: "LDBC FinBench 转账表（fromId|toId|amount|createTime，时间为 UTC）",
		Account: []string{"fromId"}, Counter: []string{"toId"}, Amount: []string{"amount"}, Time: []string{"createTime"},
		Transfer: true, RoundFen: true, UTC: true, Benchmark: true,
	},
	{
		Name: "signed", Label: "账号 + 带符号交易金额（正为收入、负为支出）",
		Account: []string{"账号", "本方账号", "卡号"}, Holder: []string{"本方户名", "户名"},
		AccountBranch: []string{"开户网点"},
		Time:          []string{"交易时间", "记账时间"},
		Amount:        []string{"交易金额", "金额"},
		Balance:       []string{"余额", "交易后余额"}, Counter: []string{"对方账号", "对手账号"},
		CounterName: []string{"对方名称", "对方户名", "对手户名"}, CounterBank: []string{"对方银行", "对方开户行"},
		Summary: []string{"交易摘要", "摘要", "附言"}, Channel: []string{"交易方式", "渠道"},
		Branch: []string{"交易地点", "交易网点"}, IP: []string{"IP", "IP地址"}, MAC: []string{"MAC", "MAC地址"},
	},
}

// Validate checks a mapping is usable: an account, a time, a counterparty
// and one amount shape.
func (m Mapping) Validate() error {
	var missing []string
	if strings.TrimSpace(m.Name) == "" {
		missing = append(missing, "名称")
	}
	if len(m.Account) == 0 {
		missing = append(missing, "本方账号列")
	}
	if len(m.Time) == 0 && (len(m.Date) == 0 || len(m.TimeOfDay) == 0) {
		missing = append(missing, "交易时间列（或 交易日期+交易时间）")
	}
	if len(m.Amount) == 0 && (len(m.In) == 0 || len(m.Out) == 0) {
		missing = append(missing, "金额列（或 收入+支出）")
	}
	if len(m.Counter) == 0 {
		missing = append(missing, "对方账号列")
	}
	if len(missing) > 0 {
		return domain.Invalid("映射不完整，缺少：%s", strings.Join(missing, "、"))
	}
	return nil
}

// ParseMapping reads a mapping saved as JSON.
func ParseMapping(b []byte) (Mapping, error) {
	var m Mapping
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("映射 JSON 无效：%w", err)
	}
	return m, m.Validate()
}

// boundMapping is a mapping resolved against one file's header.
type boundMapping struct {
	m                                 Mapping
	account, holder, accBranch        int
	time, date, tod                   int
	amount, dir, in, out              int
	balance, counter, cname, cbank    int
	summary, channel, branch, ip, mac int
	dirIn, dirOut                     map[string]bool
	matched                           int
}

// bind resolves a mapping against a header; ok is false when a required
// column is missing.
func bind(m Mapping, h tabular.Header) (*boundMapping, []string) {
	b := &boundMapping{m: m}
	var missing []string
	find := func(names []string, required bool, label string) int {
		if len(names) == 0 {
			return -1
		}
		i := h.Find(names...)
		if i >= 0 {
			b.matched++
		} else if required {
			missing = append(missing, label+"（"+strings.Join(names, "/")+"）")
		}
		return i
	}
	b.account = find(m.Account, true, "本方账号")
	b.holder = find(m.Holder, false, "")
	b.accBranch = find(m.AccountBranch, false, "")
	if len(m.Time) > 0 {
		b.time = find(m.Time, true, "交易时间")
		b.date, b.tod = -1, -1
	} else {
		b.time = -1
		b.date = find(m.Date, true, "交易日期")
		b.tod = find(m.TimeOfDay, true, "交易时间")
	}
	if len(m.Amount) > 0 {
		b.amount = find(m.Amount, true, "交易金额")
		b.dir = find(m.Direction, len(m.Direction) > 0, "借贷标志")
		b.in, b.out = -1, -1
	} else {
		b.amount, b.dir = -1, -1
		b.in = find(m.In, true, "收入金额")
		b.out = find(m.Out, true, "支出金额")
	}
	b.balance = find(m.Balance, false, "")
	b.counter = find(m.Counter, true, "对方账号")
	b.cname = find(m.CounterName, false, "")
	b.cbank = find(m.CounterBank, false, "")
	b.summary = find(m.Summary, false, "")
	b.channel = find(m.Channel, false, "")
	b.branch = find(m.Branch, false, "")
	b.ip = find(m.IP, false, "")
	b.mac = find(m.MAC, false, "")
	b.dirIn, b.dirOut = flagSet(m.DirIn, defaultIn), flagSet(m.DirOut, defaultOut)
	return b, missing
}

func flagSet(custom, def []string) map[string]bool {
	src := custom
	if len(src) == 0 {
		src = def
	}
	s := map[string]bool{}
	for _, v := range src {
		s[strings.ToUpper(strings.TrimSpace(v))] = true
	}
	return s
}

// chooseMapping picks the mapping for a header: the named one, or among the
// candidates the one whose required columns are all present and that
// matches the most columns.
func chooseMapping(candidates []Mapping, name string, h tabular.Header, head []string) (*boundMapping, error) {
	if name != "" {
		for _, m := range candidates {
			if m.Name == name {
				b, missing := bind(m, h)
				if len(missing) > 0 {
					return nil, domain.Invalid("映射 %s 与表头不符，缺少列：%s（表头：%s）", name, strings.Join(missing, "、"), strings.Join(head, ", "))
				}
				return b, nil
			}
		}
		return nil, domain.Invalid("没有名为 %q 的映射", name)
	}
	var ok []*boundMapping
	for _, m := range candidates {
		if b, missing := bind(m, h); len(missing) == 0 {
			ok = append(ok, b)
		}
	}
	if len(ok) == 0 {
		var names []string
		for _, m := range candidates {
			if !m.Benchmark {
				names = append(names, "「"+MappingTitle(m.Name)+"」")
			}
		}
		return nil, domain.Invalid("无法识别流水的表头（%s）：已有的列映射%s都对应不上；请在流水导入页新增这家银行的列映射", strings.Join(head, "、"), strings.Join(names, ""))
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].matched > ok[j].matched })
	return ok[0], nil
}

// StatementRow is one transaction of a statement, seen from its account.
type StatementRow struct {
	Account       string    `json:"account"`
	Holder        string    `json:"holder,omitempty"`
	AccountBranch string    `json:"account_branch,omitempty"`
	At            time.Time `json:"at"`
	AmountFen     int64     `json:"amount_fen"` // + in, − out
	BalanceFen    *int64    `json:"balance_fen,omitempty"`
	Counter       string    `json:"counter"`
	CounterName   string    `json:"counter_name,omitempty"`
	CounterBank   string    `json:"counter_bank,omitempty"`
	Summary       string    `json:"summary,omitempty"`
	Channel       string    `json:"channel,omitempty"`
	Branch        string    `json:"branch,omitempty"`
	IP            string    `json:"ip,omitempty"`
	MAC           string    `json:"mac,omitempty"`
}

var stmtTimeLayouts = []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"20060102 150405", "20060102150405", "2006-01-02T15:04:05", "2006.01.02 15:04:05", "2006-01-02 15:04:05.000"}
var stmtDateLayouts = []string{"2006-01-02", "2006/01/02", "20060102", "2006/1/2", "2006.01.02", "2006年1月2日"}
var stmtTODLayouts = []string{"15:04:05", "150405", "15:04", "15.04.05", "15:04:05.000"}

func parseStmtTime(s string) (time.Time, error) { return parseStmtTimeIn(s, zone.Shanghai) }

func parseStmtTimeIn(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range stmtTimeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, domain.Invalid("交易时间 %q 无法识别", s)
}

func parseStmtDateTime(d, tod string) (time.Time, error) {
	d, tod = strings.TrimSpace(d), strings.TrimSpace(tod)
	// Some banks put the full timestamp in the time column too.
	if t, err := parseStmtTime(tod); err == nil {
		return t, nil
	}
	var day time.Time
	ok := false
	for _, l := range stmtDateLayouts {
		if t, err := time.ParseInLocation(l, d, zone.Shanghai); err == nil {
			day, ok = t, true
			break
		}
	}
	if !ok {
		return time.Time{}, domain.Invalid("交易日期 %q 无法识别", d)
	}
	if len(tod) == 5 && !strings.Contains(tod, ":") { // 93000 for 09:30:00
		tod = "0" + tod
	}
	for _, l := range stmtTODLayouts {
		if t, err := time.Parse(l, tod); err == nil {
			return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
				time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())).UTC(), nil
		}
	}
	return time.Time{}, domain.Invalid("交易时间 %q 无法识别", tod)
}

// parse reads one data row.
func (b *boundMapping) parse(row []string) (StatementRow, error) {
	c := func(i int) string { return tabular.Cell(row, i) }
	r := StatementRow{
		Account: strings.ReplaceAll(c(b.account), " ", ""), Holder: c(b.holder), AccountBranch: c(b.accBranch),
		Counter: strings.ReplaceAll(c(b.counter), " ", ""), CounterName: c(b.cname), CounterBank: c(b.cbank),
		Summary: c(b.summary), Channel: c(b.channel), Branch: c(b.branch), IP: c(b.ip), MAC: c(b.mac),
	}
	r.Account = strings.TrimPrefix(r.Account, "'") // Excel's text marker
	r.Counter = strings.TrimPrefix(r.Counter, "'")
	if r.Account == "" {
		return r, domain.Invalid("缺少本方账号")
	}
	var err error
	if b.time >= 0 {
		loc := zone.Shanghai
		if b.m.UTC {
			loc = time.UTC
		}
		r.At, err = parseStmtTimeIn(c(b.time), loc)
	} else {
		r.At, err = parseStmtDateTime(c(b.date), c(b.tod))
	}
	if err != nil {
		return r, err
	}
	switch {
	case b.amount >= 0 && b.dir >= 0:
		v, err := money.ParseYuan(c(b.amount))
		if err != nil {
			return r, err
		}
		if v < 0 {
			v = -v // some banks sign the amount and flag it too
		}
		flag := strings.ToUpper(strings.TrimSpace(c(b.dir)))
		switch {
		case b.dirIn[flag]:
			r.AmountFen = v
		case b.dirOut[flag]:
			r.AmountFen = -v
		default:
			return r, domain.Invalid("借贷标志 %q 无法识别（收入：%s；支出：%s）", c(b.dir), strings.Join(keys(b.dirIn), "/"), strings.Join(keys(b.dirOut), "/"))
		}
	case b.amount >= 0 && b.m.Transfer:
		parse := money.ParseYuan
		if b.m.RoundFen {
			parse = money.ParseYuanRounded
		}
		v, err := parse(c(b.amount))
		if err != nil {
			return r, err
		}
		if v <= 0 {
			return r, domain.Invalid("转账金额必须为正：%q", c(b.amount))
		}
		if r.Counter == r.Account {
			return r, domain.Invalid("转出和转入是同一账户")
		}
		r.AmountFen = -v // the payer's outflow; the importer adds the payee's inflow
	case b.amount >= 0:
		v, err := money.ParseYuan(c(b.amount))
		if err != nil {
			return r, err
		}
		r.AmountFen = v
	default:
		in, err := money.ParseYuan(c(b.in))
		if err != nil {
			return r, fmt.Errorf("收入金额：%w", err)
		}
		out, err := money.ParseYuan(c(b.out))
		if err != nil {
			return r, fmt.Errorf("支出金额：%w", err)
		}
		if in < 0 {
			in = -in
		}
		if out < 0 {
			out = -out
		}
		switch {
		case in != 0 && out != 0:
			return r, domain.Invalid("收入和支出同时有金额（%s / %s）", c(b.in), c(b.out))
		case in != 0:
			r.AmountFen = in
		default:
			r.AmountFen = -out
		}
	}
	if r.AmountFen == 0 {
		return r, domain.Invalid("交易金额为 0 或为空")
	}
	if v := c(b.balance); v != "" {
		bal, err := money.ParseYuan(v)
		if err != nil {
			return r, fmt.Errorf("余额：%w", err)
		}
		r.BalanceFen = &bal
	}
	return r, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Preview is the first rows of a statement file as a mapping reads them,
// for the console's mapping editor and for tests.
type Preview struct {
	Mapping  string         `json:"mapping"`
	Encoding string         `json:"encoding"`
	Header   []string       `json:"header"`
	Rows     []StatementRow `json:"rows"`
	Errors   []RowError     `json:"errors"`
}

// PreviewStatement reads up to limit data rows of a statement with the
// named mapping (or the detected one) from the given candidates.
func PreviewStatement(name string, r io.Reader, candidates []Mapping, mapping string, limit int) (Preview, error) {
	p := Preview{Rows: []StatementRow{}, Errors: []RowError{}}
	tr, err := tabular.Open(name, r)
	if err != nil {
		return p, err
	}
	defer tr.Close()
	p.Encoding = tr.Encoding()
	head, _, err := tr.Next()
	if err != nil {
		return p, domain.Invalid("%s: 文件为空或无法读取表头", name)
	}
	p.Header = head
	bm, err := chooseMapping(candidates, mapping, tabular.NewHeader(head), head)
	if err != nil {
		return p, err
	}
	p.Mapping = bm.m.Name
	for len(p.Rows)+len(p.Errors) < limit {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.Errors = append(p.Errors, RowError{File: name, Row: line, Reason: err.Error()})
			break
		}
		sr, perr := bm.parse(row)
		if perr != nil {
			p.Errors = append(p.Errors, RowError{File: name, Row: line, Reason: perr.Error()})
			continue
		}
		p.Rows = append(p.Rows, sr)
	}
	return p, nil
}
