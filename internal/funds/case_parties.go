package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/zone"
)

// Adding and correcting a case's victims and losing transfers after the
// report. Every change runs in one transaction that locks the case row,
// checks the caller's jurisdiction and capability, writes the change and
// its history row (case_party_changes, what it was before and after),
// recomputes the losses (each victim with transfers: their sum; the case:
// the sum of its victims), marks the trace's inputs changed
// (case_trace_marks), writes a timeline line and an audit line. After the
// commit the case's cached traces are dropped (trace_cache.go).

// Markers of the rules a victim can break (the transfer markers are in
// case_open.go).
var (
	ErrVictimField  = errors.New("victim field")
	ErrTransferGone = errors.New("transfer removal")
	ErrRowMatch     = errors.New("statement row match")
)

// VictimInput is a victim as an officer adds or corrects one. On a
// correction (PATCH) a nil field keeps its value.
type VictimInput struct {
	Name       *string `json:"name,omitempty"`
	Sex        *string `json:"sex,omitempty"`        // M | F | empty
	BirthDate  *string `json:"birth_date,omitempty"` // YYYY-MM-DD
	IDNumber   *string `json:"id_number,omitempty"`
	Phone      *string `json:"phone,omitempty"`
	Address    *string `json:"address,omitempty"`
	Occupation *string `json:"occupation,omitempty"`
	AreaID     *int64  `json:"area_id,omitempty"` // default: the case's area
	// Loss of a victim without transfers (yuan as text, or fen); a victim
	// with transfers lost their sum.
	Loss    *string `json:"loss,omitempty"`
	LossFen *int64  `json:"loss_fen,omitempty"`
	Reason  string  `json:"reason,omitempty"` // why a correction is made
}

// TransferInput is a losing transfer as an officer adds or corrects one. On
// a correction a nil field keeps its value; StatementRowID 0 on a
// correction takes the match away. When a statement row is given, the
// fields left empty are read from it.
type TransferInput struct {
	VictimID       *int64     `json:"victim_id,omitempty"` // default: the case's only victim
	At             *time.Time `json:"at,omitempty"`
	FromAccount    *string    `json:"from_account,omitempty"`
	ToAccount      *string    `json:"to_account,omitempty"`
	ToBank         *string    `json:"to_bank,omitempty"` // default: from the card number's prefix
	ToName         *string    `json:"to_name,omitempty"`
	AmountFen      *int64     `json:"amount_fen,omitempty"`
	Amount         *string    `json:"amount,omitempty"` // yuan, when amount_fen is not given
	Channel        *string    `json:"channel,omitempty"`
	StatementRowID *int64     `json:"statement_row_id,omitempty"`
	Reason         string     `json:"reason,omitempty"` // why a correction is made
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func refuseVictim(code, format string, args ...any) error {
	return domain.Refuse(code, format, args...).With(ErrVictimField)
}

// apply writes the given fields of in onto v and checks the result.
func (in VictimInput) apply(ctx context.Context, q db.Querier, scope area.Node, v *Victim, hasTransfers bool) error {
	set(&v.Name, in.Name)
	set(&v.Sex, in.Sex)
	set(&v.BirthDate, in.BirthDate)
	set(&v.IDNumber, in.IDNumber)
	set(&v.Phone, in.Phone)
	set(&v.Address, in.Address)
	set(&v.Occupation, in.Occupation)
	v.Name, v.Address = strings.TrimSpace(v.Name), strings.TrimSpace(v.Address)
	v.IDNumber = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v.IDNumber), " ", ""))
	v.Phone = strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(v.Phone))
	v.BirthDate = strings.TrimSpace(v.BirthDate)
	switch {
	case v.Name == "":
		return refuseVictim("bad_name", "姓名：请填写受害人姓名")
	case utf8.RuneCountInString(v.Name) > 50:
		return refuseVictim("bad_name", "姓名：最长 50 字")
	case v.Sex != "" && v.Sex != "M" && v.Sex != "F":
		return refuseVictim("bad_sex", "性别：只能是男（M）或女（F）")
	case v.IDNumber != "" && !validIDNumber(v.IDNumber):
		return refuseVictim("bad_id_number", "身份证号：%s 应为 18 位（最后一位可为 X）", auth.MaskIDNumber(v.IDNumber))
	case v.Phone != "" && (len(v.Phone) < 5 || len(v.Phone) > 20 || strings.Trim(v.Phone, "0123456789+") != ""):
		return refuseVictim("bad_phone", "手机号：%s 无效", auth.MaskPhone(v.Phone))
	case v.Occupation != "" && occupations[v.Occupation] == "":
		return refuseVictim("bad_occupation", "职业：%q 无效", v.Occupation)
	case utf8.RuneCountInString(v.Address) > 200:
		return refuseVictim("bad_address", "地址：最长 200 字")
	}
	if v.BirthDate != "" {
		if _, err := time.Parse("2006-01-02", v.BirthDate); err != nil {
			return refuseVictim("bad_birth_date", "出生日期：%q 应为 YYYY-MM-DD", v.BirthDate)
		}
	}
	if in.AreaID != nil && *in.AreaID != 0 && *in.AreaID != v.AreaID {
		a, err := area.Get(ctx, q, *in.AreaID)
		if err != nil || !scope.Contains(a) {
			return refuseVictim("bad_area", "所在辖区：辖区 %d 不存在或不在您的辖区内", *in.AreaID)
		}
		v.AreaID = a.ID
	}
	if in.Loss != nil || in.LossFen != nil {
		if hasTransfers {
			return refuseVictim("loss_from_transfers", "损失：该受害人已登记转账，损失按转账合计计算，请更正转账")
		}
		fen := int64(0)
		if in.LossFen != nil {
			fen = *in.LossFen
		} else if s := strings.TrimSpace(*in.Loss); s != "" {
			var err error
			if fen, err = money.ParseYuan(s); err != nil {
				return refuseVictim("bad_loss", "损失：%v", err)
			}
		}
		if fen < 0 {
			return refuseVictim("bad_loss", "损失：不能为负")
		}
		v.LossFen = fen
	}
	return nil
}

func validIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i, c := range s {
		if (c < '0' || c > '9') && !(i == 17 && c == 'X') {
			return false
		}
	}
	return true
}

// AddVictim adds a victim to a case in scope for the caller (who) and
// returns the victim's id.
func AddVictim(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, in VictimInput, now time.Time) (int64, error) {
	var id int64
	err := changeParties(ctx, d, scope, who, caseID, now, func(tx *db.Tx, c Case) (partyChange, error) {
		v := Victim{CaseID: c.ID, AreaID: c.AreaID}
		if err := in.apply(ctx, tx, scope, &v, false); err != nil {
			return partyChange{}, err
		}
		err := tx.QueryRow(ctx, `INSERT INTO victims (case_id, name, sex, birth_date, id_number, phone, address, area_id, occupation, loss_fen)
			VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, c.ID, v.Name, v.Sex, v.BirthDate, v.IDNumber, v.Phone, v.Address, v.AreaID,
			v.Occupation, v.LossFen).Scan(&id)
		if err != nil {
			return partyChange{}, fmt.Errorf("add victim: %w", err)
		}
		v.ID = id
		text := "新增受害人：" + v.Name
		if v.LossFen > 0 {
			text += "，损失 " + money.FormatYuan(v.LossFen) + " 元"
		}
		return partyChange{kind: VictimAdded, subject: id, after: PartyRecord{Victim: &v}, text: text, object: "victim"}, nil
	})
	return id, err
}

// CorrectVictim corrects the given fields of a victim of a case in scope.
func CorrectVictim(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID, victimID int64, in VictimInput, now time.Time) error {
	return changeParties(ctx, d, scope, who, caseID, now, func(tx *db.Tx, c Case) (partyChange, error) {
		i := c.victimIndex(victimID)
		if i < 0 {
			return partyChange{}, domain.NotFound("本案没有受害人 %d", victimID)
		}
		before := c.Victims[i]
		v := before
		if err := in.apply(ctx, tx, scope, &v, c.transfersOf(victimID) > 0); err != nil {
			return partyChange{}, err
		}
		if v == before {
			return partyChange{}, domain.Refuse("no_change", "受害人 %s 的信息没有变化", before.Name)
		}
		if _, err := tx.Exec(ctx, `UPDATE victims SET name = ?, sex = ?, birth_date = ?, id_number = ?, phone = ?, address = ?, area_id = ?,
			occupation = ?, loss_fen = ? WHERE id = ? AND case_id = ?`, v.Name, v.Sex, v.BirthDate, v.IDNumber, v.Phone, v.Address, v.AreaID,
			v.Occupation, v.LossFen, v.ID, c.ID); err != nil {
			return partyChange{}, fmt.Errorf("correct victim %d: %w", v.ID, err)
		}
		text := "更正受害人：" + v.Name + "（" + victimDiff(before, v) + "）"
		return partyChange{kind: VictimCorrected, subject: v.ID, before: PartyRecord{Victim: &before}, after: PartyRecord{Victim: &v},
			reason: in.Reason, text: text, object: "victim"}, nil
	})
}

// victimDiff names the fields that differ, for the timeline (no numbers).
func victimDiff(a, b Victim) string {
	var out []string
	for _, f := range []struct {
		name string
		diff bool
	}{{"姓名", a.Name != b.Name}, {"性别", a.Sex != b.Sex}, {"出生日期", a.BirthDate != b.BirthDate}, {"身份证号", a.IDNumber != b.IDNumber},
		{"手机号", a.Phone != b.Phone}, {"地址", a.Address != b.Address}, {"辖区", a.AreaID != b.AreaID}, {"职业", a.Occupation != b.Occupation},
		{"损失", a.LossFen != b.LossFen}} {
		if f.diff {
			out = append(out, f.name)
		}
	}
	return strings.Join(out, "、")
}

func (c Case) victimIndex(id int64) int {
	for i, v := range c.Victims {
		if v.ID == id {
			return i
		}
	}
	return -1
}

func (c Case) transfersOf(victimID int64) int {
	n := 0
	for _, t := range c.Transfers {
		if t.VictimID == victimID {
			n++
		}
	}
	return n
}

func (c Case) transferIndex(id int64) int {
	for i, t := range c.Transfers {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// normAccount takes spaces out of an account number.
func normAccount(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

// validAccount: 6 to 40 digits or letters (card numbers, payment
// platforms' account names with @ . _ -).
func validAccount(s string) bool {
	if len(s) < 6 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("@._-", r)
		if !ok {
			return false
		}
	}
	return true
}

// apply writes the given fields of in onto t (filling empty ones from a
// matched statement row) and checks the result.
func (in TransferInput) apply(ctx context.Context, q db.Querier, c Case, t *Transfer, now time.Time) error {
	set(&t.VictimID, in.VictimID)
	set(&t.At, in.At)
	set(&t.FromAccount, in.FromAccount)
	set(&t.ToAccount, in.ToAccount)
	set(&t.ToName, in.ToName)
	set(&t.Channel, in.Channel)
	set(&t.StatementRowID, in.StatementRowID)
	bankGiven := in.ToBank != nil && strings.TrimSpace(*in.ToBank) != ""
	set(&t.ToBank, in.ToBank)
	if in.AmountFen != nil {
		t.AmountFen = *in.AmountFen
	} else if in.Amount != nil {
		s := strings.TrimSpace(*in.Amount)
		if s == "" {
			t.AmountFen = 0
		} else {
			fen, err := money.ParseYuan(s)
			if err != nil {
				return domain.Refuse("bad_amount", "金额：%v", err).With(ErrTransferAmount)
			}
			t.AmountFen = fen
		}
	}
	t.FromAccount, t.ToAccount, t.ToName = normAccount(t.FromAccount), normAccount(t.ToAccount), strings.TrimSpace(t.ToName)
	if t.VictimID == 0 && len(c.Victims) == 1 {
		t.VictimID = c.Victims[0].ID
	}
	var row *StatementRowRef
	if t.StatementRowID != 0 {
		r, err := statementRow(ctx, q, t.StatementRowID)
		if err != nil {
			return err
		}
		r.fill(t)
		row = &r
	}
	switch {
	case t.VictimID == 0:
		return domain.Refuse("bad_victim", "受害人：请选择这笔转账的受害人").With(ErrNoVictim)
	case c.victimIndex(t.VictimID) < 0:
		return domain.Refuse("bad_victim", "受害人：本案没有受害人 %d", t.VictimID).With(ErrNoVictim)
	case t.AmountFen <= 0:
		return domain.Refuse("bad_amount", "金额：请填写大于 0 的金额（元）").With(ErrTransferAmount)
	case t.AmountFen > 100_000_000_000:
		return domain.Refuse("bad_amount", "金额：%s 元超出范围", money.FormatYuan(t.AmountFen)).With(ErrTransferAmount)
	case t.At.IsZero():
		return domain.Refuse("bad_time", "转账时间：请填写转账的时间").With(ErrTransferTime)
	case t.At.After(now.Add(time.Minute)):
		return domain.Refuse("bad_time", "转账时间：%s 晚于现在", t.At.In(zone.Shanghai).Format("2006-01-02 15:04")).With(ErrTransferTime)
	case t.At.Year() < 2000:
		return domain.Refuse("bad_time", "转账时间：%s 过早", t.At.In(zone.Shanghai).Format("2006-01-02")).With(ErrTransferTime)
	case t.ToAccount == "":
		return domain.Refuse("bad_account", "收款账号：请填写收款账号").With(ErrTransferAccount)
	case !validAccount(t.ToAccount):
		return domain.Refuse("bad_account", "收款账号：%s 不是有效账号（6–40 位数字或字母）", auth.MaskCard(t.ToAccount)).With(ErrTransferAccount)
	case t.FromAccount != "" && !validAccount(t.FromAccount):
		return domain.Refuse("bad_account", "转出账号：%s 不是有效账号（6–40 位数字或字母）", auth.MaskCard(t.FromAccount)).With(ErrTransferAccount)
	case t.FromAccount != "" && t.FromAccount == t.ToAccount:
		return domain.Refuse("bad_account", "收款账号：与转出账号相同").With(ErrTransferAccount)
	case t.Channel != "" && channels[t.Channel] == "":
		return domain.Refuse("bad_channel", "转账方式：%q 无效", t.Channel).With(ErrTransferAccount)
	}
	if !bankGiven && (in.ToAccount != nil || t.ToBank == "") {
		t.ToBank = CardBank(t.ToAccount)
	}
	t.ToBank = strings.TrimSpace(t.ToBank)
	if row != nil {
		if err := row.matches(*t); err != nil {
			return err
		}
	}
	return nil
}

// AddTransfer adds a losing transfer to a case in scope and returns its id.
func AddTransfer(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, in TransferInput, now time.Time) (int64, error) {
	var id int64
	err := changeParties(ctx, d, scope, who, caseID, now, func(tx *db.Tx, c Case) (partyChange, error) {
		var t Transfer
		if err := in.apply(ctx, tx, c, &t, now); err != nil {
			return partyChange{}, err
		}
		if err := rowFree(ctx, tx, t.StatementRowID, 0); err != nil {
			return partyChange{}, err
		}
		err := tx.QueryRow(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, to_name, amount_fen, channel,
			statement_row_id) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, c.ID, t.VictimID, db.Millis(t.At), t.FromAccount, t.ToAccount, t.ToBank,
			t.ToName, t.AmountFen, t.Channel, nullID(t.StatementRowID)).Scan(&id)
		if err != nil {
			return partyChange{}, fmt.Errorf("add transfer: %w", err)
		}
		t.ID = id
		return partyChange{kind: TransferAdded, subject: id, after: PartyRecord{Transfer: &t}, object: "case_transfer",
			text: "新增被骗转账：" + transferText(c, t)}, nil
	})
	return id, err
}

// CorrectTransfer corrects the given fields of a losing transfer of a case
// in scope.
func CorrectTransfer(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID, transferID int64, in TransferInput, now time.Time) error {
	return changeParties(ctx, d, scope, who, caseID, now, func(tx *db.Tx, c Case) (partyChange, error) {
		i := c.transferIndex(transferID)
		if i < 0 {
			return partyChange{}, domain.NotFound("本案没有转账 %d", transferID)
		}
		before := c.Transfers[i]
		t := before
		if err := in.apply(ctx, tx, c, &t, now); err != nil {
			return partyChange{}, err
		}
		if sameTransfer(t, before) {
			return partyChange{}, domain.Refuse("no_change", "这笔转账没有变化")
		}
		if err := rowFree(ctx, tx, t.StatementRowID, t.ID); err != nil {
			return partyChange{}, err
		}
		if _, err := tx.Exec(ctx, `UPDATE case_transfers SET victim_id = ?, at = ?, from_account = ?, to_account = ?, to_bank = ?, to_name = ?,
			amount_fen = ?, channel = ?, statement_row_id = ? WHERE id = ? AND case_id = ?`, t.VictimID, db.Millis(t.At), t.FromAccount, t.ToAccount,
			t.ToBank, t.ToName, t.AmountFen, t.Channel, nullID(t.StatementRowID), t.ID, c.ID); err != nil {
			return partyChange{}, fmt.Errorf("correct transfer %d: %w", t.ID, err)
		}
		return partyChange{kind: TransferCorrected, subject: t.ID, before: PartyRecord{Transfer: &before}, after: PartyRecord{Transfer: &t},
			reason: in.Reason, object: "case_transfer", text: "更正被骗转账：" + transferText(c, before) + " → " + transferText(c, t)}, nil
	})
}

// RemoveTransfer removes a losing transfer entered by mistake from a case
// in scope; the reason is required and the transfer stays in the case's
// history (PartyChanges).
func RemoveTransfer(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID, transferID int64, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	return changeParties(ctx, d, scope, who, caseID, now, func(tx *db.Tx, c Case) (partyChange, error) {
		i := c.transferIndex(transferID)
		if i < 0 {
			return partyChange{}, domain.NotFound("本案没有转账 %d", transferID)
		}
		if reason == "" {
			return partyChange{}, domain.Refuse("no_reason", "删除原因：请说明删除这笔转账的原因").With(ErrTransferGone)
		}
		t := c.Transfers[i]
		if _, err := tx.Exec(ctx, `DELETE FROM case_transfers WHERE id = ? AND case_id = ?`, t.ID, c.ID); err != nil {
			return partyChange{}, fmt.Errorf("remove transfer %d: %w", t.ID, err)
		}
		if c.transfersOf(t.VictimID) == 1 {
			// The victim's last transfer: no loss is known any more.
			if _, err := tx.Exec(ctx, `UPDATE victims SET loss_fen = 0 WHERE id = ?`, t.VictimID); err != nil {
				return partyChange{}, fmt.Errorf("remove transfer %d: %w", t.ID, err)
			}
		}
		return partyChange{kind: TransferRemoved, subject: t.ID, before: PartyRecord{Transfer: &t}, reason: reason, object: "case_transfer",
			text: "删除被骗转账：" + transferText(c, t) + "，原因：" + reason}, nil
	})
}

// transferText describes a transfer for the timeline, accounts masked.
func transferText(c Case, t Transfer) string {
	name := ""
	if i := c.victimIndex(t.VictimID); i >= 0 {
		name = c.Victims[i].Name + " "
	}
	s := fmt.Sprintf("%s%s 转入 %s %s 元", name, t.At.In(zone.Shanghai).Format("2006-01-02 15:04"), auth.MaskCard(t.ToAccount),
		money.FormatYuan(t.AmountFen))
	if t.StatementRowID != 0 {
		s += "（已匹配流水 #" + strconv.FormatInt(t.StatementRowID, 10) + "）"
	}
	return s
}

// StatementRowRef is a bank statement row a losing transfer is matched
// to.
type StatementRowRef struct {
	ID        int64     `json:"id"`
	Account   string    `json:"account"`
	At        time.Time `json:"at"`
	AmountFen int64     `json:"amount_fen"` // signed, seen from Account
	Counter   string    `json:"counter_account"`
	Summary   string    `json:"summary"`
}

func statementRow(ctx context.Context, q db.Querier, id int64) (StatementRowRef, error) {
	r := StatementRowRef{ID: id}
	var at int64
	err := q.QueryRow(ctx, `SELECT account, at, amount_fen, counter_account, summary FROM statement_rows WHERE id = ?`, id).
		Scan(&r.Account, &at, &r.AmountFen, &r.Counter, &r.Summary)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.Refuse("bad_statement_row", "匹配流水：没有编号为 %d 的流水", id).With(ErrRowMatch)
	}
	if err != nil {
		return r, fmt.Errorf("statement row %d: %w", id, err)
	}
	r.At = db.Time(at)
	return r, nil
}

// fill completes the empty fields of t from the row: an incoming row is
// the receiving account's, an outgoing one the victim's.
func (r StatementRowRef) fill(t *Transfer) {
	if t.AmountFen == 0 {
		t.AmountFen = max(r.AmountFen, -r.AmountFen)
	}
	if t.At.IsZero() {
		t.At = r.At
	}
	if r.AmountFen > 0 {
		t.ToAccount = cmpOr(t.ToAccount, r.Account)
		t.FromAccount = cmpOr(t.FromAccount, r.Counter)
	} else {
		t.FromAccount = cmpOr(t.FromAccount, r.Account)
		t.ToAccount = cmpOr(t.ToAccount, r.Counter)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return normAccount(b)
}

// matches checks that the row shows the transfer: the receiving account's
// incoming row or the victim's outgoing row, of the same amount, within a
// day of the transfer's time.
func (r StatementRowRef) matches(t Transfer) error {
	in := r.AmountFen > 0 && r.Account == t.ToAccount && (r.Counter == "" || t.FromAccount == "" || r.Counter == t.FromAccount)
	out := r.AmountFen < 0 && r.Account == t.FromAccount && (r.Counter == "" || r.Counter == t.ToAccount)
	switch {
	case !in && !out:
		return domain.Refuse("row_mismatch", "匹配流水：流水 #%d 不是 %s 转入 %s 的记录", r.ID, cmpOrText(auth.MaskCard(t.FromAccount)),
			auth.MaskCard(t.ToAccount)).With(ErrRowMatch)
	case max(r.AmountFen, -r.AmountFen) != t.AmountFen:
		return domain.Refuse("row_mismatch", "匹配流水：流水 #%d 的金额 %s 元与转账金额 %s 元不符", r.ID, money.FormatYuan(max(r.AmountFen, -r.AmountFen)),
			money.FormatYuan(t.AmountFen)).With(ErrRowMatch)
	case r.At.Sub(t.At) > 24*time.Hour || t.At.Sub(r.At) > 24*time.Hour:
		return domain.Refuse("row_mismatch", "匹配流水：流水 #%d 的时间 %s 与转账时间相差超过一天", r.ID,
			r.At.In(zone.Shanghai).Format("2006-01-02 15:04")).With(ErrRowMatch)
	}
	return nil
}

func cmpOrText(s string) string {
	if s == "" {
		return "受害人"
	}
	return s
}

// rowFree refuses a statement row already matched to another transfer.
func rowFree(ctx context.Context, q db.Querier, rowID, transferID int64) error {
	if rowID == 0 {
		return nil
	}
	var other int64
	err := q.QueryRow(ctx, `SELECT id FROM case_transfers WHERE statement_row_id = ? AND id <> ?`, rowID, transferID).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("statement row %d: %w", rowID, err)
	}
	return domain.Conflict("匹配流水：流水 #%d 已匹配另一笔被骗转账", rowID).With(ErrRowMatch)
}

func sameTransfer(a, b Transfer) bool {
	a.At, b.At = a.At.UTC(), b.At.UTC()
	return a == b
}
