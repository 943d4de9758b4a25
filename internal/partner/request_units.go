package partner

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// The member units a request can go to: the county branches (top-level
// units) of banks and operators. Retired units are listed too, as the
// pages always have.

// RequestUnits lists the top-level member units of the kinds given (bank,
// operator …), by id.
func RequestUnits(ctx context.Context, q db.Querier, kinds ...string) ([]Unit, error) {
	if len(kinds) == 0 {
		return []Unit{}, nil
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = k
	}
	rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), kind, code, name FROM units
		WHERE parent_id IS NULL AND kind IN (`+strings.TrimSuffix(strings.Repeat("?,", len(kinds)), ",")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("request units: %w", err)
	}
	return scanUnits(rows)
}

// BankUnits lists the member units that are banks — county branches (top
// level) and their sub-branches — retired ones included, by id.
func BankUnits(ctx context.Context, q db.Querier) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), kind, code, name FROM units WHERE kind = 'bank' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("bank units: %w", err)
	}
	return scanUnits(rows)
}

// BankUnitOf finds the member unit (a bank's county branch, top level) for
// an account's bank among units: "中国工商银行" matches "工商银行云溪支行",
// "中国银行" matches "中国银行云溪支行" (and never any other unit whose name
// merely has 银行); of several, the first made.
func BankUnitOf(units []Unit, bank string) (Unit, bool) {
	var best Unit
	for _, u := range units {
		if u.Kind == "bank" && u.ParentID == 0 && IsUnitOfBank(u.Name, bank) && (best.ID == 0 || u.ID < best.ID) {
			best = u
		}
	}
	return best, best.ID != 0
}
