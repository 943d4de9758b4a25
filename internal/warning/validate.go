package warning

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/zone"
)

// Input is a warning as a sender gives it, by any of the intake doors.
type Input struct {
	Source     Source      `json:"source"`
	SourceRef  string      `json:"source_ref"`
	ReceivedAt time.Time   `json:"received_at,omitzero"`
	Grade      Grade       `json:"grade,omitempty"`
	Person     Person      `json:"person"`
	FraudType  string      `json:"fraud_type,omitempty"`
	Scam       ScamContact `json:"scam,omitzero"`
	AmountFen  int64       `json:"amount_fen,omitempty"`
	Text       string      `json:"text,omitempty"`
}

var validSources = map[Source]bool{SourceUpper: true, SourceBank: true, SourceOperator: true, SourceHotline: true,
	SourceWalkIn: true, SourcePartner: true, SourceOther: true}

// sourceAliases lets files say the source in Chinese.
var sourceAliases = map[string]Source{
	"上级中心": SourceUpper, "上级": SourceUpper, "上级反诈中心": SourceUpper, "省厅": SourceUpper, "市局": SourceUpper,
	"银行": SourceBank, "运营商": SourceOperator, "96110": SourceHotline, "热线": SourceHotline,
	"来访": SourceWalkIn, "群众来访": SourceWalkIn, "报警": SourceWalkIn, "成员单位": SourcePartner, "其他": SourceOther,
}

var gradeAliases = map[string]Grade{
	"资金预警": GradeFund, "资金": GradeFund, "高危": GradeHigh, "高风险": GradeHigh, "一般": GradeOrdinary, "普通": GradeOrdinary,
}

// ParseSource accepts a source code or its Chinese name.
func ParseSource(s string) (Source, bool) {
	s = strings.TrimSpace(s)
	if validSources[Source(strings.ToLower(s))] {
		return Source(strings.ToLower(s)), true
	}
	src, ok := sourceAliases[s]
	return src, ok
}

// ParseGrade accepts a grade code or its Chinese name; "" is allowed (the
// grade is then inferred).
func ParseGrade(s string) (Grade, bool) {
	s = strings.TrimSpace(s)
	switch Grade(strings.ToLower(s)) {
	case "":
		return "", true
	case GradeFund, GradeHigh, GradeOrdinary:
		return Grade(strings.ToLower(s)), true
	}
	g, ok := gradeAliases[s]
	return g, ok
}

// normalized is an Input checked and completed: what the pipeline stores.
type normalized struct {
	Input
	notes  []string // problems that did not stop intake, shown on the timeline
	door   string   // the intake door, for the timeline
	userID int64    // who submitted, for the timeline
	// typeSource says where the fraud type came from: sender | model;
	// typePermille is the model's probability for a suggested type.
	typeSource   string
	typePermille int64
	// route is where the address leads (routeItems, before the batch's
	// locks).
	route AddressMatch
}

// maxFuture is how far in the future a sender's clock may be.
const maxFuture = time.Hour

// normalize checks an input and fills what can be derived (age from the ID
// number or birth date, grade, Chinese codes). An error means the warning
// cannot be taken: the message says what to fix.
func normalize(in Input, now time.Time) (normalized, error) {
	n := normalized{Input: in}
	src, ok := ParseSource(string(in.Source))
	if !ok {
		return n, domain.Invalid("来源 %q 无效，应为 upper/bank/operator/hotline/walkin/partner/other 或 上级中心/银行/运营商/96110/来访/成员单位/其他", in.Source)
	}
	n.Source = src
	n.SourceRef = strings.TrimSpace(in.SourceRef)
	if n.SourceRef == "" {
		return n, domain.Invalid("缺少来源编号 source_ref（发送方自己的预警编号，用于去重）")
	}
	if len(n.SourceRef) > 128 {
		return n, domain.Invalid("来源编号超过 128 个字符")
	}
	if n.ReceivedAt.IsZero() {
		n.ReceivedAt = now
	}
	if n.ReceivedAt.After(now.Add(maxFuture)) {
		return n, domain.Invalid("接收时间 %s 晚于当前时间，请检查发送方时钟或时区", n.ReceivedAt.Format(time.RFC3339))
	}
	n.ReceivedAt = n.ReceivedAt.UTC().Truncate(time.Millisecond)
	g, ok := ParseGrade(string(in.Grade))
	if !ok {
		return n, domain.Invalid("等级 %q 无效，应为 fund/high/ordinary 或 资金预警/高危/一般", in.Grade)
	}
	if in.AmountFen < 0 {
		return n, domain.Invalid("涉及金额不能为负数")
	}
	// The fraud type never stops a warning: the person is at risk whatever
	// the sender calls the scam (resolveFraudType, after the text is read).
	givenType := strings.TrimSpace(in.FraudType)
	n.FraudType = ""
	p := &n.Person
	p.Name = strings.TrimSpace(p.Name)
	p.Phone = cleanPhone(p.Phone)
	p.IDNumber = strings.ToUpper(strings.TrimSpace(p.IDNumber))
	p.Address = strings.TrimSpace(p.Address)
	p.Birth = strings.TrimSpace(p.Birth)
	if p.Phone == "" && p.IDNumber == "" {
		return n, domain.Invalid("缺少当事人手机号和身份证号：至少要有一个才能联系和合并预警")
	}
	if p.Phone != "" && !plausiblePhone(p.Phone) {
		return n, domain.Invalid("当事人电话 %q 不是有效号码（手机 11 位或带区号的座机）", in.Person.Phone)
	}
	if p.IDNumber != "" {
		switch err := CheckIDNumber(p.IDNumber); {
		case err == errIDFormat:
			return n, domain.Invalid("身份证号 %q 格式不对（应为 18 位，末位可为 X）", in.Person.IDNumber)
		case err != nil:
			// A wrong check digit is usually one mistyped digit: keep the
			// warning (the person is at risk) and say so on the timeline.
			n.notes = append(n.notes, "身份证号校验位不符，请核实")
		}
	}
	if p.Birth != "" {
		if _, err := time.Parse("2006-01-02", p.Birth); err != nil {
			return n, domain.Invalid("出生日期 %q 应为 YYYY-MM-DD", p.Birth)
		}
	} else if b, ok := BirthFromID(p.IDNumber); ok {
		p.Birth = b
	}
	if p.Age == 0 && p.Birth != "" {
		p.Age = ageAt(p.Birth, n.ReceivedAt)
	}
	if p.Age < 0 || p.Age > 120 {
		return n, domain.Invalid("年龄 %d 不合理", p.Age)
	}
	if p.Sex == "" {
		p.Sex = SexFromID(p.IDNumber)
	}
	n.Scam.Phone = cleanPhone(n.Scam.Phone)
	n.Scam.Account = strings.ReplaceAll(strings.TrimSpace(n.Scam.Account), " ", "")
	if len([]rune(n.Text)) > 4000 {
		n.Text = string([]rune(n.Text)[:4000])
		n.notes = append(n.notes, "描述超过 4000 字，已截断")
	}
	if givenType != "" {
		n.resolveFraudType(givenType)
	} else if strings.TrimSpace(n.Text) != "" {
		// No type given: the classifier suggests one from the text; the
		// officer confirms or corrects it on the warning page.
		if c := fraudtype.Serving(); c != nil {
			pr := c.Predict(n.Text)
			if pr.Scam && len(pr.Top) > 0 && pr.Top[0].Prob >= 0.5 {
				n.FraudType, n.typeSource = string(pr.Type), "model"
				n.typePermille = int64(pr.Top[0].Prob*1000 + 0.5)
			}
		}
	}
	if g == "" {
		g = InferGrade(n.Source, n.AmountFen, p.Age, n.FraudType)
	}
	n.Grade = g
	return n, nil
}

// resolveFraudType maps the sender's 诈骗类型 to the taxonomy and never
// fails: a code, the Chinese name or a known synonym (fraudtype.Resolve) is
// the sender's type; otherwise the classifier reads the given name with the
// text and its best guess is taken, marked as the model's (「诈骗类型按分类器
// 推断」); when it has no guess the warning is kept as 其他. Either way the
// timeline says what the sender gave.
func (n *normalized) resolveFraudType(given string) {
	if c, ok := fraudtype.Resolve(given); ok {
		n.FraudType, n.typeSource = string(c), "sender"
		if given != string(c) && given != fraudtype.Name(c) {
			n.notes = append(n.notes, fmt.Sprintf("来文诈骗类型“%s”按同义词表归为%s", quoteGiven(given), fraudtype.Name(c)))
		}
		return
	}
	if c := fraudtype.Serving(); c != nil {
		pr := c.Predict(given + "\n" + n.Text)
		if len(pr.Top) > 0 && pr.Top[0].Prob >= 0.5 && fraudtype.Valid(pr.Top[0].Type) {
			n.FraudType, n.typeSource = string(pr.Top[0].Type), "model"
			n.typePermille = int64(pr.Top[0].Prob*1000 + 0.5)
			n.notes = append(n.notes, fmt.Sprintf("诈骗类型按分类器推断：来文为“%s”，不在分类表中，推断为%s，请核实", quoteGiven(given), fraudtype.Name(pr.Top[0].Type)))
			return
		}
	}
	n.FraudType, n.typeSource = string(fraudtype.Other), "sender"
	n.notes = append(n.notes, fmt.Sprintf("来文诈骗类型“%s”不在分类表中，暂记为其他，请核实", quoteGiven(given)))
}

// quoteGiven makes a sender's value safe to store in a note: valid UTF-8,
// no control characters, at most 40 characters.
func quoteGiven(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "�"))
	if rs := []rune(s); len(rs) > 40 {
		s = string(rs[:40]) + "…"
	}
	return s
}

func cleanPhone(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == '-' || r == ' ' || r == '(' || r == ')' || r == '+':
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) == 13 && strings.HasPrefix(out, "861") {
		out = out[2:]
	}
	return out
}

func plausiblePhone(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	if len(s) == 11 && s[0] == '1' {
		return true
	}
	// Landlines with area code (0731xxxxxxx) and service numbers.
	return len(s) >= 5 && len(s) <= 12
}

var errIDFormat = fmt.Errorf("id number format")

// CheckIDNumber validates an 18-digit resident ID number: format and the
// ISO 7064 MOD 11-2 check digit. 15-digit old numbers pass on format.
func CheckIDNumber(id string) error {
	if len(id) == 15 {
		for _, r := range id {
			if r < '0' || r > '9' {
				return errIDFormat
			}
		}
		return nil
	}
	if len(id) != 18 {
		return errIDFormat
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return errIDFormat
		}
		sum += int(c-'0') * weights[i]
	}
	last := id[17]
	if !(last >= '0' && last <= '9') && last != 'X' {
		return errIDFormat
	}
	if "10X98765432"[sum%11] != last {
		return fmt.Errorf("check digit")
	}
	return nil
}

// BirthFromID reads the birth date of an 18-digit ID number.
func BirthFromID(id string) (string, bool) {
	if len(id) != 18 {
		return "", false
	}
	t, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// SexFromID reads the sex of an 18-digit ID number (odd 17th digit: male).
func SexFromID(id string) string {
	if len(id) != 18 || id[16] < '0' || id[16] > '9' {
		return ""
	}
	if (id[16]-'0')%2 == 1 {
		return "M"
	}
	return "F"
}

func ageAt(birth string, at time.Time) int {
	b, err := time.Parse("2006-01-02", birth)
	if err != nil {
		return 0
	}
	local := at.In(zone.Shanghai)
	age := local.Year() - b.Year()
	if local.Month() < b.Month() || (local.Month() == b.Month() && local.Day() < b.Day()) {
		age--
	}
	if age < 0 {
		return 0
	}
	return age
}
