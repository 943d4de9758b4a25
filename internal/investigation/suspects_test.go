package investigation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	inv "github.com/fanzha/fanzha/internal/investigation"
)

// A suspect needs something to find them by, a known role and well-formed
// numbers; only roles that write cases record one.
func TestSuspectRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		for _, c := range []struct {
			name  string
			who   auth.AuditEntry
			in    inv.SuspectInput
			kind  error
			words string
		}{
			{"nothing to find them by", w.inv, inv.SuspectInput{Role: inv.Mule, Note: "高个子"}, domain.ErrInvalid, "请至少填写嫌疑人的姓名、身份证号、手机号或账号之一"},
			{"an unknown role", w.inv, inv.SuspectInput{Name: "李某", Role: "boss"}, domain.ErrInvalid, "嫌疑人角色 \"boss\" 无效"},
			{"a short ID number, masked in the message", w.inv, inv.SuspectInput{Name: "李某", IDNumber: "43010219900101"}, domain.ErrInvalid, "4301*********1 应为 18 位"},
			{"a phone with letters", w.inv, inv.SuspectInput{Name: "李某", Phones: []string{"138abc45678"}}, domain.ErrInvalid, "手机号"},
			{"a leader may not", w.leader, inv.SuspectInput{Name: "李某"}, domain.ErrForbidden, "领导无权登记犯罪嫌疑人"},
			{"another station's case", w.invB, inv.SuspectInput{Name: "李某"}, domain.ErrNotFound, ""},
			{"a name is enough, the role defaults to 其他", w.inv, inv.SuspectInput{Name: "李某"}, nil, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				sid, err := inv.AddSuspect(ctx, d, w.scopeOf(c.who), c.who, id, c.in, now)
				wantErr(t, err, c.kind, c.words)
				if c.kind == nil {
					s, err := inv.GetSuspect(ctx, d, w.stA, sid)
					if err != nil || s.Role != inv.OtherRole || s.RoleName != "其他" {
						t.Fatalf("suspect %+v %v", s, err)
					}
				}
			})
		}
	})
}

// A suspect is one person on several cases: the same ID number links the
// existing person; each station sees the suspect only through its own
// cases, and only the dispositions on those; numbers are masked like any
// person's.
func TestSuspectOnSeveralCasesAndScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a := w.newCase(t, d, w.vA, t0)
		b := w.newCase(t, d, w.vB, t0)
		in := inv.SuspectInput{Name: "王某", IDNumber: "43010219900101123x", Phones: []string{"138 1234 5678", "13812345678"},
			Accounts: []string{"6222 0212 3456 7890 123"}, Role: inv.CardFarmer}
		sid, err := inv.AddSuspect(ctx, d, w.stA, w.inv, a, in, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inv.GetSuspect(ctx, d, w.stB, sid); !errorsIs(err, domain.ErrNotFound) {
			t.Fatalf("station B sees a suspect of station A's case: %v", err)
		}
		if _, err := inv.Dispose(ctx, d, w.stA, w.inv, inv.DispositionInput{SuspectID: sid, CaseID: a, Kind: inv.Caught,
			At: day(2), Unit: "青石派出所", Place: "青石镇"}, now); err != nil {
			t.Fatal(err)
		}
		// Station B records the same person (same ID number) on its case.
		in.Phones = []string{"13900000000"}
		sid2, err := inv.AddSuspect(ctx, d, w.stB, w.invB, b, in, now)
		if err != nil || sid2 != sid {
			t.Fatalf("same ID number gave suspect %d, want %d (%v)", sid2, sid, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM suspects`); n != 1 {
			t.Fatalf("%d suspects, want one person", n)
		}
		fromB, err := inv.GetSuspect(ctx, d, w.stB, sid)
		if err != nil {
			t.Fatal(err)
		}
		if len(fromB.CaseIDs) != 1 || fromB.CaseIDs[0] != b || len(fromB.Disposals) != 0 {
			t.Fatalf("station B sees cases %v and %d dispositions, want only its case and none", fromB.CaseIDs, len(fromB.Disposals))
		}
		all, err := inv.GetSuspect(ctx, d, w.root, sid)
		if err != nil {
			t.Fatal(err)
		}
		if len(all.CaseIDs) != 2 || len(all.Disposals) != 1 || len(all.Phones) != 2 || all.Phones[0] != "13812345678" || all.Accounts[0] != "6222021234567890123" {
			t.Fatalf("county sees %+v", all)
		}
		m := all.Masked(auth.Masker{})
		if m.IDNumber != "4301*************X" || m.Phones[0] != "138****5678" || strings.Contains(m.Accounts[0], "02123456") {
			t.Fatalf("masked %q %q %q", m.IDNumber, m.Phones[0], m.Accounts[0])
		}
		if u := all.Masked(auth.Masker{Unmasked: true}); u.IDNumber != "43010219900101123X" {
			t.Fatalf("unmasked ID %q", u.IDNumber)
		}
		list, err := inv.CaseSuspects(ctx, d, w.stA, a)
		if err != nil || len(list) != 1 || list[0].ID != sid || len(list[0].Disposals) != 1 {
			t.Fatalf("case A's suspects %+v %v", list, err)
		}
		// Linking again is refused; linking to a case the caller cannot see
		// is not found.
		err = inv.LinkSuspect(ctx, d, w.root, w.inv2, sid, a, now)
		wantErr(t, err, domain.ErrConflict, "该嫌疑人已在本案中")
		c := w.newCase(t, d, w.vB, t0)
		err = inv.LinkSuspect(ctx, d, w.stA, w.inv, sid, c, now)
		wantErr(t, err, domain.ErrNotFound, "")
		if err := inv.LinkSuspect(ctx, d, w.stB, w.invB, sid, c, now); err != nil {
			t.Fatal(err)
		}
	})
}

// Dispositions come in a legal order and carry what the bulletin and the
// case file need: 抓获 with the unit and place; 刑事拘留, 行政处罚, 训诫
// after 抓获; 逮捕 after 抓获 or 刑事拘留; 判决 after 移送起诉.
func TestDispositionRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a := w.newCase(t, d, w.vA, t0)
		other := w.newCase(t, d, w.vA, t0)
		sid, err := inv.AddSuspect(ctx, d, w.stA, w.inv, a, inv.SuspectInput{Name: "赵某", Role: inv.Organiser}, now)
		if err != nil {
			t.Fatal(err)
		}
		dispose := func(who auth.AuditEntry, in inv.DispositionInput) error {
			if in.SuspectID == 0 {
				in.SuspectID = sid
			}
			if in.CaseID == 0 {
				in.CaseID = a
			}
			_, err := inv.Dispose(ctx, d, w.scopeOf(who), who, in, now)
			return err
		}
		for _, c := range []struct {
			name  string
			who   auth.AuditEntry
			in    inv.DispositionInput
			kind  error
			words string
		}{
			{"刑事拘留 before 抓获", w.inv, inv.DispositionInput{Kind: inv.Detained, At: day(2)}, domain.ErrConflict, "登记刑事拘留前须先登记抓获"},
			{"抓获 without the place", w.inv, inv.DispositionInput{Kind: inv.Caught, At: day(2), Unit: "青石派出所"}, domain.ErrInvalid, "须填写抓获单位和抓获地点"},
			{"抓获 in the future", w.inv, inv.DispositionInput{Kind: inv.Caught, At: now.Add(72 * time.Hour), Unit: "u", Place: "p"}, domain.ErrInvalid, "抓获日期不能晚于今天"},
			{"a leader may not", w.leader, inv.DispositionInput{Kind: inv.Caught, At: day(2), Unit: "u", Place: "p"}, domain.ErrForbidden, "无权登记"},
			{"an unknown kind", w.inv, inv.DispositionInput{Kind: "released", At: day(2)}, domain.ErrInvalid, "处置类型 \"released\" 无效"},
			{"a case the suspect is not on", w.inv, inv.DispositionInput{CaseID: other, Kind: inv.Caught, At: day(2), Unit: "u", Place: "p"}, domain.ErrInvalid, "该嫌疑人不在本案中"},
			{"another station", w.invB, inv.DispositionInput{Kind: inv.Caught, At: day(2), Unit: "u", Place: "p"}, domain.ErrNotFound, ""},
			{"抓获", w.inv, inv.DispositionInput{Kind: inv.Caught, At: day(2), Unit: "青石派出所", Place: "广东省东莞市"}, nil, ""},
			{"抓获 twice the same day", w.inv, inv.DispositionInput{Kind: inv.Caught, At: day(2).Add(time.Hour), Unit: "u", Place: "p"}, domain.ErrConflict, "本案已登记该嫌疑人 2026-10-03 的抓获"},
			{"刑事拘留 dated before the 抓获", w.inv, inv.DispositionInput{Kind: inv.Detained, At: day(1)}, domain.ErrConflict, "日期不晚于刑事拘留"},
			{"刑事拘留", w.inv, inv.DispositionInput{Kind: inv.Detained, At: day(3), DocNo: "拘字1号"}, nil, ""},
			{"判决 before 移送起诉", w.inv, inv.DispositionInput{Kind: inv.Sentenced, At: day(33)}, domain.ErrConflict, "登记判决前须先登记移送起诉"},
			{"逮捕", w.inv, inv.DispositionInput{Kind: inv.Arrested, At: day(30)}, nil, ""},
			{"移送起诉", w.inv, inv.DispositionInput{Kind: inv.Charged, At: day(32)}, nil, ""},
			{"判决", w.inv, inv.DispositionInput{Kind: inv.Sentenced, At: day(33)}, nil, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := count(t, d, `SELECT COUNT(*) FROM suspect_dispositions`)
				err := dispose(c.who, c.in)
				wantErr(t, err, c.kind, c.words)
				after := count(t, d, `SELECT COUNT(*) FROM suspect_dispositions`)
				if (c.kind == nil) != (after == before+1) {
					t.Fatalf("%d dispositions stored, had %d", after, before)
				}
			})
		}
		s, err := inv.GetSuspect(ctx, d, w.stA, sid)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, p := range s.Disposals {
			kinds = append(kinds, p.KindName)
		}
		if strings.Join(kinds, ",") != "抓获,刑事拘留,逮捕,移送起诉,判决" || s.Disposals[0].Unit != "青石派出所" || s.Disposals[0].Place != "广东省东莞市" {
			t.Fatalf("dispositions %v %+v", kinds, s.Disposals[0])
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'case_suspect' AND object_id = ? AND action = 'update' AND detail LIKE 'disposition %'`, itoa(sid)); n != 5 {
			t.Errorf("%d disposition audit lines, want 5", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = 'disposition' AND detail LIKE '抓获 2026-10-03：赵某，青石派出所于广东省东莞市'`, a); n != 1 {
			t.Errorf("the 抓获 is not on the timeline as written")
		}
	})
}
