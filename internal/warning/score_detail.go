package warning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// ScoreDetail returns the parts of a warning's score as stored at intake
// (nil when none were stored). A warning outside scope is
// domain.ErrNotFound.
func ScoreDetail(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]ScorePart, error) {
	cond, arg := scopeClause("w", scope)
	var detail sql.NullString
	err := q.QueryRow(ctx, `SELECT w.score_detail FROM warnings w WHERE w.id = ? AND `+cond, id, arg).Scan(&detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("warning %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("warning %d score: %w", id, err)
	}
	s := strings.TrimSpace(detail.String)
	if s == "" || s == "null" {
		return nil, nil
	}
	var parts []ScorePart
	if err := json.Unmarshal([]byte(s), &parts); err != nil {
		return nil, fmt.Errorf("warning %d score detail: %w", id, err)
	}
	return parts, nil
}
