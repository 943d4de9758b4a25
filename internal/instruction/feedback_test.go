package instruction_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// instructionXLSX writes an instruction file as an upper centre sends it.
func instructionXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"指令编号", "下发级别", "下发单位", "下发时间", "预警等级", "姓名", "手机号", "地址", "诈骗类型", "金额", "简要情况"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		at, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("Sheet1", at, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The round trip: an instruction file is imported, the warnings are
// worked, the feedback file is exported in the province's layout and read
// back in that layout as the issuer would; every row says what the records
// say. The 待反馈 queue shrinks by the rows sent, and a result that changes
// is sent again as version 2 (续报) while the others keep version 1.
func TestFeedbackFileRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		file := instructionXLSX(t, [][]any{
			{"SJ-001", "省", "省反诈中心", "2026-11-02 09:40", "资金预警", "王秀英", "13800000101", "青石镇李家村", "police", "50000", "冒充公检法要求转账"},
			{"SJ-002", "部", "部反诈中心", "2026-11-02 09:41", "高危", "李建国", "13800000102", "青石镇李家村", "investment", "", "投资理财"},
			{"SJ-003", "市", "市反诈中心", "2026-11-02 09:42", "高危", "赵丽", "13800000103", "城关街道新华社区", "police", "", "冒充公检法"},
			{"SJ-004", "运营商", "中国移动", "2026-11-02 09:43", "一般", "孙强", "13800000104", "城关街道新华社区", "loan", "", "贷款诈骗"},
		})
		rep, err := instruction.ImportFile(ctx, d, w.Intake, "指令.xlsx", bytes.NewReader(file), warning.SubmitOptions{Door: "upload", UserID: w.Duty.ID}, w.Now)
		if err != nil || rep.Registered != 4 || len(rep.Errors) > 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		p := warning.DefaultPolicy()
		at := w.Now.Add(5 * time.Minute)
		a, b := w.Actor(w.OffA), w.Actor(w.OffB)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		id1, id2, id3 := w.idOf(t, "SJ-001"), w.idOf(t, "SJ-002"), w.idOf(t, "SJ-003")
		must(warning.RecordContact(ctx, d, p, a, id1, warning.ContactInput{Method: "call", Result: "no_answer"}, at))
		must(warning.RecordContact(ctx, d, p, a, id1, warning.ContactInput{Method: "family", Result: "reached"}, at.Add(time.Minute)))
		_, err = warning.SetOutcome(ctx, d, p, a, id1, warning.OutcomeInput{Outcome: warning.OutcomeDissuaded, KeptFen: 5000000}, at.Add(2*time.Minute))
		must(err)
		must(warning.RecordContact(ctx, d, p, a, id2, warning.ContactInput{Method: "call", Result: "reached"}, at))
		out, err := warning.SetOutcome(ctx, d, p, a, id2, warning.OutcomeInput{Outcome: warning.OutcomeDefrauded, LossFen: 1200000}, at.Add(time.Minute))
		must(err)
		must(warning.RecordContact(ctx, d, p, b, id3, warning.ContactInput{Method: "call", Result: "no_answer"}, at))
		_, err = warning.SetOutcome(ctx, d, p, b, id3, warning.OutcomeInput{Outcome: warning.OutcomeUnreachable}, at.Add(time.Minute))
		must(err)

		before, _ := instruction.PendingFeedback(ctx, d, w.Root, at)
		if len(before) != 4 {
			t.Fatalf("待反馈 before the export: %d, want 4", len(before))
		}
		layout, err := instruction.LayoutByName("省厅预警反馈表")
		must(err)
		from, to := w.Now.Add(-24*time.Hour), w.Now.Add(time.Hour)
		sentAt := at.Add(10 * time.Minute)
		body, sent, err := instruction.ExportFeedback(ctx, d, w.Root, from, to, layout, w.Duty.ID, sentAt)
		must(err)
		if len(sent.New) != 3 {
			t.Fatalf("first export recorded %d reports, want 3 (the untouched one has no result)", len(sent.New))
		}
		back, err := instruction.ReadFile("反馈.xlsx", bytes.NewReader(body), layout)
		must(err)
		want := map[string]instruction.Report{
			"SJ-001": {Number: "SJ-001", Station: "青石派出所", Officer: "a1", Reached: true, ContactMethod: "联系家属", Result: "劝阻成功", KeptFen: 5000000, Version: 1},
			"SJ-002": {Number: "SJ-002", Station: "青石派出所", Officer: "a1", Reached: true, ContactMethod: "电话", Result: "已被骗", CaseNo: out.CaseNo, Version: 1},
			"SJ-003": {Number: "SJ-003", Station: "城关派出所", Officer: "b1", Reached: false, ContactMethod: "电话", Result: "无法联系，落地核查中", Version: 1},
		}
		if len(back) != len(want) {
			t.Fatalf("read back %d rows, want %d: %+v", len(back), len(want), back)
		}
		for _, r := range back {
			x, ok := want[r.Number]
			if !ok {
				t.Fatalf("unexpected row %+v", r)
			}
			if r.Station != x.Station || r.Officer != x.Officer || r.Reached != x.Reached || r.ContactMethod != x.ContactMethod ||
				r.Result != x.Result || r.KeptFen != x.KeptFen || r.CaseNo != x.CaseNo || r.Version != x.Version || r.Onsite ||
				!r.SentAt.Equal(sentAt.Truncate(time.Minute)) {
				t.Errorf("%s read back %+v, want %+v", r.Number, r, x)
			}
		}
		if out.CaseNo == "" {
			t.Fatal("the defrauded warning has no case number")
		}
		after, _ := instruction.PendingFeedback(ctx, d, w.Root, sentAt)
		if len(after) != 1 || after[0].Number != "SJ-004" {
			t.Fatalf("待反馈 after the export: %+v, want SJ-004 only", after)
		}

		// The on-site check is done: the warning page says a 续报 is due, and
		// the next export carries it.
		info, err := instruction.Get(ctx, d, w.StB, id3)
		if err != nil || info.Changed || len(info.Sent) != 1 || info.Sent[0].Result != "无法联系，落地核查中" || info.SignMode != "auto" {
			t.Fatalf("instruction of SJ-003 before the visit: %+v %v", info, err)
		}
		if _, err := instruction.Get(ctx, d, w.StA, id3); err == nil {
			t.Fatal("station A read station B's instruction")
		}
		must(warning.RecordContact(ctx, d, p, b, id3, warning.ContactInput{Method: "visit", Result: "safe"}, sentAt.Add(time.Hour)))
		if info, err = instruction.Get(ctx, d, w.StB, id3); err != nil || !info.Changed || !info.Current.Onsite {
			t.Fatalf("instruction of SJ-003 after the visit: %+v %v", info, err)
		}
		body, sent, err = instruction.ExportFeedback(ctx, d, w.Root, from, to, layout, w.Duty.ID, sentAt.Add(2*time.Hour))
		must(err)
		if len(sent.New) != 1 || sent.New[0].Number != "SJ-003" || sent.New[0].Version != 2 {
			t.Fatalf("second export recorded %+v, want SJ-003 version 2", sent.New)
		}
		back, err = instruction.ReadFile("反馈.xlsx", bytes.NewReader(body), layout)
		must(err)
		versions := map[string]int64{}
		for _, r := range back {
			versions[r.Number] = r.Version
			if r.Number == "SJ-003" && (!r.Onsite || !r.Reached) {
				t.Errorf("续报 of SJ-003 %+v: want on-site checked and reached", r)
			}
		}
		if versions["SJ-001"] != 1 || versions["SJ-002"] != 1 || versions["SJ-003"] != 2 {
			t.Fatalf("versions in the second file %v", versions)
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM warning_events WHERE warning_id = ? AND kind = 'feedback'`, id3); n != 2 {
			t.Fatalf("%d feedback lines on SJ-003's timeline, want 2", n)
		}
	})
}

type fakeNATS struct {
	msgs [][]byte
	fail bool
}

func (f *fakeNATS) Publish(subject string, b []byte) error {
	if f.fail {
		return errors.New("no responders")
	}
	if subject != instruction.SubjectFeedback {
		return errors.New("wrong subject " + subject)
	}
	f.msgs = append(f.msgs, b)
	return nil
}

// The NATS and webhook doors send each new report once; a failed publish
// records nothing, so the report is still due.
func TestFeedbackDoors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.importCSV(t, header, "NB-1,银行,工商银行,2026-11-02 09:00,高危,甲,13800000031,青石镇李家村,police,,冒充公检法,")
		id := w.idOf(t, "NB-1")
		p := warning.DefaultPolicy()
		if err := warning.RecordContact(ctx, d, p, w.Actor(w.OffA), id, warning.ContactInput{Method: "call", Result: "reached"}, w.Now); err != nil {
			t.Fatal(err)
		}
		if _, err := warning.SetOutcome(ctx, d, p, w.Actor(w.OffA), id, warning.OutcomeInput{Outcome: warning.OutcomeDissuaded}, w.Now); err != nil {
			t.Fatal(err)
		}
		from, to := w.Now.Add(-time.Hour*24), w.Now.Add(time.Hour)
		down := &fakeNATS{fail: true}
		if _, err := instruction.PublishFeedback(ctx, d, down, w.Root, from, to, 0, w.Now); err == nil {
			t.Fatal("a failed publish was not reported")
		}
		if list, _ := instruction.PendingFeedback(ctx, d, w.Root, w.Now); len(list) != 1 {
			t.Fatalf("after a failed publish the queue has %d, want 1", len(list))
		}
		up := &fakeNATS{}
		for range 2 {
			if _, err := instruction.PublishFeedback(ctx, d, up, w.Root, from, to, 0, w.Now); err != nil {
				t.Fatal(err)
			}
		}
		if len(up.msgs) != 1 {
			t.Fatalf("published %d messages, want 1", len(up.msgs))
		}
		var m instruction.Message
		if err := json.Unmarshal(up.msgs[0], &m); err != nil || m.Report.Number != "NB-1" || m.Report.Version != 1 || m.Report.Result != "劝阻成功" {
			t.Fatalf("message %s (%v)", up.msgs[0], err)
		}
		// The webhook door: nothing new to send for NB-1.
		tg := []notify.Target{{URL: "http://192.0.2.1/hook", Format: notify.FormatJSON}}
		sent, err := instruction.WebhookFeedback(ctx, d, tg, w.Root, from, to, 0, w.Now)
		if err != nil || len(sent.New) != 0 || testworld.Count(t, d, `SELECT COUNT(*) FROM outbox WHERE kind = 'instruction_feedback'`) != 0 {
			t.Fatalf("webhook after NATS: %+v %v", sent, err)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET kept_fen = 100000 WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		sent, err = instruction.WebhookFeedback(ctx, d, tg, w.Root, from, to, 0, w.Now)
		if err != nil || len(sent.New) != 1 || sent.New[0].Version != 2 || testworld.Count(t, d, `SELECT COUNT(*) FROM outbox WHERE kind = 'instruction_feedback'`) != 1 {
			t.Fatalf("webhook 续报: %+v %v", sent, err)
		}
	})
}
