// Package instruction is 指令闭环: warnings that reach the county as
// instructions (指令) from the ministry, province and city centres, the
// county itself, banks and operators. Each carries its issuer's level, its
// number (指令编号) and two deadlines set by the issuer: to sign for it
// (签收) and to report the result back (反馈). The package signs (at once on
// assignment, or by hand, as configured), lists what still awaits feedback
// in the caller's scope, escalates missed deadlines once across replicas,
// and builds the feedback reports sent back: an Excel return file in the
// issuer's column layout, JSON for webhooks and the NATS subject
// fanzha.warnings.feedback, with a new version (续报) when the result
// changes. docs/INSTRUCTIONS.md describes the states and the layouts.
package instruction

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// Level is who issued an instruction.
type Level string

// Levels, from the top.
const (
	Ministry Level = "ministry" // 部
	Province Level = "province" // 省
	City     Level = "city"     // 市
	County   Level = "county"   // 县
	Bank     Level = "bank"     // 银行
	Operator Level = "operator" // 运营商
)

// Levels lists every level in order.
var Levels = []Level{Ministry, Province, City, County, Bank, Operator}

var levelNames = map[Level]string{Ministry: "部", Province: "省", City: "市", County: "县", Bank: "银行", Operator: "运营商"}

// LevelName is the Chinese label of a level.
func LevelName(l Level) string {
	if n, ok := levelNames[l]; ok {
		return n
	}
	return string(l)
}

// ParseLevel reads a level as the issuers write it: the code, the label,
// or a longer name (公安部, 省厅, 市局, 县局, 某某银行, 移动/联通/电信).
func ParseLevel(s string) (Level, error) {
	s = strings.TrimSpace(s)
	if _, ok := levelNames[Level(s)]; ok {
		return Level(s), nil
	}
	switch {
	case s == "":
		return "", domain.Invalid("下发级别为空（部/省/市/县/银行/运营商）")
	case strings.Contains(s, "银行") || strings.Contains(s, "信用社") || strings.Contains(s, "支付"):
		return Bank, nil
	case strings.Contains(s, "运营商") || strings.Contains(s, "移动") || strings.Contains(s, "联通") || strings.Contains(s, "电信"):
		return Operator, nil
	case strings.HasPrefix(s, "部") || strings.Contains(s, "公安部") || strings.Contains(s, "国家"):
		return Ministry, nil
	case strings.HasPrefix(s, "省") || strings.Contains(s, "省厅") || strings.Contains(s, "省级"):
		return Province, nil
	case strings.HasPrefix(s, "市") || strings.Contains(s, "市局") || strings.Contains(s, "市级"):
		return City, nil
	case strings.HasPrefix(s, "县") || strings.Contains(s, "县局") || strings.Contains(s, "区局") || strings.Contains(s, "县级"):
		return County, nil
	}
	return "", domain.Invalid("下发级别 %q 无效（部/省/市/县/银行/运营商）", s)
}

// Deadlines are the default sign and feedback limits of one level.
type Deadlines struct {
	Sign     time.Duration
	Feedback time.Duration
}

// DefaultDeadlines are the limits when no setting is stored: the higher
// the issuer, the shorter its patience for a receipt.
var DefaultDeadlines = map[Level]Deadlines{
	Ministry: {30 * time.Minute, 24 * time.Hour},
	Province: {30 * time.Minute, 24 * time.Hour},
	City:     {time.Hour, 24 * time.Hour},
	County:   {2 * time.Hour, 48 * time.Hour},
	Bank:     {time.Hour, 24 * time.Hour},
	Operator: {time.Hour, 24 * time.Hour},
}

// Setting keys (the settings registry shows them in 系统管理).
func SignSetting(l Level) string     { return "instruction.sign." + string(l) }
func FeedbackSetting(l Level) string { return "instruction.feedback." + string(l) }

// AutoSignSetting says whether an instruction is signed for when its
// warning is assigned to an officer (true, the default) or only by hand.
const AutoSignSetting = "instruction.auto_sign"

// Config is the instruction settings in force.
type Config struct {
	Deadlines map[Level]Deadlines
	AutoSign  bool
}

// LoadConfig reads the stored settings over the defaults.
func LoadConfig(ctx context.Context, q db.Querier) (Config, error) {
	c := Config{Deadlines: map[Level]Deadlines{}, AutoSign: true}
	for l, d := range DefaultDeadlines {
		c.Deadlines[l] = d
	}
	rows, err := q.Query(ctx, `SELECT key, value FROM settings WHERE key LIKE 'instruction.%'`)
	if err != nil {
		return c, fmt.Errorf("instruction settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return c, err
		}
		if k == AutoSignSetting {
			c.AutoSign = v != "false"
			continue
		}
		for _, l := range Levels {
			d := c.Deadlines[l]
			switch k {
			case SignSetting(l):
				if dur, ok := zone.ParseSpan(v); ok {
					d.Sign = dur
				}
			case FeedbackSetting(l):
				if dur, ok := zone.ParseSpan(v); ok {
					d.Feedback = dur
				}
			}
			c.Deadlines[l] = d
		}
	}
	return c, rows.Err()
}
