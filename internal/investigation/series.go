package investigation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
)

// 串并案: cases merged into a series under a parent case. A series is one
// level deep: the parent is in no series itself, a member is no parent, and
// a case is a member of at most one series at a time. Un-merging keeps the
// row (unmerged_at set), so the series' history stays. The series' totals
// count each case's loss and each suspect once, however many cases of the
// series the suspect is on.

// SeriesMember is a case of a series, current or un-merged.
type SeriesMember struct {
	CaseID      int64      `json:"case_id"`
	CaseNo      string     `json:"case_no"`
	LossFen     int64      `json:"loss_fen"`
	Reason      string     `json:"reason,omitempty"`
	MergedAt    time.Time  `json:"merged_at"`
	UnmergedAt  *time.Time `json:"unmerged_at,omitempty"`
	UnmergeNote string     `json:"unmerge_note,omitempty"`
}

// Series is a parent case with its members and the rolled-up figures.
type Series struct {
	ParentID     int64          `json:"parent_id"`
	ParentNo     string         `json:"parent_no"`
	Members      []SeriesMember `json:"members"` // current, in merge order
	History      []SeriesMember `json:"history"` // un-merged, oldest first
	Cases        int            `json:"cases"`   // the parent and its current members
	LossFen      int64          `json:"loss_fen"`
	Suspects     int            `json:"suspects"`
	CaughtPeople int            `json:"caught"`
}

// seriesParent is the parent of the series a case is a member of, 0 if none.
func seriesParent(ctx context.Context, q db.Querier, caseID int64) (int64, error) {
	var p int64
	err := q.QueryRow(ctx, `SELECT parent_id FROM case_series WHERE case_id = ? AND unmerged_at IS NULL`, caseID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("series of case %d: %w", caseID, err)
	}
	return p, nil
}

// Merge merges cases in scope into the series of parent (a case in scope),
// audited and on the timeline of every case involved, in one transaction.
func Merge(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, parentID int64, caseIDs []int64, reason string, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return MergeIn(ctx, tx, scope, who, parentID, caseIDs, reason, now) })
}

// MergeIn is Merge inside the caller's transaction.
func MergeIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, parentID int64, caseIDs []int64, reason string, now time.Time) error {
	if err := mayWork(who); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return domain.Invalid("请填写串并理由（最长 500 字）")
	}
	if len(caseIDs) == 0 {
		return domain.Invalid("请选择要串并的案件")
	}
	pno, err := caseNo(ctx, q, scope, parentID)
	if err != nil {
		return err
	}
	// The parent's lifecycle row is the series' lock: two merges into one
	// parent, on two replicas, run one after the other.
	ref, err := caseIn(ctx, q, scope, parentID)
	if err != nil {
		return err
	}
	if err := lockCase(ctx, q, ref, now); err != nil {
		return err
	}
	if p, err := seriesParent(ctx, q, parentID); err != nil {
		return err
	} else if p != 0 {
		return domain.Conflict("案件 %s 已并入其他系列案，不能作为主案", pno)
	}
	for i, id := range caseIDs {
		if id == parentID || slices.Contains(caseIDs[:i], id) {
			return domain.Invalid("串并的案件不能重复，也不能包含主案")
		}
	}
	var nos []string
	for _, id := range caseIDs {
		no, err := caseNo(ctx, q, scope, id)
		if err != nil {
			return err
		}
		// Locked too, so a merge of the same case into another series
		// at once waits and then reads this one.
		member, err := caseIn(ctx, q, scope, id)
		if err != nil {
			return err
		}
		if err := lockCase(ctx, q, member, now); err != nil {
			return err
		}
		if p, err := seriesParent(ctx, q, id); err != nil {
			return err
		} else if p != 0 {
			return domain.Conflict("案件 %s 已在一个系列案中，请先撤销串并", no)
		}
		var children int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM case_series WHERE parent_id = ? AND unmerged_at IS NULL`, id).Scan(&children); err != nil {
			return fmt.Errorf("series of case %d: %w", id, err)
		}
		if children > 0 {
			return domain.Conflict("案件 %s 是另一系列案的主案，不能并入", no)
		}
		if _, err := q.Exec(ctx, `INSERT INTO case_series (parent_id, case_id, reason, merged_by, merged_at) VALUES (?,?,?,?,?)`,
			parentID, id, reason, nullID(who.UserID), db.Millis(now)); err != nil {
			return fmt.Errorf("merge case %d: %w", id, err)
		}
		if err := funds.AddCaseEvent(ctx, q, id, now, "series", who.UserID, "并入系列案，主案 "+pno+"："+reason); err != nil {
			return err
		}
		nos = append(nos, no)
	}
	if err := funds.AddCaseEvent(ctx, q, parentID, now, "series", who.UserID, "串并案件 "+strings.Join(nos, "、")+"："+reason); err != nil {
		return err
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(parentID, 10))
	e.At, e.Detail = now, "series merge "+strings.Join(nos, ",")
	return auth.Audit(ctx, q, e)
}

// Unmerge takes a case in scope out of its series; the merge stays in the
// series' history.
func Unmerge(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, note string, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		if err := mayWork(who); err != nil {
			return err
		}
		no, err := caseNo(ctx, tx, scope, caseID)
		if err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		if note == "" || len([]rune(note)) > 500 {
			return domain.Invalid("请填写撤销串并的理由（最长 500 字）")
		}
		parent, err := seriesParent(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if parent == 0 {
			return domain.Conflict("案件 %s 不在任何系列案中", no)
		}
		if _, err := tx.Exec(ctx, `UPDATE case_series SET unmerged_at = ?, unmerged_by = ?, unmerge_note = ? WHERE case_id = ? AND unmerged_at IS NULL`,
			db.Millis(now), nullID(who.UserID), note, caseID); err != nil {
			return fmt.Errorf("unmerge case %d: %w", caseID, err)
		}
		for _, id := range []int64{caseID, parent} {
			if err := funds.AddCaseEvent(ctx, tx, id, now, "series", who.UserID, "撤销串并："+no+"，"+note); err != nil {
				return err
			}
		}
		e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(parent, 10))
		e.At, e.Detail = now, "series unmerge "+no
		return auth.Audit(ctx, tx, e)
	})
}

// SeriesOf reads the series a case in scope belongs to (as its parent or a
// member), with the rolled-up loss and suspects; a case in no series is a
// series of one.
func SeriesOf(ctx context.Context, q db.Querier, scope area.Node, caseID int64) (Series, error) {
	no, err := caseNo(ctx, q, scope, caseID)
	if err != nil {
		return Series{}, err
	}
	s := Series{ParentID: caseID, ParentNo: no, Members: []SeriesMember{}, History: []SeriesMember{}}
	if p, err := seriesParent(ctx, q, caseID); err != nil {
		return Series{}, err
	} else if p != 0 {
		s.ParentID = p
		if err := q.QueryRow(ctx, `SELECT case_no FROM cases WHERE id = ?`, p).Scan(&s.ParentNo); err != nil {
			return Series{}, fmt.Errorf("case %d: %w", p, err)
		}
	}
	rows, err := q.Query(ctx, `SELECT s.case_id, c.case_no, c.loss_fen, s.reason, s.merged_at, s.unmerged_at, s.unmerge_note
		FROM case_series s JOIN cases c ON c.id = s.case_id WHERE s.parent_id = ? ORDER BY s.id`, s.ParentID)
	if err != nil {
		return Series{}, fmt.Errorf("series %d: %w", s.ParentID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m SeriesMember
		var merged int64
		var unmerged sql.NullInt64
		if err := rows.Scan(&m.CaseID, &m.CaseNo, &m.LossFen, &m.Reason, &merged, &unmerged, &m.UnmergeNote); err != nil {
			return Series{}, fmt.Errorf("series %d: %w", s.ParentID, err)
		}
		m.MergedAt = db.Time(merged)
		if unmerged.Valid {
			at := db.Time(unmerged.Int64)
			m.UnmergedAt = &at
			s.History = append(s.History, m)
		} else {
			s.Members = append(s.Members, m)
		}
	}
	if err := rows.Err(); err != nil {
		return Series{}, err
	}
	rows.Close()
	in := `(case_id = ? OR case_id IN (SELECT case_id FROM case_series WHERE parent_id = ? AND unmerged_at IS NULL))`
	casesIn := `(id = ? OR id IN (SELECT case_id FROM case_series WHERE parent_id = ? AND unmerged_at IS NULL))`
	err = q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE `+casesIn, s.ParentID, s.ParentID).Scan(&s.Cases, &s.LossFen)
	if err != nil {
		return Series{}, fmt.Errorf("series %d totals: %w", s.ParentID, err)
	}
	err = q.QueryRow(ctx, `SELECT COUNT(DISTINCT suspect_id) FROM suspect_cases WHERE `+in, s.ParentID, s.ParentID).Scan(&s.Suspects)
	if err != nil {
		return Series{}, fmt.Errorf("series %d suspects: %w", s.ParentID, err)
	}
	err = q.QueryRow(ctx, `SELECT COUNT(DISTINCT suspect_id) FROM suspect_dispositions WHERE kind = 'caught' AND `+in,
		s.ParentID, s.ParentID).Scan(&s.CaughtPeople)
	if err != nil {
		return Series{}, fmt.Errorf("series %d caught: %w", s.ParentID, err)
	}
	return s, nil
}

// seriesKeys maps each case merged into a series to its parent (the key a
// gang is counted under); a case not in the map is its own series.
func seriesKeys(ctx context.Context, q db.Querier) (map[int64]int64, error) {
	rows, err := q.Query(ctx, `SELECT case_id, parent_id FROM case_series WHERE unmerged_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("series: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var c, p int64
		if err := rows.Scan(&c, &p); err != nil {
			return nil, fmt.Errorf("series: %w", err)
		}
		out[c] = p
	}
	return out, rows.Err()
}
