package bulletin

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// EventKindName is the Chinese label of a prevention event kind.
func EventKindName(k string) string {
	m := map[string]string{"lecture": "讲座", "stall": "摆摊宣传", "door_to_door": "入户走访", "screen": "LED屏", "group_push": "群聊推送",
		"video": "短视频", "school_class": "主题班会", "bank_counter": "银行柜面"}
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// AudienceName is the Chinese label of an audience group.
func AudienceName(a string) string {
	m := map[string]string{"elderly": "老年人", "students": "学生", "enterprise": "企业职工", "unemployed": "无业人员", "general": "普通群众"}
	var out []string
	for _, x := range strings.Split(a, ",") {
		if v, ok := m[x]; ok {
			out = append(out, v)
		} else if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, "、")
}

// Unit is a member unit of the joint mechanism.
type Unit struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Parent   string `json:"parent,omitempty"`
	Users    int64  `json:"users"`
	Requests int64  `json:"requests"`
	Open     int64  `json:"open_requests"`
}

// UnitKindName is the Chinese label of a unit kind.
func UnitKindName(k string) string {
	m := map[string]string{"bank": "银行", "operator": "运营商", "education": "教育", "regulator": "市场监管", "township": "乡镇", "other": "其他"}
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// Units lists member units with their users and requests.
func Units(ctx context.Context, q db.Querier) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.kind, u.name, COALESCE(p.name, ''),
		(SELECT COUNT(*) FROM users x WHERE x.unit_id = u.id),
		(SELECT COUNT(*) FROM partner_requests r WHERE r.unit_id = u.id),
		(SELECT COUNT(*) FROM partner_requests r WHERE r.unit_id = u.id AND r.status IN ('sent', 'seen'))
		FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY COALESCE(u.parent_id, u.id), u.id`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.Kind, &u.Name, &u.Parent, &u.Users, &u.Requests, &u.Open); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
