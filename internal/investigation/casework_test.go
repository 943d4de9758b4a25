package investigation_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	inv "github.com/fanzha/fanzha/internal/investigation"
)

// Tasks: given to an officer who may work the case, listed on the case,
// overdue on the assignee's home page until done; refused for an officer
// outside the case's jurisdiction, a dissuader, an empty title; a case
// outside the caller's scope is not found.
func TestTasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		due := now.Add(48 * time.Hour)
		cases := []struct {
			name  string
			in    inv.TaskInput
			kind  error
			words string
		}{
			{"ok", inv.TaskInput{CaseID: id, Title: "调取银行流水", AssigneeID: w.inv.UserID, Due: due}, nil, ""},
			{"empty title", inv.TaskInput{CaseID: id, Title: "  ", AssigneeID: w.inv.UserID, Due: due}, domain.ErrInvalid, "任务内容不能为空"},
			{"no due", inv.TaskInput{CaseID: id, Title: "x", AssigneeID: w.inv.UserID}, domain.ErrInvalid, "截止时间"},
			{"assignee elsewhere", inv.TaskInput{CaseID: id, Title: "x", AssigneeID: w.invB.UserID, Due: due}, domain.ErrInvalid, "不管辖本案"},
			{"assignee may not work cases", inv.TaskInput{CaseID: id, Title: "x", AssigneeID: w.diss.UserID, Due: due}, domain.ErrInvalid, "不能承办"},
		}
		for _, c := range cases {
			_, err := inv.AddTask(ctx, d, w.root, w.inv2, c.in, now)
			wantErr(t, err, c.kind, c.words)
		}
		_, err := inv.AddTask(ctx, d, w.stB, w.invB, inv.TaskInput{CaseID: id, Title: "x", AssigneeID: w.invB.UserID, Due: due}, now)
		wantErr(t, err, domain.ErrNotFound, "")
		_, err = inv.AddTask(ctx, d, w.stA, w.diss, inv.TaskInput{CaseID: id, Title: "x", AssigneeID: w.inv.UserID, Due: due}, now)
		wantErr(t, err, domain.ErrForbidden, "无权")

		list, err := inv.CaseTasks(ctx, d, w.stA, id, now)
		if err != nil || len(list) != 1 || list[0].AssigneeName != "inv" || list[0].Overdue {
			t.Fatalf("case tasks %+v, %v", list, err)
		}
		later := due.Add(time.Hour)
		over, err := inv.OverdueTasks(ctx, d, w.stA, w.inv.UserID, later)
		if err != nil || len(over) != 1 || over[0].CaseNo == "" || !over[0].Overdue {
			t.Fatalf("overdue %+v, %v", over, err)
		}
		if over, _ := inv.OverdueTasks(ctx, d, w.stA, w.inv.UserID, now); len(over) != 0 {
			t.Fatalf("not yet due, listed overdue: %+v", over)
		}
		if err := inv.SetTaskDone(ctx, d, w.stA, w.inv, list[0].ID, true, later); err != nil {
			t.Fatal(err)
		}
		if over, _ := inv.OverdueTasks(ctx, d, w.stA, w.inv.UserID, later.Add(time.Hour)); len(over) != 0 {
			t.Fatalf("done task still overdue: %+v", over)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = 'task'`, id); n != 2 {
			t.Fatalf("%d task lines on the timeline, want 2", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'case' AND detail LIKE 'task %'`); n != 2 {
			t.Fatalf("%d audit lines, want 2", n)
		}
	})
}

// The reminder: each overdue task is reminded once, also when two
// replicas sweep at once; a task reopened and overdue again is reminded
// again; done tasks are not.
func TestRemindOverdueOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		var ids []int64
		for i, title := range []string{"走访被害人", "冻结账户", "已完成的任务"} {
			tid, err := inv.AddTask(ctx, d, w.root, w.inv2, inv.TaskInput{CaseID: id, Title: title, AssigneeID: w.inv.UserID,
				Due: now.Add(time.Duration(i+1) * time.Hour)}, now)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tid)
		}
		if err := inv.SetTaskDone(ctx, d, w.root, w.inv2, ids[2], true, now); err != nil {
			t.Fatal(err)
		}
		later := now.Add(24 * time.Hour)
		var wg sync.WaitGroup
		sent := make([]int, 2)
		errs := make([]error, 2)
		for r := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sent[r], errs[r] = inv.RemindOverdue(ctx, d, nil, "", later)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !strings.Contains(err.Error(), "locked") {
				t.Fatal(err)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = 'task_reminder'`, id); n != 2 {
			t.Fatalf("%d reminders (replicas sent %v), want 2", n, sent)
		}
		if n, err := inv.RemindOverdue(ctx, d, nil, "", later.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("second sweep reminded %d, %v", n, err)
		}
		if err := inv.SetTaskDone(ctx, d, w.root, w.inv2, ids[0], true, later); err != nil {
			t.Fatal(err)
		}
		if err := inv.SetTaskDone(ctx, d, w.root, w.inv2, ids[0], false, later); err != nil {
			t.Fatal(err)
		}
		if n, err := inv.RemindOverdue(ctx, d, nil, "", later.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("reopened overdue task reminded %d times, %v; want 1", n, err)
		}
	})
}

// Notes and links: written on a case in scope, listed; a warning outside
// the caller's scope cannot be linked, the same link twice is a conflict,
// an intel group needs an entity key.
func TestNotesAndLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		if _, err := inv.AddNote(ctx, d, w.stA, w.inv, id, "被害人称对方自称客服", now); err != nil {
			t.Fatal(err)
		}
		_, err := inv.AddNote(ctx, d, w.stA, w.inv, id, "", now)
		wantErr(t, err, domain.ErrInvalid, "笔记不能为空")
		_, err = inv.AddNote(ctx, d, w.stB, w.invB, id, "x", now)
		wantErr(t, err, domain.ErrNotFound, "")
		notes, err := inv.CaseNotes(ctx, d, w.stA, id)
		if err != nil || len(notes) != 1 || notes[0].UserName != "inv" {
			t.Fatalf("notes %+v, %v", notes, err)
		}
		warning := func(area int64) int64 {
			var wid int64
			if err := d.QueryRow(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, created_at, updated_at)
				VALUES ('bank', ?, 1, 'high', ?, 1, 1) RETURNING id`, fmt.Sprint(area), area).Scan(&wid); err != nil {
				t.Fatal(err)
			}
			return wid
		}
		wA, wB := warning(w.vA.ID), warning(w.vB.ID)
		for _, c := range []struct {
			in    inv.LinkInput
			kind  error
			words string
		}{
			{inv.LinkInput{CaseID: id, Kind: inv.LinkWarning, WarningID: wA}, nil, ""},
			{inv.LinkInput{CaseID: id, Kind: inv.LinkWarning, WarningID: wA}, domain.ErrConflict, "已关联"},
			{inv.LinkInput{CaseID: id, Kind: inv.LinkWarning, WarningID: wB}, domain.ErrNotFound, ""},
			{inv.LinkInput{CaseID: id, Kind: inv.LinkIntelGroup, Ref: "13800000000"}, domain.ErrInvalid, "实体标识"},
			{inv.LinkInput{CaseID: id, Kind: inv.LinkIntelGroup, Ref: "phone:13800000000", Note: "同一话务窝点"}, nil, ""},
			{inv.LinkInput{CaseID: id, Kind: "other"}, domain.ErrInvalid, "关联类型"},
		} {
			_, err := inv.AddLink(ctx, d, w.stA, w.inv, c.in, now)
			wantErr(t, err, c.kind, c.words)
		}
		links, err := inv.CaseLinks(ctx, d, w.stA, id)
		if err != nil || len(links) != 2 || links[0].WarningID != wA || links[1].Ref != "phone:13800000000" {
			t.Fatalf("links %+v, %v", links, err)
		}
	})
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(1, 1, color.NRGBA{255, 0, 0, 128})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Attachments: the type comes from the bytes (a PNG named .pdf is stored
// as a .png, text named .jpg is refused), a PDF needs its end marker, the
// size is bounded; reading one is audited; outside the scope, not found.
func TestAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		for _, c := range []struct {
			name     string
			data     []byte
			kind     error
			words    string
			wantName string
			wantType string
		}{
			{"转账截图.pdf", pngBytes(t, 8, 8), nil, "", "转账截图.png", "image/png"},
			{"询问笔录.pdf", pdf, nil, "", "询问笔录.pdf", "application/pdf"},
			{"a.jpg", []byte("just text"), domain.ErrInvalid, "不是 JPEG、PNG、WebP 图片或 PDF", "", ""},
			{"cut.pdf", pdf[:20], domain.ErrInvalid, "不是完整的 PDF", "", ""},
			{"big.pdf", append([]byte("%PDF-"), make([]byte, inv.MaxAttachmentBytes)...), domain.ErrInvalid, "超过 10 MB", "", ""},
			{"empty", nil, domain.ErrInvalid, "附件为空", "", ""},
		} {
			a, err := inv.AddAttachment(ctx, d, w.stA, w.inv, id, inv.NewAttachment{Name: c.name, Data: c.data}, now)
			wantErr(t, err, c.kind, c.words)
			if c.kind == nil && (a.Name != c.wantName || a.ContentType != c.wantType) {
				t.Fatalf("%s stored as %s %s, want %s %s", c.name, a.Name, a.ContentType, c.wantName, c.wantType)
			}
		}
		list, err := inv.CaseAttachments(ctx, d, w.stA, id)
		if err != nil || len(list) != 2 {
			t.Fatalf("attachments %+v, %v", list, err)
		}
		_, _, err = inv.AttachmentData(ctx, d, w.stB, w.invB, list[1].ID, now)
		wantErr(t, err, domain.ErrNotFound, "")
		a, data, err := inv.AttachmentData(ctx, d, w.stA, w.inv, list[1].ID, now)
		if err != nil || !bytes.Equal(data, pdf) || a.Size != int64(len(pdf)) {
			t.Fatalf("read back %+v (%d bytes), %v", a, len(data), err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND object_type = 'case_attachment' AND username = 'inv'`); n != 1 {
			t.Fatalf("%d audited reads, want 1", n)
		}
		_, err = inv.AddAttachment(ctx, d, w.stB, w.invB, id, inv.NewAttachment{Name: "x.pdf", Data: pdf}, now)
		wantErr(t, err, domain.ErrNotFound, "")
	})
}
