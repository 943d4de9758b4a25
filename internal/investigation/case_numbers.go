package investigation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// CaseIDsByNo finds the cases in scope with the given case numbers (as
// officers type them in the console's 串并案 form: separated by commas,
// 顿号, spaces or new lines), in the order given, each once. A number not
// found in scope is refused in Chinese, naming it; nothing else is read.
func CaseIDsByNo(ctx context.Context, q db.Querier, scope area.Node, list string) ([]int64, error) {
	nos := strings.FieldsFunc(list, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '　'
	})
	if len(nos) == 0 {
		return nil, domain.Invalid("请填写要串并的案件编号")
	}
	if len(nos) > 100 {
		return nil, domain.Invalid("一次最多串并 100 起案件")
	}
	var out []int64
	seen := map[string]bool{}
	for _, no := range nos {
		if seen[no] {
			continue
		}
		seen[no] = true
		var id int64
		err := q.QueryRow(ctx, `SELECT c.id FROM cases c JOIN areas a ON a.id = c.area_id WHERE c.case_no = ? AND a.path LIKE ?`,
			no, scope.SubtreePattern()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.Invalid("案件编号 %s 不存在或不在本辖区", no)
		}
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", no, err)
		}
		out = append(out, id)
	}
	return out, nil
}
