package server

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/returns"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/web"
)

// The jurisdiction walk: officers of station A, one per station-bound
// role, call every route the server registers (the router records them:
// routes.go) with the ids of station B's records, and no answer may carry
// anything that identifies those records. A route the walk does not know
// fails it, so a new route cannot slip by without a scope check.

// Station B's identifying values. Numbers are chosen so that their
// masked forms (last four digits) are unique in the fixture.
const (
	walkPersonB   = "蔺晓梅"
	walkPhoneB    = "13955504826"
	walkIDB       = "430102196502083317"
	walkScamAcctB = "6222020011117364"
	walkVictimB   = "阚振华"
	walkVPhoneB   = "13766602951"
	walkVIDB      = "430103194803035528"
	walkVFromB    = "6228009988775546"
	walkMuleB     = "6217001122339183"
	walkHolderB   = "燕子骞"
	walkCounterB  = "6230000000009911"
	walkSuspectB  = "邝德胜"
	walkSPhoneB   = "13500417762"
	walkOfficerB  = "司马青岚"
	walkOPhoneB   = "13611108264"
	walkDissB     = "濮阳秋实"
	walkGridB     = "仉红霞"
	walkTagB      = "B7731" // in titles, notes, reasons, references
)

// walkPass is the password of the walk's users.
func walkPass(user string) string { return "Walk-" + user + "-pass-2026!" }

type walkFixture struct {
	*fixture
	s        *web.Server
	ids      map[string]string // placeholder → station B's record id (or ref)
	secrets  []string          // literal strings of station B that must not appear
	patterns []*regexp.Regexp  // masked forms that must not appear
	roles    []string          // station A's users, one per station-bound role
}

func newWalkFixture(t *testing.T, d *db.DB) *walkFixture {
	t.Helper()
	ctx := context.Background()
	f := &walkFixture{fixture: newFixture(t, d), ids: map[string]string{}}
	now := time.Now()
	uid := map[string]int64{}
	for _, u := range []auth.NewUser{
		{Username: "walkDiss", Role: auth.RoleDissuader, AreaID: f.stA.ID},
		{Username: "walkInv", Role: auth.RoleInvestigator, AreaID: f.stA.ID},
		{Username: "walkHead", Role: auth.RoleStationHead, AreaID: f.stA.ID},
		{Username: "walkGrid", Role: auth.RoleGrid, AreaID: f.stA.ID},
		{Username: "walkAn", Role: auth.RoleAnalyst, AreaID: f.stA.ID},
		{Username: "walkDuty", Role: auth.RoleDuty, AreaID: f.stA.ID},
		{Username: "walkLead", Role: auth.RoleLeader, AreaID: f.stA.ID},
		{Username: "invB", Role: auth.RoleInvestigator, AreaID: f.stB.ID, DisplayName: walkOfficerB, Phone: walkOPhoneB},
		{Username: "dissB", Role: auth.RoleDissuader, AreaID: f.stB.ID, DisplayName: walkDissB},
		{Username: "gridB", Role: auth.RoleGrid, AreaID: f.stB.ID, DisplayName: walkGridB},
	} {
		u.Password = walkPass(u.Username)
		uid[u.Username] = f.addUser(t, u)
	}
	// The station-bound roles, and the centre's roles given a station.
	f.roles = []string{"walkDiss", "walkInv", "walkHead", "walkGrid", "walkAn", "walkDuty", "walkLead"}
	whoB := auth.AuditEntry{UserID: uid["invB"], Username: "invB"}
	set := func(k string, v int64) { f.ids[k] = itoa(v) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// A warning of station B.
	var w int64
	ms := db.Millis(now)
	must(d.QueryRow(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone, person_id_number,
		scam_account, area_id, station_id, status, created_at, updated_at) VALUES ('upper',?,?,'high',?,?,?,?,?,?,'open',?,?) RETURNING id`,
		"WB-"+walkTagB, ms, walkPersonB, walkPhoneB, walkIDB, walkScamAcctB, f.stB.ID, f.stB.ID, ms, ms).Scan(&w))
	set("warning", w)
	if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = ? WHERE id = ?`, uid["dissB"], w); err != nil {
		t.Fatal(err)
	}

	if a := f.do(t, "POST", "/api/v1/warnings/"+itoa(w)+"/contacts", "dissB", `{"method":"call","result":"reached","note":"联系`+walkTagB+`"}`); a.status >= 300 {
		t.Fatalf("contact: %d %s", a.status, a.body)
	}

	// Its instruction from the province (signed on assignment), a follow-up
	// call on B's dissuader's list, and a 96110 consultation of station B.
	icfg, err := instruction.LoadConfig(ctx, d)
	must(err)
	must(instruction.Register(ctx, d, icfg, []instruction.Input{{WarningID: w, Level: instruction.Province,
		Number: "省反诈指" + walkTagB, Issuer: "省厅反诈中心"}}, now))
	var fu int64
	must(d.QueryRow(ctx, `INSERT INTO followups (warning_id, seq, user_id, due_at, created_at) VALUES (?,1,?,?,?) RETURNING id`,
		w, uid["dissB"], db.Millis(now.Add(-time.Hour)), ms).Scan(&fu))
	set("followup", fu)
	cons, err := consult.Log(ctx, d, f.stB, whoB, consult.Input{Channel: "hotline", Kind: "tip", CallerName: walkPersonB,
		CallerPhone: walkPhoneB, Summary: "来电咨询" + walkTagB, ScamAccount: walkScamAcctB}, now)
	must(err)
	set("consultation", cons)
	// A 督办 task of station B, graded red in last month's league.
	var sup int64
	must(d.QueryRow(ctx, `INSERT INTO supervision_tasks (area_id, scope_id, period_from, period_to, title, figures, due_at, created_at)
		VALUES (?,?,?,?,?,'[]',?,?) RETURNING id`, f.stB.ID, f.root.ID, db.Millis(now.AddDate(0, -1, 0)), ms,
		"督办：考核评为红色 "+walkTagB, db.Millis(now.AddDate(0, 0, 7)), ms).Scan(&sup))
	set("supervision", sup)

	// A case of station B: its victim paid the mule account, whose holder
	// the bank named; a suspect.
	_, err = d.Exec(ctx, `INSERT INTO accounts (number, bank, holder_name) VALUES (?, '建设银行', ?)`, walkMuleB, walkHolderB)
	must(err)
	at := now.Add(-48 * time.Hour)
	caseB, caseNo, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: f.stB.ID, StationID: f.stB.ID, FraudType: "police", ReportedAt: at,
		Victims: []funds.NewVictim{{Name: walkVictimB, IDNumber: walkVIDB, Phone: walkVPhoneB,
			Transfers: []funds.NewTransfer{{At: at, FromAccount: walkVFromB, ToAccount: walkMuleB, AmountFen: 800_000}}}}}, at)
	must(err)
	set("case", caseB)
	f.ids["caseno"] = caseNo
	var transferB int64
	must(d.QueryRow(ctx, `SELECT id FROM case_transfers WHERE case_id = ?`, caseB).Scan(&transferB))
	set("transfer", transferB)
	// The case's lifecycle: 受理 done, 立案 waiting for a leader's approval;
	// a suspect of the lifecycle's model, caught.
	invWhoB := auth.AuditEntry{UserID: uid["invB"], Username: "invB", Role: auth.RoleInvestigator}
	_, err = investigation.Move(ctx, d, f.stB, invWhoB, investigation.Request{CaseID: caseB, Action: investigation.Accept, At: at}, now)
	must(err)
	_, err = investigation.Move(ctx, d, f.stB, invWhoB, investigation.Request{CaseID: caseB, Action: investigation.File, At: at,
		DocNo: "立字" + walkTagB, Reason: "立案" + walkTagB}, now)
	must(err)
	sus, err := investigation.AddSuspect(ctx, d, f.stB, invWhoB, caseB, investigation.SuspectInput{Name: walkSuspectB,
		Phones: []string{walkSPhoneB}, Role: investigation.Mule}, now)
	must(err)
	set("suspect", sus)
	_, err = investigation.Dispose(ctx, d, f.stB, invWhoB, investigation.DispositionInput{SuspectID: sus, CaseID: caseB,
		Kind: investigation.Caught, At: at, Unit: "城关派出所", Place: "车站" + walkTagB}, now)
	must(err)
	// Work inside the case: a task, a note, an attachment; a campaign of
	// station B holding the case.
	_, err = investigation.AddTask(ctx, d, f.stB, invWhoB, investigation.TaskInput{CaseID: caseB, Title: "任务" + walkTagB,
		AssigneeID: uid["invB"], Due: now.Add(-time.Hour)}, now.Add(-2*time.Hour))
	must(err)
	_, err = investigation.AddNote(ctx, d, f.stB, invWhoB, caseB, "备注"+walkTagB, now)
	must(err)
	att, err := investigation.AddAttachment(ctx, d, f.stB, invWhoB, caseB, investigation.NewAttachment{Name: "笔录" + walkTagB + ".pdf",
		Data: []byte("%PDF-1.4\n" + walkTagB + "\n%%EOF\n")}, now)
	must(err)
	set("attachment", att.ID)
	camp, err := investigation.CreateCampaign(ctx, d, f.stB, invWhoB, investigation.CampaignInput{Kind: investigation.Cluster,
		Name: "战役" + walkTagB, AreaID: f.stB.ID, Started: at}, now)
	must(err)
	set("campaign", camp)
	must(investigation.TagCase(ctx, d, f.stB, invWhoB, camp, caseB, true, now))
	var victim int64
	must(d.QueryRow(ctx, `SELECT id FROM victims WHERE case_id = ?`, caseB).Scan(&victim))
	set("victim", victim)
	var acct int64
	must(d.QueryRow(ctx, `SELECT id FROM accounts WHERE number = ?`, walkMuleB).Scan(&acct))
	set("account", acct)

	// The mule's statement, imported by B's investigator, then scores.
	stmt := "账号,交易时间,交易金额,余额,对方账号,摘要,IP地址\n" +
		walkMuleB + ",2026-10-01 10:00:00,8000.00,8000.00," + walkVFromB + ",转账,113.1.2.3\n"
	for i := 0; i < 4; i++ {
		stmt += fmt.Sprintf("%s,2026-10-01 10:0%d:00,-1990.00,,%s,转账,113.1.2.3\n", walkMuleB, i+1, walkCounterB)
	}
	if rep, err := funds.ImportStatement(ctx, d, "流水"+walkTagB+".csv", strings.NewReader(stmt), funds.ImportOptions{Mapping: "signed", UserID: uid["invB"]}); err != nil || rep.Bad != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if a := f.do(t, "POST", "/api/v1/intel/rescore", "admin", ""); a.status != 200 {
		t.Fatalf("rescore: %d %s", a.status, a.body)
	}
	ref, err := intel.EntityRef(ctx, d, intel.Entity{Type: intel.TCard, Key: walkMuleB})
	must(err)
	f.ids["ref"] = ref

	// A freeze of the mule account, confirmed, with a return plan and an
	// objection.
	var bank int64
	must(d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&bank))
	set("unit", bank)
	req, err := partner.CreateForCase(ctx, d, f.stB, whoB, uid["invB"], caseB,
		partner.CaseRequest{Kind: "freeze", UnitID: bank, Account: walkMuleB, Reason: "涉案" + walkTagB}, now)
	must(err)
	set("request", req)
	must(partner.Confirm(ctx, d, f.stB, whoB, req, 500_000, "冻字第"+walkTagB+"号", now))
	plan, err := returns.CreatePlan(ctx, d, f.stB, whoB, req, now)
	must(err)
	set("plan", plan)
	obj, err := returns.AddObjection(ctx, d, f.stB, whoB, plan, "宓某"+walkTagB, "异议"+walkTagB, now)
	must(err)
	set("objection", obj)

	// Prevention: an event in a village of B with a photo by B's grid
	// worker, a survey.
	village := area.Node{ParentID: f.stB.ID, Level: area.Town, Code: "B-T", Name: "柳溪镇"}
	must(area.Create(ctx, d, &village))
	set("village", village.ID)
	var pb bytes.Buffer
	must(png.Encode(&pb, image.NewGray(image.Rect(0, 0, 3, 3))))
	ev, err := prevent.Create(ctx, d, f.stB, auth.AuditEntry{UserID: uid["gridB"], Username: "gridB"}, prevent.NewEvent{AreaID: village.ID,
		Kind: "lecture", At: now.Add(-time.Hour), Title: "城关专场" + walkTagB, Place: "广场" + walkTagB, OrganiserKind: "station",
		Organiser: "佘明远", Audience: []string{"elderly"}, Reached: 77}, []prevent.NewPhoto{{Name: "b.png", Data: pb.Bytes()}}, now)
	must(err)
	set("event", ev)
	var photo int64
	must(d.QueryRow(ctx, `SELECT id FROM prevention_photos WHERE event_id = ?`, ev).Scan(&photo))
	set("photo", photo)
	_, err = prevent.RecordSurvey(ctx, d, f.stB, whoB, prevent.NewSurvey{AreaID: f.stB.ID, Day: roster.DayOf(now), Sample: 100, Aware: 60,
		Method: "street", Note: "问卷" + walkTagB}, now)
	must(err)

	// Roster: a shift, a weekly pattern and leave of B's officers.
	actor := roster.Actor{Scope: f.stB, Audit: whoB, Now: now}
	shift, err := roster.AddShift(ctx, d, actor, roster.ShiftInput{AreaID: f.stB.ID, UserID: uid["dissB"], Duty: roster.Dissuader,
		Start: now.Add(2 * time.Hour), End: now.Add(10 * time.Hour)})
	must(err)
	set("shift", shift)
	pat, err := roster.AddPattern(ctx, d, actor, roster.PatternInput{AreaID: f.stB.ID, UserID: uid["invB"], Duty: roster.Dissuader,
		Weekdays: 0x7f, Start: "08:00", Hours: 8, From: roster.DayOf(now).Format("2006-01-02")})
	must(err)
	set("pattern", pat)
	leave, err := roster.AddLeave(ctx, d, actor, uid["invB"], now.Add(24*time.Hour), now.Add(48*time.Hour), "事假"+walkTagB)
	must(err)
	set("leave", leave)

	// People: B's investigator and one of its tokens; B's area.
	set("user", uid["invB"])
	set("own", uid["walkDiss"])
	set("dissb", uid["dissB"])
	f.ids["mule"] = walkMuleB
	var tok int64
	must(d.QueryRow(ctx, `SELECT id FROM api_tokens WHERE user_id = ?`, uid["invB"]).Scan(&tok))
	set("token", tok)
	set("area", f.stB.ID)
	// County-wide records (member units' contacts, joint tasks) belong to
	// no station: an id that does not exist stands in (see countyWide).
	f.ids["contact"] = "999999"
	f.ids["task"] = "999999"
	f.ids["group"] = "deadlines"

	f.secrets = []string{walkPersonB, walkPhoneB, walkIDB, walkScamAcctB, walkVictimB, walkVPhoneB, walkVIDB, walkVFromB, walkMuleB,
		walkHolderB, walkCounterB, walkSuspectB, walkSPhoneB, walkOfficerB, walkOPhoneB, walkTagB, caseNo, "佘明远", walkDissB, walkGridB}
	for _, n := range []string{walkPersonB, walkVictimB, walkHolderB, walkSuspectB, walkOfficerB, walkDissB, walkGridB} {
		// Masked names keep the first character.
		f.patterns = append(f.patterns, regexp.MustCompile(regexp.QuoteMeta(string([]rune(n)[:1]))+`\*+`))
	}
	for _, num := range []string{walkPhoneB, walkScamAcctB, walkVPhoneB, walkVFromB, walkMuleB, walkCounterB, walkSPhoneB, walkOPhoneB} {
		// Any masked form ending in the number's last four digits.
		f.patterns = append(f.patterns, regexp.MustCompile(`\*[* ]*`+num[len(num)-4:]))
	}
	for _, id := range []string{walkIDB, walkVIDB} {
		f.patterns = append(f.patterns, regexp.MustCompile(id[:4]+`\*+`+id[len(id)-4:]))
	}

	// The server under test, built here so the walk can read its router.
	f.s = New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.s.SetReady(true)
	srv := httptest.NewServer(f.s.Handler())
	t.Cleanup(srv.Close)
	f.srv = srv
	return f
}

// leaks returns what of station B's records a body shows. Office
// documents (xlsx) are read inside their zip.
func (f *walkFixture) leaks(body string) []string {
	text := body
	if strings.HasPrefix(body, "PK") {
		if zr, err := zip.NewReader(strings.NewReader(body), int64(len(body))); err == nil {
			var b strings.Builder
			for _, zf := range zr.File {
				if rc, err := zf.Open(); err == nil {
					_, _ = io.Copy(&b, io.LimitReader(rc, 64<<20))
					rc.Close()
				}
			}
			text = b.String()
		}
	}
	text += "\n" + html2text(text)
	var out []string
	for _, s := range f.secrets {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	for _, re := range f.patterns {
		if m := re.FindString(text); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// html2text undoes the escaping of the few characters templates and JSON
// encoders escape, so a value is found however it was written.
func html2text(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", `\u0026`, "&", "&#34;", `"`, "&#39;", "'").Replace(s)
}
