package auth

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/tabular"
)

// Audit actions.
const (
	AuditLogin       = "login"
	AuditLoginFailed = "login_failed"
	AuditLogout      = "logout"
	AuditUnmask      = "unmask"
	AuditView        = "view" // one person's record read (masked); an unmasked read is "unmask"
	AuditCreate      = "create"
	AuditUpdate      = "update"
	AuditDelete      = "delete"
	AuditExport      = "export"
	AuditToken       = "token_create"
)

// AuditEntry is one line of the append-only audit log: who, when, from
// which address, what.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     int64     `json:"user_id,omitempty"`
	Username   string    `json:"username"`
	Role       Role      `json:"role,omitempty"`
	IP         string    `json:"ip"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
}

// Audit appends an entry. It is called inside the transaction of the change
// it records, so a change is never stored without its audit line.
func Audit(ctx context.Context, q db.Querier, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	var uid any
	if e.UserID != 0 {
		uid = e.UserID
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_log (at, user_id, username, role, ip, action, object_type, object_id, detail, request_id)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, db.Millis(e.At), uid, e.Username, string(e.Role), e.IP, e.Action, e.ObjectType, e.ObjectID, e.Detail, e.RequestID)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditFor fills the who of an entry from a principal.
func AuditFor(p *Principal, ip, requestID string) AuditEntry {
	e := AuditEntry{IP: ip, RequestID: requestID}
	if p != nil {
		e.UserID, e.Username, e.Role = p.User.ID, p.User.Username, p.User.Role
	}
	return e
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	From, To time.Time // To is exclusive; zero means open
	Username string
	Action   string
	BeforeID int64 // for paging backwards: entries with a smaller id
	Limit    int
}

// ListAudit returns audit entries, newest first.
func ListAudit(ctx context.Context, q db.Querier, f AuditFilter) ([]AuditEntry, error) {
	var where db.Where
	where.Between("at", f.From, f.To).
		AndIf(f.Username != "", "username = ?", f.Username).
		AndIf(f.Action != "", "action = ?", f.Action).
		AndIf(f.BeforeID > 0, "id < ?", f.BeforeID)
	query := `SELECT id, at, COALESCE(user_id, 0), username, role, ip, action, object_type, object_id, detail, request_id FROM audit_log
		WHERE ` + where.String() + ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += db.Page{Limit: f.Limit}.SQL()
	}
	rows, err := q.Query(ctx, query, where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.Role, &e.IP, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail, &e.RequestID); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// WriteAuditCSV writes entries as CSV (UTF-8 with a BOM so Excel opens the
// Chinese text correctly), times in Asia/Shanghai.
func WriteAuditCSV(w io.Writer, entries []AuditEntry, loc *time.Location) error {
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return err
	}
	cw := tabular.NewCSVWriter(w)
	_ = cw.Write([]string{"编号", "时间", "用户", "角色", "地址", "操作", "对象类型", "对象", "详情", "请求号"})
	for _, e := range entries {
		_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(loc).Format("2006-01-02 15:04:05"), e.Username,
			RoleName(e.Role), e.IP, e.Action, e.ObjectType, e.ObjectID, e.Detail, e.RequestID})
	}
	cw.Flush()
	return cw.Error()
}

// With returns a copy of the entry with its action and object set.
func (e AuditEntry) With(action, objectType, objectID string) AuditEntry {
	e.Action, e.ObjectType, e.ObjectID = action, objectType, objectID
	return e
}
