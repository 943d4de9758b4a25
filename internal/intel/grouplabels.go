package intel

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Composition says what a group is made of in Chinese, in the order of the
// entity types: 「银行卡 227 个、电话 740 个」.
func Composition(byType map[string]int) string {
	var parts []string
	for t := EntityType(0); t < numTypes; t++ {
		if n := byType[t.String()]; n > 0 {
			parts = append(parts, TypeLabels[t]+" "+strconv.Itoa(n)+" 个")
		}
	}
	return strings.Join(parts, "、")
}

// CaseRef is a case as a group list shows it: its number, not its id.
type CaseRef struct {
	ID      int64  `json:"id"`
	CaseNo  string `json:"case_no"`
	LossFen int64  `json:"loss_fen"`
}

// CaseNumbers turns the case keys of a graph (case ids as text) into the
// case numbers (and losses) of the cases in scope, in the order given;
// cases outside the scope are left out. One query per 500 keys.
func CaseNumbers(ctx context.Context, q db.Querier, scope area.Node, keys []string) ([]CaseRef, error) {
	if len(keys) == 0 {
		return []CaseRef{}, nil
	}
	cond, arg := area.UnderClause("area_id", scope)
	nos := map[int64]CaseRef{}
	const chunk = 500
	for i := 0; i < len(keys); i += chunk {
		part := keys[i:min(i+chunk, len(keys))]
		args := make([]any, 0, len(part)+1)
		for _, k := range part {
			id, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				continue
			}
			args = append(args, id)
		}
		if len(args) == 0 {
			continue
		}
		args = append(args, arg)
		rows, err := q.Query(ctx, `SELECT id, case_no, loss_fen FROM cases WHERE id IN (?`+strings.Repeat(",?", len(args)-2)+`) AND `+cond, args...)
		if err != nil {
			return nil, fmt.Errorf("group cases: %w", err)
		}
		for rows.Next() {
			var c CaseRef
			if err := rows.Scan(&c.ID, &c.CaseNo, &c.LossFen); err != nil {
				rows.Close()
				return nil, err
			}
			nos[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]CaseRef, 0, len(nos))
	for _, k := range keys {
		id, _ := strconv.ParseInt(k, 10, 64)
		if c, ok := nos[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}
