package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
)

// Bulk import of officers from Excel or CSV (UTF-8 or GBK): columns 用户名,
// 姓名, 角色 (the Chinese name or the code), 辖区代码, optional 手机 and
// 初始密码. Where no password is given one is generated and returned once
// (never stored in plain text). Any bad row — duplicate username in the file
// or the database, unknown role or node, a role or node the importer may not
// give, a weak password — is reported with its row number and nothing is
// imported.

// MaxImportRows bounds one import.
const MaxImportRows = 5000

// ImportProblem is a bad row of an import (Line 0: the file as a whole).
type ImportProblem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportedUser is a user an import created; Password is set only when it
// was generated (to be handed to the officer, shown once).
type ImportedUser struct {
	Line        int    `json:"line"`
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	RoleName    string `json:"role_name"`
	AreaName    string `json:"area_name"`
	Password    string `json:"password,omitempty"`
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	Encoding string          `json:"encoding"`
	Rows     int             `json:"rows"`
	Created  []ImportedUser  `json:"created"`
	Problems []ImportProblem `json:"problems"`
}

// ErrImportRejected is returned when an import had bad rows (nothing was
// imported; the result lists them).
var ErrImportRejected = domain.Invalid("文件中有错误行，未导入任何人员")

// ParseRole reads a role as its code or its Chinese name.
func ParseRole(s string) (Role, bool) {
	s = strings.TrimSpace(s)
	for _, r := range Roles {
		if strings.EqualFold(string(r), s) || RoleName(r) == s {
			return r, true
		}
	}
	switch s { // names people also use
	case "社区民警":
		return RoleDissuader, true
	case "所长", "教导员":
		return RoleStationHead, true
	case "管理员":
		return RoleAdmin, true
	}
	return "", false
}

type importRow struct {
	line int
	nu   NewUser
	gen  bool
	area area.Node
}

// ImportOfficers reads a table of officers and creates them as p, all in one
// transaction, or none when a row is bad (err is ErrImportRejected and the
// result lists every bad row).
func ImportOfficers(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, name string, r io.Reader, now time.Time) (ImportResult, error) {
	res := ImportResult{Created: []ImportedUser{}, Problems: []ImportProblem{}}
	if !p.Can(CapStaffManage) {
		return res, domain.Forbidden("当前角色无权导入人员")
	}
	tr, err := tabular.Open(name, r)
	if err != nil {
		return res, domain.Invalid("文件无法读取：%v", err)
	}
	defer tr.Close()
	res.Encoding = tr.Encoding()
	head, _, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return res, domain.Invalid("文件是空的")
	}
	if err != nil {
		return res, domain.Invalid("文件无法读取：%v", err)
	}
	h := tabular.NewHeader(head)
	col := map[string]int{
		"username": h.Find("用户名", "账号", "username"),
		"name":     h.Find("姓名", "显示名", "name", "display_name"),
		"role":     h.Find("角色", "role"),
		"area":     h.Find("辖区代码", "辖区", "area", "area_code"),
		"phone":    h.Find("手机", "手机号", "电话", "phone"),
		"password": h.Find("初始密码", "密码", "password"),
	}
	var missing []string
	for k, label := range map[string]string{"username": "用户名", "name": "姓名", "role": "角色", "area": "辖区代码"} {
		if col[k] < 0 {
			missing = append(missing, label)
		}
	}
	if len(missing) > 0 {
		res.Problems = append(res.Problems, ImportProblem{Line: 1, Message: "缺少列：" + strings.Join(sortedLabels(missing), "、") +
			"（表头应为 用户名, 姓名, 角色, 辖区代码, 手机, 初始密码）"})
		return res, ErrImportRejected
	}
	var rows []importRow
	for {
		rec, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			res.Problems = append(res.Problems, ImportProblem{Line: line, Message: "无法读取：" + err.Error()})
			return res, ErrImportRejected
		}
		if len(rows) >= MaxImportRows {
			res.Problems = append(res.Problems, ImportProblem{Line: line, Message: fmt.Sprintf("一次最多导入 %d 行，请分批导入", MaxImportRows)})
			return res, ErrImportRejected
		}
		cell := func(k string) string { return strings.TrimSpace(tabular.Cell(rec, col[k])) }
		rows = append(rows, importRow{line: line, nu: NewUser{Username: cell("username"), DisplayName: cell("name"),
			Role: Role(cell("role")), Phone: cell("phone"), Password: cell("password")}})
		rows[len(rows)-1].area.Code = cell("area")
	}
	res.Rows = len(rows)
	if len(rows) == 0 {
		res.Problems = append(res.Problems, ImportProblem{Line: 0, Message: "文件中没有人员行"})
		return res, ErrImportRejected
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		bad := func(line int, format string, a ...any) {
			res.Problems = append(res.Problems, ImportProblem{Line: line, Message: fmt.Sprintf(format, a...)})
		}
		seen := map[string]int{}
		for i := range rows {
			row := &rows[i]
			nu := &row.nu
			if err := validUsername(nu.Username); err != nil {
				bad(row.line, "%s", domain.Message(err))
				continue
			}
			key := strings.ToLower(nu.Username)
			if first, dup := seen[key]; dup {
				bad(row.line, "用户名 %s 与第 %d 行重复", nu.Username, first)
				continue
			}
			seen[key] = row.line
			if _, err := GetUserByName(ctx, tx, nu.Username); err == nil {
				bad(row.line, "用户名 %s 已存在", nu.Username)
				continue
			} else if !errors.Is(err, domain.ErrNotFound) {
				return err
			}
			role, ok := ParseRole(string(nu.Role))
			if !ok {
				bad(row.line, "未知角色 %q", string(nu.Role))
				continue
			}
			if role == RolePartner {
				bad(row.line, "合作单位账号请在成员单位页面创建")
				continue
			}
			nu.Role = role
			if row.area.Code == "" {
				bad(row.line, "辖区代码不能为空")
				continue
			}
			var areaID int64
			err := tx.QueryRow(ctx, `SELECT id FROM areas WHERE code = ?`, row.area.Code).Scan(&areaID)
			if errors.Is(err, sql.ErrNoRows) {
				bad(row.line, "辖区代码 %s 不存在", row.area.Code)
				continue
			}
			if err != nil {
				return err
			}
			n, err := area.Get(ctx, tx, areaID)
			if err != nil {
				return err
			}
			if err := checkGrant(p, role, n); err != nil {
				bad(row.line, "%s", domain.Message(err))
				continue
			}
			row.area = n
			nu.AreaID = n.ID
			if nu.Phone, err = normalizePhone(nu.Phone); err != nil {
				bad(row.line, "%s", domain.Message(err))
				continue
			}
			if nu.Password == "" {
				nu.Password, row.gen = generatePasswordFor(nu.Username), true
			} else if err := CheckPasswordRule(nu.Username, nu.Password); err != nil {
				bad(row.line, "初始密码不符合要求：%s", domain.Message(err))
				continue
			}
		}
		if len(res.Problems) > 0 {
			return ErrImportRejected
		}
		for _, row := range rows {
			u, err := createManaged(ctx, tx, p, who, row.nu, now)
			if err != nil {
				bad(row.line, "%s", domain.Message(err))
				return ErrImportRejected
			}
			iu := ImportedUser{Line: row.line, ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
				RoleName: RoleName(u.Role), AreaName: row.area.FullName}
			if row.gen {
				iu.Password = row.nu.Password
			}
			res.Created = append(res.Created, iu)
		}
		e := who.With(AuditCreate, "user_import", "")
		e.At, e.Detail = now, fmt.Sprintf("%s: %d users", name, len(rows))
		return Audit(ctx, tx, e)
	})
	if err != nil {
		res.Created = []ImportedUser{}
		return res, err
	}
	return res, nil
}

func sortedLabels(s []string) []string {
	order := map[string]int{"用户名": 0, "姓名": 1, "角色": 2, "辖区代码": 3}
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && order[out[j]] < order[out[j-1]]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// WritePasswordsCSV writes the generated passwords of an import (username,
// name, password) as CSV with a BOM for Excel; users whose password was
// given in the file are left out.
func WritePasswordsCSV(w io.Writer, created []ImportedUser) error {
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return err
	}
	cw := tabular.NewCSVWriter(w)
	_ = cw.Write([]string{"用户名", "姓名", "初始密码"})
	for _, u := range created {
		if u.Password != "" {
			_ = cw.Write([]string{u.Username, u.DisplayName, u.Password})
		}
	}
	cw.Flush()
	return cw.Error()
}
