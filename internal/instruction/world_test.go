package instruction_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// world is the shared test county (internal/testworld): two stations, a
// dissuader on duty in each, a duty officer at the centre, and the intake.
type world struct{ *testworld.World }

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	return &world{testworld.New(t, d)}
}

// importCSV imports an instruction file written as CSV lines.
func (w *world) importCSV(t *testing.T, lines ...string) instruction.ImportReport {
	t.Helper()
	rep, err := instruction.ImportFile(context.Background(), w.D, w.Intake, "指令.csv",
		bytes.NewReader([]byte(strings.Join(lines, "\n")+"\n")), warning.SubmitOptions{Door: "upload", UserID: w.Duty.ID}, w.Now)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("import row errors: %+v", rep.Errors)
	}
	return rep
}

// idOf finds the warning of an instruction number.
func (w *world) idOf(t *testing.T, number string) int64 {
	t.Helper()
	var id int64
	if err := w.D.QueryRow(context.Background(), `SELECT warning_id FROM instructions WHERE number = ?`, number).Scan(&id); err != nil {
		t.Fatalf("instruction %s: %v", number, err)
	}
	return id
}

const header = "指令编号,下发级别,下发单位,下发时间,预警等级,姓名,手机号,地址,诈骗类型,金额,简要情况,反馈截止时间"
