package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// The template functions of the console: times in Asia/Shanghai, money,
// counts and the labels of codes.

var Funcs = template.FuncMap{
	"yuan":  func(fen int64) string { return money.FormatYuan(fen) },
	"wan":   Wan,
	"num":   Thousands,
	"grade": func(g warning.Grade) string { return warning.GradeName(g) },
	"source": func(s warning.Source) string {
		return warning.SourceName(s)
	},
	"outcome": func(o warning.Outcome) string { return warning.OutcomeName(o) },
	// outcomename and gradename take the codes as plain strings (the
	// records of dissuade and instruction carry them so).
	"outcomename": func(o string) string { return warning.OutcomeName(warning.Outcome(o)) },
	"gradename":   func(g string) string { return warning.GradeName(warning.Grade(g)) },
	"ftype":       func(c string) string { return fraudtype.Name(fraudtype.Code(c)) },
	"ftypes":      fraudtype.All,
	"role":        func(r auth.Role) string { return auth.RoleName(r) },
	"permille":    func(p int64) string { return fmt.Sprintf("%.1f%%", float64(p)/10) },
	"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ms":          func(t time.Time) int64 { return t.UnixMilli() },
	"sexname":     sexName,
	"occupname":   funds.OccupationName,
	"add":         func(a, b int) int { return a + b },
	"pct": func(a, b int64) string {
		if b == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", float64(a)*100/float64(b))
	},
	"mins": func(s float64) string {
		if s == 0 {
			return "—"
		}
		if s < 3600 {
			return fmt.Sprintf("%.1f 分钟", s/60)
		}
		return fmt.Sprintf("%.1f 小时", s/3600)
	},
	"kindname": warning.EventKindName,
	"evkind":   prevent.KindName,
	"unitkind": partner.UnitKindName, // every kind, the new ones too
	"action":   AuditActionName,
	"gradecount": func(m map[warning.Grade]int64, g string) int64 {
		return m[warning.Grade(g)]
	},
	"list":        func(s ...string) []string { return s },
	"mapname":     funds.MappingTitle,
	"auditdetail": AuditDetailText,
	"auditobject": AuditObjectText,
	"entkind":     entityKindName,
	"helptext":    helpText,
	"channel":     funds.ChannelName,
	"join":        func(s []string) string { return strings.Join(s, "、") },
	"rstatus":     partner.StatusName,
	"cstatus":     funds.CaseStatusName,
}

// Local formats a time in Asia/Shanghai.
func Local(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone.Shanghai).Format("2006-01-02 15:04")
}

func localSec(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone.Shanghai).Format("01-02 15:04:05")
}

func sexName(s string) string {
	switch s {
	case "M":
		return "男"
	case "F":
		return "女"
	}
	return "—"
}

// localFull formats a time in Asia/Shanghai with the date and seconds, for
// the audit log.
func localFull(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone.Shanghai).Format("2006-01-02 15:04:05")
}

// Thousands formats an integer with thousands separators: 4,199,865.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Wan formats fen as 万元 with two decimals and thousands separators, in
// integer arithmetic: 1 万元 is 1,000,000 fen.
func Wan(fen int64) string {
	hundredths := fen / 10000
	if r := fen % 10000; r >= 5000 {
		hundredths++
	} else if r <= -5000 {
		hundredths--
	}
	return money.FormatYuan(hundredths)
}

// AuditActions are the audit log's actions with their Chinese labels, in
// the order the audit page's filter lists them.
var AuditActions = []struct{ Code, Name string }{
	{auth.AuditLogin, "登录"}, {auth.AuditLoginFailed, "登录失败"}, {auth.AuditLogout, "退出"},
	{auth.AuditUnmask, "查看完整号码"}, {auth.AuditView, "查看记录"}, {auth.AuditCreate, "新建"}, {auth.AuditUpdate, "修改"},
	{auth.AuditDelete, "删除"}, {auth.AuditExport, "导出"}, {auth.AuditToken, "生成令牌"},
	{auth.AuditTOTPEnrol, "启用两步验证"}, {auth.AuditTOTPReset, "重置两步验证"},
}

func AuditActionName(code string) string {
	for _, a := range AuditActions {
		if a.Code == code {
			return a.Name
		}
	}
	return code
}
