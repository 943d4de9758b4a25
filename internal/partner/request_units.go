package partner

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
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
	rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), kind, code, name, COALESCE(area_id, 0) FROM units
		WHERE parent_id IS NULL AND kind IN (`+strings.TrimSuffix(strings.Repeat("?,", len(kinds)), ",")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("request units: %w", err)
	}
	return scanUnits(rows)
}

// BankUnits lists the member units that are banks — county branches (top
// level) and their sub-branches — retired ones included, by id.
func BankUnits(ctx context.Context, q db.Querier) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), kind, code, name, COALESCE(area_id, 0) FROM units WHERE kind = 'bank' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("bank units: %w", err)
	}
	return scanUnits(rows)
}

// AreaChain is the area and its ancestors, nearest first (the case's
// county, its city, the province), read from the node's path.
func AreaChain(ctx context.Context, q db.Querier, areaID int64) ([]int64, error) {
	n, err := area.Get(ctx, q, areaID)
	if err != nil {
		return nil, err
	}
	var chain []int64
	for _, s := range strings.Split(strings.Trim(n.Path, "/"), "/") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			chain = append([]int64{id}, chain...)
		}
	}
	return chain, nil
}

// BankUnitOf finds the member unit (a bank's county branch, top level) for
// an account's bank among units: "中国工商银行" matches "工商银行云溪支行",
// "中国银行" matches "中国银行云溪支行" (and never any other unit whose name
// merely has 银行). Of several branches of the bank, the one serving the
// nearest area of near (the case's area and its ancestors, nearest first:
// AreaChain) is taken, then a branch bound to no area, then one serving
// another area; among equals the first made.
func BankUnitOf(units []Unit, bank string, near []int64) (Unit, bool) {
	rank := func(u Unit) int {
		if u.AreaID == 0 {
			return len(near)
		}
		for i, a := range near {
			if a == u.AreaID {
				return i
			}
		}
		return len(near) + 1
	}
	var best Unit
	for _, u := range units {
		if u.Kind != "bank" || u.ParentID != 0 || !IsUnitOfBank(u.Name, bank) {
			continue
		}
		if best.ID == 0 || rank(u) < rank(best) || (rank(u) == rank(best) && u.ID < best.ID) {
			best = u
		}
	}
	return best, best.ID != 0
}
