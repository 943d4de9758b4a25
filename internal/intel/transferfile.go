package intel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// TransferMapping names the columns of a transfer list: one row per
// transfer with both ends (a bank's or a simulator's export of transfers
// rather than one account's statement). ImportTransfers turns each row into
// the two statement rows the banks of the two ends would have given — an
// outflow on the payer's statement and an inflow on the payee's — and
// stores them through the statement importer (funds.ImportStatement), so
// transfer lists and statements end in the same table with the same
// deduplication and bad-row reports.
type TransferMapping struct {
	Name   string
	From   string // payer account column
	To     string // payee account column
	Amount string // amount in yuan
	Time   string // time column
	// DayStep, when set, reads Time as a day number counted from Epoch (a
	// simulator's step) instead of a date and time; the transfer is placed
	// at noon Asia/Shanghai of that day.
	DayStep bool
	Epoch   time.Time
	// Prefix is put before every account number (keeps simulated accounts
	// apart from real ones).
	Prefix string
}

// AMLSimMapping reads IBM AMLSim's transactions.csv
// (sourceNodeId,targetNodeId,value,time, time a day step).
var AMLSimMapping = TransferMapping{
	Name: "amlsim", From: "sourceNodeId", To: "targetNodeId", Amount: "value", Time: "time",
	DayStep: true, Epoch: time.Date(2025, 1, 1, 12, 0, 0, 0, zone.Shanghai), Prefix: "AML",
}

// statementHeader is the "signed" dialect funds.BuiltinMappings knows.
var statementHeader = []string{"账号", "交易时间", "交易金额", "对方账号", "摘要"}

// TransfersAsStatement writes a transfer list as a statement CSV in the
// built-in "signed" dialect, two rows per transfer. A row that cannot be
// read is written with an empty time so the importer reports it with its
// reason.
func TransfersAsStatement(r io.Reader, m TransferMapping, w io.Writer) error {
	tr, err := tabular.Open("transfers.csv", r)
	if err != nil {
		return err
	}
	defer tr.Close()
	head, _, err := tr.Next()
	if err != nil {
		return fmt.Errorf("transfer list header: %w", err)
	}
	h := tabular.NewHeader(head)
	cf, ct, ca, cti := h.Find(m.From), h.Find(m.To), h.Find(m.Amount), h.Find(m.Time)
	if cf < 0 || ct < 0 || ca < 0 || cti < 0 {
		return fmt.Errorf("transfer list: header %q lacks one of %s, %s, %s, %s", strings.Join(head, ","), m.From, m.To, m.Amount, m.Time)
	}
	cw := tabular.NewCSVWriter(w)
	if err := cw.Write(statementHeader); err != nil {
		return err
	}
	for {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("transfer list row %d: %w", line, err)
		}
		from, to := strings.TrimSpace(tabular.Cell(row, cf)), strings.TrimSpace(tabular.Cell(row, ct))
		at := ""
		fen, aerr := money.ParseYuan(tabular.Cell(row, ca))
		if t, terr := m.time(tabular.Cell(row, cti)); terr == nil && aerr == nil && fen > 0 && from != "" && to != "" {
			at = t.In(zone.Shanghai).Format("2006-01-02 15:04:05")
		}
		amt := money.FormatYuan(fen)
		summary := "转账 第" + strconv.Itoa(line) + "行"
		if err := cw.Write([]string{m.Prefix + from, at, "-" + amt, m.Prefix + to, summary}); err != nil {
			return err
		}
		if err := cw.Write([]string{m.Prefix + to, at, amt, m.Prefix + from, summary}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (m TransferMapping) time(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m.DayStep {
		n, err := strconv.Atoi(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("day step %q: %w", s, err)
		}
		return m.Epoch.AddDate(0, 0, n), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, zone.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q", s)
}

// ImportTransfers stores a transfer list through the statement importer.
func ImportTransfers(ctx context.Context, d *db.DB, name string, r io.Reader, m TransferMapping, opt funds.ImportOptions) (funds.ImportReport, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(TransfersAsStatement(r, m, pw)) }()
	opt.Mapping = "signed"
	rep, err := funds.ImportStatement(ctx, d, name, pr, opt)
	pr.CloseWithError(io.ErrClosedPipe)
	return rep, err
}
