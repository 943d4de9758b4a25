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
	"github.com/fanzha/fanzha/internal/zone"
)

// Kind is what was done to a suspect.
type Kind string

// The dispositions.
const (
	Caught       Kind = "caught"        // 抓获
	Detained     Kind = "detained"      // 刑事拘留
	Arrested     Kind = "arrested"      // 逮捕
	Bailed       Kind = "bailed"        // 取保候审
	Charged      Kind = "charged"       // 移送起诉
	Sentenced    Kind = "sentenced"     // 判决
	AdminPenalty Kind = "admin_penalty" // 行政处罚
	Admonished   Kind = "admonished"    // 训诫
)

// Kinds lists the dispositions in display order.
var Kinds = []Kind{Caught, Detained, Arrested, Bailed, Charged, Sentenced, AdminPenalty, Admonished}

var kindNames = map[Kind]string{Caught: "抓获", Detained: "刑事拘留", Arrested: "逮捕", Bailed: "取保候审",
	Charged: "移送起诉", Sentenced: "判决", AdminPenalty: "行政处罚", Admonished: "训诫"}

// KindName is the Chinese name of a disposition.
func KindName(k Kind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return string(k)
}

// Criminal reports whether a disposition is a criminal measure (刑事打击):
// 刑事拘留, 逮捕, 取保候审, 移送起诉, 判决.
func (k Kind) Criminal() bool {
	return k == Detained || k == Arrested || k == Bailed || k == Charged || k == Sentenced
}

// Administrative reports whether a disposition is an administrative
// handling (行政处理): 行政处罚, 训诫.
func (k Kind) Administrative() bool { return k == AdminPenalty || k == Admonished }

// Disposition is one thing done to a suspect on a case, with its date and,
// for 抓获, the arresting unit and place.
type Disposition struct {
	ID        int64     `json:"id"`
	SuspectID int64     `json:"suspect_id"`
	CaseID    int64     `json:"case_id"`
	Kind      Kind      `json:"kind"`
	KindName  string    `json:"kind_name"`
	At        time.Time `json:"at"`
	Unit      string    `json:"unit,omitempty"`
	Place     string    `json:"place,omitempty"`
	DocNo     string    `json:"doc_no,omitempty"`
	Note      string    `json:"note,omitempty"`
	UserName  string    `json:"user_name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// DispositionInput is a disposition as an officer records it.
type DispositionInput struct {
	SuspectID int64     `json:"suspect_id"`
	CaseID    int64     `json:"case_id"`
	Kind      Kind      `json:"kind"`
	At        time.Time `json:"at"` // zero: now
	Unit      string    `json:"unit,omitempty"`
	Place     string    `json:"place,omitempty"`
	DocNo     string    `json:"doc_no,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// requires are the dispositions one of which must come earlier (on the
// same suspect, any case): 逮捕 after 抓获 or 刑事拘留; 刑事拘留, 行政处罚 and
// 训诫 after 抓获; 判决 after 移送起诉.
var requires = map[Kind][]Kind{
	Detained:     {Caught},
	Arrested:     {Caught, Detained},
	AdminPenalty: {Caught},
	Admonished:   {Caught},
	Sentenced:    {Charged},
}

// Dispose records a disposition of a suspect on a case in scope for the
// caller (who): audited and on the case's timeline, in one transaction.
func Dispose(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in DispositionInput, now time.Time) (int64, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (int64, error) { return DisposeIn(ctx, tx, scope, who, in, now) })
}

// DisposeIn is Dispose inside the caller's transaction.
func DisposeIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, in DispositionInput, now time.Time) (int64, error) {
	if err := mayWrite(who); err != nil {
		return 0, err
	}
	if !slices.Contains(Kinds, in.Kind) {
		return 0, domain.Invalid("处置类型 %q 无效", in.Kind)
	}
	c, err := caseIn(ctx, q, scope, in.CaseID)
	if err != nil {
		return 0, err
	}
	var sname string
	var onCase bool
	cond, arg := suspectVisible("s.id", scope)
	err = q.QueryRow(ctx, `SELECT s.name, EXISTS (SELECT 1 FROM suspect_cases sc WHERE sc.suspect_id = s.id AND sc.case_id = ?)
		FROM suspects s WHERE s.id = ? AND `+cond, in.CaseID, in.SuspectID, arg).Scan(&sname, &onCase)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("suspect %d: %w", in.SuspectID, domain.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("suspect %d: %w", in.SuspectID, err)
	}
	if !onCase {
		return 0, domain.Invalid("该嫌疑人不在本案中，请先把他添加到本案")
	}
	if in.At.IsZero() {
		in.At = now
	}
	in.Unit, in.Place = strings.TrimSpace(in.Unit), strings.TrimSpace(in.Place)
	in.DocNo, in.Note = strings.TrimSpace(in.DocNo), strings.TrimSpace(in.Note)
	name := KindName(in.Kind)
	if in.At.After(now.Add(time.Minute)) {
		return 0, domain.Invalid("%s日期不能晚于今天", name)
	}
	if in.Kind == Caught && (in.Unit == "" || in.Place == "") {
		return 0, domain.Invalid("登记抓获须填写抓获单位和抓获地点")
	}
	if len([]rune(in.Unit)) > 100 || len([]rune(in.Place)) > 200 || len([]rune(in.DocNo)) > 100 || len([]rune(in.Note)) > 2000 {
		return 0, domain.Invalid("单位最长 100 字，地点最长 200 字，文书号最长 100 字，备注最长 2000 字")
	}
	// The order rules look at every disposition of the person, also those
	// on cases outside the caller's scope.
	all, err := dispositions(ctx, q, `d.suspect_id = ?`, in.SuspectID)
	if err != nil {
		return 0, err
	}
	for _, p := range all {
		if p.Kind == in.Kind && p.CaseID == in.CaseID && sameDay(p.At, in.At) {
			return 0, domain.Conflict("本案已登记该嫌疑人 %s 的%s", p.At.In(zone.Shanghai).Format("2006-01-02"), name)
		}
	}
	if before, ok := requires[in.Kind]; ok {
		found := false
		for _, p := range all {
			found = found || (slices.Contains(before, p.Kind) && !p.At.After(in.At))
		}
		if !found {
			names := make([]string, len(before))
			for i, k := range before {
				names[i] = KindName(k)
			}
			return 0, domain.Conflict("登记%s前须先登记%s（日期不晚于%s）", name, strings.Join(names, "或"), name)
		}
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO suspect_dispositions (suspect_id, case_id, kind, at, unit, place, doc_no, note, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, in.SuspectID, in.CaseID, string(in.Kind), db.Millis(in.At), in.Unit, in.Place,
		in.DocNo, in.Note, nullID(who.UserID), db.Millis(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("disposition: %w", err)
	}
	who2 := sname
	if who2 == "" {
		who2 = "身份待查的嫌疑人"
	}
	text := fmt.Sprintf("%s %s：%s", name, in.At.In(zone.Shanghai).Format("2006-01-02"), who2)
	if in.Unit != "" {
		text += "，" + in.Unit
	}
	if in.Place != "" {
		text += "于" + in.Place
	}
	if err := funds.AddCaseEvent(ctx, q, c.ID, now, "disposition", who.UserID, text); err != nil {
		return 0, err
	}
	e := who.With(auth.AuditUpdate, "case_suspect", strconv.FormatInt(in.SuspectID, 10))
	e.At, e.Detail = now, "disposition "+strconv.FormatInt(id, 10)+" "+string(in.Kind)+" case "+strconv.FormatInt(in.CaseID, 10)
	return id, auth.Audit(ctx, q, e)
}

func sameDay(a, b time.Time) bool {
	return a.In(zone.Shanghai).Format("2006-01-02") == b.In(zone.Shanghai).Format("2006-01-02")
}

// dispositions reads the dispositions matching cond (on alias d, cases c),
// oldest first.
func dispositions(ctx context.Context, q db.Querier, cond string, args ...any) ([]Disposition, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.suspect_id, d.case_id, d.kind, d.at, d.unit, d.place, d.doc_no, d.note,
		COALESCE(u.display_name, ''), d.created_at
		FROM suspect_dispositions d JOIN cases c ON c.id = d.case_id LEFT JOIN users u ON u.id = d.created_by
		WHERE `+cond+` ORDER BY d.at, d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("dispositions: %w", err)
	}
	defer rows.Close()
	out := []Disposition{}
	for rows.Next() {
		var p Disposition
		var kind string
		var at, created int64
		if err := rows.Scan(&p.ID, &p.SuspectID, &p.CaseID, &kind, &at, &p.Unit, &p.Place, &p.DocNo, &p.Note, &p.UserName, &created); err != nil {
			return nil, fmt.Errorf("dispositions: %w", err)
		}
		p.Kind, p.At, p.CreatedAt = Kind(kind), db.Time(at), db.Time(created)
		p.KindName = KindName(p.Kind)
		out = append(out, p)
	}
	return out, rows.Err()
}

// disposedSuspects counts the suspects of a case with a disposition on it
// (破案 needs one).
func disposedSuspects(ctx context.Context, q db.Querier, caseID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(DISTINCT d.suspect_id) FROM suspect_dispositions d
		JOIN suspect_cases sc ON sc.suspect_id = d.suspect_id AND sc.case_id = d.case_id WHERE d.case_id = ?`, caseID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("suspects of case %d: %w", caseID, err)
	}
	return n, nil
}
