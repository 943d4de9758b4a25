package server

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
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

	// A case of station B: its victim paid the mule account, whose holder
	// the bank named; a suspect.
	_, err := d.Exec(ctx, `INSERT INTO accounts (number, bank, holder_name) VALUES (?, '建设银行', ?)`, walkMuleB, walkHolderB)
	must(err)
	at := now.Add(-48 * time.Hour)
	caseB, caseNo, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: f.stB.ID, StationID: f.stB.ID, FraudType: "police", ReportedAt: at,
		Victims: []funds.NewVictim{{Name: walkVictimB, IDNumber: walkVIDB, Phone: walkVPhoneB,
			Transfers: []funds.NewTransfer{{At: at, FromAccount: walkVFromB, ToAccount: walkMuleB, AmountFen: 800_000}}}}}, at)
	must(err)
	set("case", caseB)
	f.ids["caseno"] = caseNo
	_, err = funds.AddSuspect(ctx, d, f.stB, uid["invB"], funds.Suspect{CaseID: caseB, Name: walkSuspectB, Phone: walkSPhoneB, Role: "money_mule"}, now)
	must(err)
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
	plan, err := funds.CreateReturnPlan(ctx, d, f.stB, whoB, req, now)
	must(err)
	set("plan", plan)
	obj, err := funds.AddObjection(ctx, d, f.stB, whoB, plan, "宓某"+walkTagB, "异议"+walkTagB, now)
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

// walkSkip names the routes that carry no record of any station, with why.
var walkSkip = map[string]string{
	"GET /healthz":               "health, no records",
	"GET /readyz":                "health, no records",
	"POST /api/v1/login":         "authentication",
	"POST /api/v1/logout":        "authentication",
	"/api/":                      "not-found fallback",
	"GET /static/":               "embedded assets",
	"GET /favicon.ico":           "embedded asset",
	"/":                          "not-found fallback",
	"GET /login":                 "authentication",
	"POST /login":                "authentication",
	"POST /logout":               "authentication",
	"GET /login/2fa":             "authentication (second step)",
	"POST /login/2fa":            "authentication (second step)",
	"POST /account/2fa":          "the caller's own account, no records of others",
	"POST /account/2fa/recovery": "the caller's own account, no records of others",
	"POST /account/password":     "the caller's own account, no records of others",
	"GET /setup":                 "first-run setup, closed once the county exists",
	"POST /setup":                "first-run setup, closed once the county exists",
	"GET /api/v1/events":         "an endless stream: TestEventStreamScoped",
	"GET /api/v1/openapi.json":   "the API document, no records",
	"GET /api/v1/freeze-terms":   "settings, no records",
	"GET /api/v1/intel/weights":  "model weights, no records",
}

// walkGet lists, for each GET route, the requests to make: {name} is
// replaced by station B's record of that kind (newWalkFixture's ids).
// Every GET is also made with ?unmask=1.
var walkGet = map[string][]string{
	"GET /api/v1/me":                            {"/api/v1/me"},
	"GET /account":                              {"/account"},
	"GET /api/v1/areas":                         {"/api/v1/areas"},
	"GET /api/v1/areas/{id}":                    {"/api/v1/areas/{area}"},
	"GET /api/v1/users":                         {"/api/v1/users"},
	"GET /api/v1/audit":                         {"/api/v1/audit"},
	"GET /api/v1/audit/export":                  {"/api/v1/audit/export"},
	"GET /api/v1/warnings":                      {"/api/v1/warnings", "/api/v1/warnings?station={area}"},
	"GET /api/v1/warnings/{id}":                 {"/api/v1/warnings/{warning}"},
	"GET /api/v1/warnings/{id}/timeline":        {"/api/v1/warnings/{warning}/timeline"},
	"GET /api/v1/board":                         {"/api/v1/board", "/api/v1/board?station={area}"},
	"GET /api/v1/cases":                         {"/api/v1/cases"},
	"GET /api/v1/cases/{id}":                    {"/api/v1/cases/{case}"},
	"GET /api/v1/cases/{id}/requests":           {"/api/v1/cases/{case}/requests"},
	"GET /api/v1/partner/requests":              {"/api/v1/partner/requests"},
	"GET /api/v1/partner/me":                    {"/api/v1/partner/me"},
	"GET /api/v1/partner/reports":               {"/api/v1/partner/reports"},
	"GET /api/v1/partner/tasks":                 {"/api/v1/partner/tasks"},
	"GET /api/v1/partner/tasks/{id}":            {"/api/v1/partner/tasks/{task}"},
	"GET /api/v1/partner/webhook":               {"/api/v1/partner/webhook"},
	"GET /api/v1/partner/webhook/deliveries":    {"/api/v1/partner/webhook/deliveries"},
	"GET /api/v1/units":                         {"/api/v1/units"},
	"GET /api/v1/units/{id}":                    {"/api/v1/units/{unit}"},
	"GET /api/v1/units/{id}/webhook":            {"/api/v1/units/{unit}/webhook"},
	"GET /api/v1/units/{id}/webhook/deliveries": {"/api/v1/units/{unit}/webhook/deliveries"},
	"GET /api/v1/joint/meetings":                {"/api/v1/joint/meetings"},
	"GET /api/v1/joint/tasks":                   {"/api/v1/joint/tasks"},
	"GET /api/v1/joint/tasks/{id}":              {"/api/v1/joint/tasks/{task}"},
	"GET /api/v1/joint/figures":                 {"/api/v1/joint/figures"},
	"GET /joint":                                {"/joint"},
	"GET /unit":                                 {"/unit"},
	"GET /api/v1/statements/mappings":           {"/api/v1/statements/mappings"},
	"GET /api/v1/figures/overview":              {"/api/v1/figures/overview"},
	"GET /api/v1/figures/warnings":              {"/api/v1/figures/warnings"},
	"GET /api/v1/cases/{id}/trace":              {"/api/v1/cases/{case}/trace"},
	"GET /api/v1/cases/{id}/trace/explain":      {"/api/v1/cases/{case}/trace/explain?account={account}"},
	"GET /api/v1/freezes":                       {"/api/v1/freezes", "/api/v1/freezes?status=active"},
	"GET /api/v1/freezes/{id}":                  {"/api/v1/freezes/{request}"},
	"GET /api/v1/cases/{id}/timeline":           {"/api/v1/cases/{case}/timeline"},
	"GET /api/v1/cases/{id}/returns":            {"/api/v1/cases/{case}/returns"},
	"GET /api/v1/cases/{id}/returns.xlsx":       {"/api/v1/cases/{case}/returns.xlsx"},
	"GET /api/v1/return-plans/{id}":             {"/api/v1/return-plans/{plan}"},
	"GET /api/v1/figures/funds":                 {"/api/v1/figures/funds"},
	"GET /freezes":                              {"/freezes"},
	"GET /cases/{id}/returns":                   {"/cases/{case}/returns"},
	"GET /cases/{id}/returns.xlsx":              {"/cases/{case}/returns.xlsx"},
	"GET /{$}":                                  {"/"},
	"GET /warnings":                             {"/warnings", "/warnings?station={area}"},
	"GET /warnings/mine":                        {"/warnings/mine"},
	"GET /warnings/list":                        {"/warnings/list", "/warnings/list?station={area}"},
	"GET /warnings/import":                      {"/warnings/import"},
	"GET /warnings/new":                         {"/warnings/new"},
	"GET /warnings/{id}":                        {"/warnings/{warning}"},
	"GET /cases":                                {"/cases"},
	"GET /cases/{id}":                           {"/cases/{case}"},
	"GET /prevention":                           {"/prevention"},
	"GET /bulletins":                            {"/bulletins"},
	"GET /intel":                                {"/intel"},
	"GET /partners":                             {"/partners"},
	"GET /inbox":                                {"/inbox"},
	"GET /statements":                           {"/statements"},
	"GET /cases/new":                            {"/cases/new"},
	"GET /audit":                                {"/audit"},
	"GET /api/v1/prevention/options":            {"/api/v1/prevention/options"},
	"GET /api/v1/prevention/events":             {"/api/v1/prevention/events", "/api/v1/prevention/events?area_id={area}"},
	"GET /api/v1/prevention/events/{id}":        {"/api/v1/prevention/events/{event}"},
	"GET /api/v1/prevention/photos/{id}":        {"/api/v1/prevention/photos/{photo}"},
	"GET /api/v1/prevention/coverage":           {"/api/v1/prevention/coverage"},
	"GET /api/v1/prevention/surveys":            {"/api/v1/prevention/surveys"},
	"GET /api/v1/prevention/targeting":          {"/api/v1/prevention/targeting"},
	"GET /api/v1/bulletins/report":              {"/api/v1/bulletins/report", "/api/v1/bulletins/report?area={area}"},
	"GET /api/v1/bulletins/report.xlsx":         {"/api/v1/bulletins/report.xlsx"},
	"GET /api/v1/bulletins/runs":                {"/api/v1/bulletins/runs"},
	"GET /api/v1/bulletins/schedule":            {"/api/v1/bulletins/schedule"},
	"GET /api/v1/dashboard":                     {"/api/v1/dashboard"},
	"GET /bulletins/report":                     {"/bulletins/report", "/bulletins/report?area={area}"},
	"GET /dashboard":                            {"/dashboard"},
	"GET /prevention/new":                       {"/prevention/new"},
	"GET /prevention/events/{id}":               {"/prevention/events/{event}"},
	"GET /prevention/coverage":                  {"/prevention/coverage"},
	"GET /prevention/surveys":                   {"/prevention/surveys"},
	"GET /prevention/targeting":                 {"/prevention/targeting"},
	"GET /api/v1/intel/watch":                   {"/api/v1/intel/watch", "/api/v1/intel/watch?kind=phone"},
	"GET /api/v1/intel/accounts":                {"/api/v1/intel/accounts"},
	"GET /api/v1/intel/accounts/{id}":           {"/api/v1/intel/accounts/{account}"},
	"GET /api/v1/intel/outlets":                 {"/api/v1/intel/outlets"},
	"GET /api/v1/intel/outlets/export":          {"/api/v1/intel/outlets/export"},
	"GET /api/v1/intel/graph/expand": {"/api/v1/intel/graph/expand?account={account}&hops=6",
		"/api/v1/intel/graph/expand?node={ref}&hops=6", "/api/v1/intel/graph/expand?case={case}&hops=6"},
	"GET /api/v1/intel/groups":            {"/api/v1/intel/groups"},
	"GET /api/v1/intel/groups/{ref}":      {"/api/v1/intel/groups/{ref}"},
	"GET /api/v1/intel/cases/{id}/linked": {"/api/v1/intel/cases/{case}/linked"},
	"GET /intel/watch":                    {"/intel/watch"},
	"GET /intel/accounts/{id}":            {"/intel/accounts/{account}"},
	"GET /intel/graph":                    {"/intel/graph", "/intel/graph?account={account}", "/intel/graph?node={ref}"},
	"GET /intel/groups":                   {"/intel/groups"},
	"GET /intel/groups/{ref}":             {"/intel/groups/{ref}"},
	"GET /intel/outlets":                  {"/intel/outlets"},
	"GET /intel/outlets.xlsx":             {"/intel/outlets.xlsx"},
	"GET /admin":                          {"/admin"},
	"GET /admin/areas":                    {"/admin/areas"},
	"GET /admin/areas/export.csv":         {"/admin/areas/export.csv"},
	"GET /admin/areas/export.xlsx":        {"/admin/areas/export.xlsx"},
	"GET /admin/areas/{id}":               {"/admin/areas/{area}"},
	"GET /api/v1/areas/export":            {"/api/v1/areas/export"},
	"GET /admin/units":                    {"/admin/units"},
	"GET /admin/units/{id}":               {"/admin/units/{unit}"},
	"GET /admin/users":                    {"/admin/users", "/admin/users?area={area}"},
	"GET /admin/users/{id}":               {"/admin/users/{user}"},
	"GET /api/v1/users/{id}":              {"/api/v1/users/{user}"},
	"GET /api/v1/users/{id}/tokens":       {"/api/v1/users/{user}/tokens"},
	"GET /admin/roster":                   {"/admin/roster", "/admin/roster?area={area}"},
	"GET /admin/roster/export":            {"/admin/roster/export", "/admin/roster/export?area={area}&format=xlsx"},
	"GET /admin/settings":                 {"/admin/settings"},
	"GET /api/v1/settings":                {"/api/v1/settings"},
}

// walkNoID names the writes without a record id in the path: they act in
// the caller's own scope (creating, importing, rescoring) or on county
// settings, and are not walked with station B's ids.
var walkNoID = map[string]bool{
	"POST /api/v1/warnings": true, "POST /api/v1/warnings/import": true, "POST /api/v1/partner/reports": true,
	"PUT /api/v1/partner/webhook": true, "POST /api/v1/joint/meetings": true, "POST /api/v1/joint/tasks": true,
	"POST /joint/meetings": true, "POST /joint/tasks": true, "POST /unit/webhook": true,
	"POST /api/v1/statements/import": true, "POST /api/v1/statements/mappings": true, "POST /api/v1/cases": true,
	"POST /api/v1/warnings/next": true, "POST /warnings/next": true,
	"POST /warnings/import": true, "POST /warnings/new": true, "POST /statements/import": true, "POST /statements/mappings": true, "POST /cases/new": true,
	"POST /api/v1/prevention/events": true, "POST /api/v1/prevention/surveys": true, "PUT /api/v1/bulletins/schedule": true,
	"POST /prevention/events": true, "POST /prevention/surveys": true,
	"POST /api/v1/intel/labels": true, "POST /api/v1/intel/rescore": true, "POST /api/v1/intel/fit": true,
	"POST /api/v1/intel/outlets/import": true, "POST /intel/rescore": true,
	"POST /admin/areas/import": true, "POST /admin/areas/boundaries": true, "POST /admin/areas": true,
	"POST /api/v1/areas/import": true, "POST /api/v1/areas/boundaries": true, "POST /api/v1/areas": true,
	"POST /admin/units": true, "POST /api/v1/units": true,
	"POST /admin/users": true, "POST /admin/users/import": true, "POST /api/v1/users": true,
	"POST /admin/roster/shifts": true, "POST /admin/roster/patterns": true, "POST /admin/roster/leave": true,
	"POST /admin/roster/copy": true, "POST /admin/roster/import": true, "PUT /api/v1/settings": true,
}

// walkCreate gives writes without a record id a body that names station
// B's area, people or records: the jurisdiction must refuse them (403,
// 404, or 422 naming the jurisdiction) and nothing may change. Listed
// patterns are taken out of walkNoID's "not walked".
var walkCreate = map[string]string{
	"POST /api/v1/cases":              `{"area_id":{area},"fraud_type":"police","victims":[{"name":"x","loss_fen":100}]}`,
	"POST /api/v1/prevention/events":  `{"area_id":{village},"kind":"lecture","at":"2026-12-01T10:00:00+08:00","title":"x","organiser_kind":"station","audience":["elderly"],"reached":1}`,
	"POST /api/v1/prevention/surveys": `{"area_id":{area},"day":"2026-12-01","sample":10,"aware":5,"method":"street"}`,
	"POST /api/v1/intel/labels":       `{"account_id":{account},"label":"mule","note":"x"}`,
	"POST /api/v1/users":              `{"username":"walkNewB","role":"dissuader","area_id":{area},"password":"Walk-new-user-2026!"}`,
	"POST /admin/users":               "username=walkNewB2&role=dissuader&area_id={area}&password=Walk-new-user-2026!",
	"POST /prevention/events":         "area_id={village}&kind=lecture&at=2026-12-01T10:00&title=x&organiser_kind=station&audience=elderly&reached=1",
	"POST /prevention/surveys":        "area_id={area}&day=2026-12-01&sample=10&aware=5&method=street",
	"POST /admin/roster/shifts":       "area={area}&user_id={dissb}&duty=dissuader&starts_at=2026-12-10+08:00&ends_at=2026-12-10+16:00",
	"POST /admin/roster/leave":        "area={area}&user_id={dissb}&from=2026-12-10+08:00&to=2026-12-11+08:00&reason=x",
	"POST /admin/roster/patterns":     "area={area}&user_id={dissb}&duty=dissuader&weekdays=1&start=08:00&hours=8&from=2026-12-10",
	"POST /admin/roster/copy":         "area={area}&week=2026-12-07&weeks=1",
}

// walkWriteIDs says which of station B's records each path value of a
// write names, by the path segment before it.
var walkWriteIDs = map[string]string{
	"warnings": "warning", "cases": "case", "requests": "request", "freezes": "request", "return-plans": "plan",
	"return-objections": "objection", "returns": "plan", "inbox": "request", "tasks": "task", "units": "unit",
	"contacts": "contact", "areas": "area", "users": "user", "tokens": "token", "shifts": "shift", "patterns": "pattern",
	"leave": "leave", "settings": "group", "accounts": "account",
}

// walkBody gives the writes a valid body (JSON for the API, a form for
// pages; {name} filled as in walkGet), so that only the jurisdiction can
// refuse them. Writes not listed send {} or an empty form.
var walkBody = map[string]string{
	"POST /api/v1/warnings/{id}/contacts":         `{"method":"call","result":"reached","note":"x"}`,
	"POST /api/v1/warnings/{id}/outcome":          `{"outcome":"dissuaded","note":"x"}`,
	"POST /api/v1/warnings/{id}/handover":         `{"reason":"不在本辖区"}`,
	"POST /api/v1/warnings/{id}/emergency":        `{"kind":"suspend_card","unit_id":{unit},"account":"{mule}","reason":"x"}`,
	"POST /api/v1/warnings/{id}/fraud-type":       `{"fraud_type":"police"}`,
	"POST /api/v1/cases/{id}/fraud-type":          `{"fraud_type":"police"}`,
	"POST /api/v1/cases/{id}/requests":            `{"kind":"query","unit_id":{unit},"account":"{mule}","reason":"x"}`,
	"POST /api/v1/cases/{id}/trace/requests":      `{"kind":"freeze","unit_id":{unit},"account_id":{account}}`,
	"POST /api/v1/freezes/{id}/reject":            `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/release":           `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/renew":             `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/convert":           `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/confirm":           `{"frozen_fen":1,"reference":"x"}`,
	"POST /api/v1/return-plans/{id}/objections":   `{"objector":"x","text":"x"}`,
	"POST /api/v1/return-objections/{id}/resolve": `{"resolution":"x"}`,
	"POST /api/v1/return-plans/{id}/payments":     `{"victim_id":{victim},"amount_fen":1,"paid_at":"2026-10-02T00:00:00Z","reference":"x"}`,
	"POST /api/v1/joint/tasks/{id}/progress":      `{"note":"x"}`,
	"POST /api/v1/partner/tasks/{id}/progress":    `{"note":"x"}`,
	"PUT /api/v1/units/{id}/webhook":              `{"url":"https://hook.example/x","format":"json","secret":"0123456789abcdef"}`,
	"POST /warnings/{id}/contact":                 "method=call&result=reached&note=x",
	"POST /warnings/{id}/outcome":                 "outcome=dissuaded&note=x",
	"POST /warnings/{id}/handover":                "reason=x",
	"POST /warnings/{id}/emergency":               "kind=suspend_card&unit_id={unit}&account={mule}&reason=x",
	"POST /warnings/{id}/fraud-type":              "fraud_type=police",
	"POST /cases/{id}/requests":                   "kind=query&unit_id={unit}&account={mule}&amount=1&reason=x",
	"POST /cases/{id}/investigator":               "investigator_id=0",
	"POST /freezes/{id}/reject":                   "reason=x",
	"POST /freezes/{id}/convert":                  "reason=x",
	"POST /freezes/{id}/release":                  "reason=x",
	"POST /freezes/{id}/renew":                    "reason=x",
	"POST /freezes/{id}/confirm":                  "amount=1&reference=x",
	"POST /joint/tasks/{id}":                      "note=x",
	"POST /admin/roster/shifts/{id}/swap":         "user_id={own}",
	"POST /admin/roster/shifts/{id}/edit":         "starts_at=2026-12-10+08:00&ends_at=2026-12-10+16:00",
}

// countyWide are the kinds of records that belong to no station (member
// units and their contacts, joint tasks): writes name an id that does not
// exist. Who may change them is a question of role, not of jurisdiction
// (TestAPIAccessMatrix and the partner tests).
var countyWide = map[string]bool{"unit": true, "contact": true, "task": true}

var pathValueRe = regexp.MustCompile(`\{[a-z]+\}`)

// fill replaces {name} placeholders with station B's ids.
func (f *walkFixture) fill(t *testing.T, tmpl string) string {
	t.Helper()
	return pathValueRe.ReplaceAllStringFunc(tmpl, func(m string) string {
		v, ok := f.ids[m[1:len(m)-1]]
		if !ok {
			t.Fatalf("walk: no station B record for %s in %s", m, tmpl)
		}
		return v
	})
}

// fillWrite builds a write's path from its pattern, naming each path value
// by the segment before it.
func (f *walkFixture) fillWrite(t *testing.T, pattern string) (string, bool) {
	t.Helper()
	_, path, _ := strings.Cut(pattern, " ")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !pathValueRe.MatchString(s) {
			continue
		}
		kind, ok := walkWriteIDs[segs[i-1]]
		if !ok {
			return "", false
		}
		segs[i] = f.ids[kind]
		if countyWide[kind] {
			segs[i] = "999999"
		}
	}
	return strings.Join(segs, "/"), true
}

// recordTables are the tables holding the stations' records: the walk's
// writes must leave them as they were.
var recordTables = []string{"warnings", "warning_events", "contacts", "cases", "case_events", "case_suspects", "case_transfers",
	"victims", "accounts", "partner_requests", "return_plans", "return_objections", "return_payments", "prevention_events",
	"prevention_photos", "awareness_surveys", "duty_shifts", "roster_leave", "roster_patterns", "intel_labels", "areas",
	"units", "unit_contacts", "unit_webhooks", "joint_tasks", "joint_task_notes", "fraudtype_labels", "users"}

// snapshotQuery reads a table for the snapshot; users only by what a
// write could change (signing in updates the rest).
func snapshotQuery(table string) string {
	if table == "users" {
		return `SELECT id, username, display_name, role, area_id, phone, disabled_at FROM users`
	}
	return `SELECT * FROM ` + table
}

func snapshot(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, tb := range recordTables {
		rows, err := d.Query(ctx, snapshotQuery(tb))
		if err != nil {
			t.Fatalf("snapshot %s: %v", tb, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
			out[tb] = append(out[tb], b.String())
		}
		rows.Close()
		sort.Strings(out[tb])
	}
	return out
}

func TestScopeWalk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		patterns := f.s.Mux.RoutePatterns()
		var reads, writes, creates []string
		for _, p := range patterns {
			method, _, _ := strings.Cut(p, " ")
			switch {
			case walkSkip[p] != "":
			case walkGet[p] != nil:
				reads = append(reads, p)
			case method == "GET" || !strings.Contains(p, " "):
				t.Errorf("unknown route %q, add it to the walk (walkGet or walkSkip in scope_walk_test.go)", p)
			case walkCreate[p] != "":
				creates = append(creates, p)
			case walkNoID[p]:
			case strings.Contains(p, "{"):
				if _, ok := f.fillWrite(t, p); !ok {
					t.Errorf("unknown route %q, add it to the walk (its path value needs a kind in walkWriteIDs)", p)
					continue
				}
				writes = append(writes, p)
			default:
				t.Errorf("unknown route %q, add it to the walk (walkNoID in scope_walk_test.go)", p)
			}
		}
		for p := range walkGet {
			if !contains(patterns, p) {
				t.Errorf("walkGet lists %q, which is not registered", p)
			}
		}
		if t.Failed() {
			return
		}
		// The control: the centre sees station B's records, so the walk
		// below can find them where they are shown.
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		shown := map[string]bool{}
		f.walkReads(t, admin, "admin", reads, func(p, path string, status int, body string) {
			if len(f.leaks(body)) > 0 {
				shown[p] = true
			}
		})
		for _, p := range walkControl {
			if !shown[p] {
				t.Errorf("control: the centre does not see station B's records on %s: the fixture or the detector is broken", p)
			}
		}
		before := snapshot(t, d)
		for _, user := range f.roles {
			c := newConsoleClient(t, f.srv.URL)
			c.login(user, walkPass(user))
			csrf := c.csrf()
			ok := 0
			f.walkReads(t, c, user, reads, func(p, path string, status int, body string) {
				if status == http.StatusOK {
					ok++
				}
				if l := f.leaks(body); len(l) > 0 {
					t.Errorf("%s: GET %s (%d) shows station B's %q", user, path, status, l)
				}
				if status >= 500 {
					t.Errorf("%s: GET %s: %d %.300s", user, path, status, body)
				}
			})
			if ok < 10 {
				t.Errorf("%s: only %d pages answered 200: is the user signed in?", user, ok)
			}
			for _, p := range writes {
				method, _, _ := strings.Cut(p, " ")
				path, _ := f.fillWrite(t, p)
				status, body := f.write(t, c, csrf, user, method, path, walkBody[p])
				if status != http.StatusForbidden && status != http.StatusNotFound {
					t.Errorf("%s: %s %s on station B's record: %d, want 403 or 404: %.300s", user, method, path, status, body)
				}
				if l := f.leaks(body); len(l) > 0 {
					t.Errorf("%s: %s %s shows station B's %q", user, method, path, l)
				}
			}
			for _, p := range creates {
				method, path, _ := strings.Cut(p, " ")
				status, body := f.write(t, c, csrf, user, method, path, walkCreate[p])
				refused := status == http.StatusForbidden || status == http.StatusNotFound ||
					(status == http.StatusUnprocessableEntity && strings.Contains(body, "辖区"))
				if !refused {
					t.Errorf("%s: %s %s naming station B: %d, want 403, 404 or 422 naming the jurisdiction: %.300s", user, method, path, status, body)
				}
				if l := f.leaks(body); len(l) > 0 {
					t.Errorf("%s: %s %s shows station B's %q", user, method, path, l)
				}
			}
		}
		after := snapshot(t, d)
		for _, tb := range recordTables {
			if strings.Join(before[tb], "\n") != strings.Join(after[tb], "\n") {
				t.Errorf("the walk's writes changed table %s:\nbefore %v\nafter  %v", tb, before[tb], after[tb])
			}
		}
	})
}

// walkControl are routes on which the centre must see station B's
// records: proof that the fixture reaches every kind of page the walk
// checks.
var walkControl = []string{"GET /api/v1/warnings/{id}", "GET /warnings/{id}", "GET /api/v1/warnings", "GET /warnings",
	"GET /api/v1/cases/{id}", "GET /cases/{id}", "GET /cases", "GET /intel", "GET /api/v1/intel/accounts",
	"GET /api/v1/intel/watch", "GET /intel/accounts/{id}", "GET /api/v1/freezes", "GET /freezes", "GET /cases/{id}/returns",
	"GET /api/v1/cases/{id}/returns.xlsx", "GET /prevention", "GET /api/v1/prevention/events/{id}", "GET /statements",
	"GET /admin/users", "GET /admin/roster", "GET /api/v1/warnings/{id}/timeline", "GET /api/v1/intel/graph/expand"}

// write sends a write as user: to the API with the user's token and the
// body as JSON ("{}" when empty), to a page with the console session and
// the body as a form with the CSRF token.
func (f *walkFixture) write(t *testing.T, c *consoleClient, csrf, user, method, path, body string) (int, string) {
	t.Helper()
	if strings.HasPrefix(path, "/api/") {
		b := "{}"
		if body != "" {
			b = f.fill(t, body)
		}
		a := f.do(t, method, path, user, b)
		return a.status, a.body
	}
	form, err := url.ParseQuery(f.fill(t, body))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("csrf_token", csrf)
	a := c.post(path, form)
	return a.status, a.body
}

// walkReads makes every read of the walk as user (pages with the console
// session, the API with the user's token), each also with ?unmask=1.
func (f *walkFixture) walkReads(t *testing.T, c *consoleClient, user string, reads []string, check func(p, path string, status int, body string)) {
	t.Helper()
	for _, p := range reads {
		for _, tmpl := range walkGet[p] {
			u := f.fill(t, tmpl)
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			for _, path := range []string{u, u + sep + "unmask=1"} {
				if strings.HasPrefix(path, "/api/") {
					a := f.do(t, "GET", path, user, "")
					check(p, path, a.status, a.body)
				} else {
					a := c.get(path)
					check(p, path, a.status, a.body)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The walk fails on a route it does not know.
func TestScopeWalkKnowsEveryRoute(t *testing.T) {
	s := New(web.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.Mux.HandleFunc("GET /api/v1/brand-new", func(http.ResponseWriter, *http.Request) {})
	var unknown []string
	for _, p := range s.Mux.RoutePatterns() {
		method, _, _ := strings.Cut(p, " ")
		known := walkSkip[p] != "" || walkGet[p] != nil || walkNoID[p] || walkCreate[p] != "" || (method != "GET" && strings.Contains(p, "{"))
		if !known {
			unknown = append(unknown, p)
		}
	}
	if len(unknown) != 1 || unknown[0] != "GET /api/v1/brand-new" {
		t.Fatalf("unknown routes: %v", unknown)
	}
}

// The live event stream tells a station's board only about its own
// warnings: another station's warning id never reaches it.
func TestEventStreamScoped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/api/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["walkDiss"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rd := bufio.NewReader(resp.Body)
		if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
			t.Fatalf("stream starts with %q", line)
		}
		// Wait until the stream is subscribed.
		for i := 0; ; i++ {
			f.s.Hub.Mu.Lock()
			n := len(f.s.Hub.Subs)
			f.s.Hub.Mu.Unlock()
			if n > 0 {
				break
			}
			if i > 200 {
				t.Fatal("no subscriber")
			}
			time.Sleep(10 * time.Millisecond)
		}
		b := f.ids["warning"]
		f.s.Hub.Publish([]int64{mustInt(t, b)})             // B only: nothing is sent
		f.s.Hub.Publish([]int64{mustInt(t, b), f.warningA}) // A's id only
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			if strings.HasPrefix(line, "data:") {
				if want := "data: [" + itoa(f.warningA) + "]\n"; line != want {
					t.Fatalf("event data %q, want %q", line, want)
				}
				return
			}
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A grid worker's home page lists the events they logged, as
// GET /api/v1/prevention/events answers them: not another worker's, even
// in the same station.
func TestGridHomeOwnEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		ctx := context.Background()
		town := area.Node{ParentID: f.stA.ID, Level: area.Town, Code: "A-T", Name: "石门镇"}
		if err := area.Create(ctx, d, &town); err != nil {
			t.Fatal(err)
		}
		other := f.addUser(t, auth.NewUser{Username: "gridA2", Role: auth.RoleGrid, AreaID: f.stA.ID, Password: walkPass("gridA2")})
		var own int64
		_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'walkGrid'`).Scan(&own)
		for _, e := range []struct {
			user  int64
			title string
		}{{own, "自己的宣讲"}, {other, "同所他人宣讲"}} {
			if _, err := prevent.Create(ctx, d, f.stA, auth.AuditEntry{UserID: e.user}, prevent.NewEvent{AreaID: town.ID, Kind: "lecture",
				At: time.Now().Add(-time.Hour), Title: e.title, OrganiserKind: "grid_worker", Audience: []string{"elderly"}, Reached: 10}, nil, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("walkGrid", walkPass("walkGrid"))
		home := c.get("/")
		if home.status != 200 || !strings.Contains(home.body, "自己的宣讲") || strings.Contains(home.body, "同所他人宣讲") {
			t.Fatalf("grid home: %d, own event shown %v, other's shown %v", home.status,
				strings.Contains(home.body, "自己的宣讲"), strings.Contains(home.body, "同所他人宣讲"))
		}
		if a := f.do(t, "GET", "/api/v1/prevention/events", "walkGrid", ""); strings.Contains(a.body, "同所他人宣讲") || !strings.Contains(a.body, "自己的宣讲") {
			t.Fatalf("API: %s", a.body)
		}
	})
}

// The 两卡研判 page and GET /api/v1/intel/accounts are one query: the
// centre sees station B's mule account on both, station A's analyst on
// neither, and holder names are masked unless unmasked.
func TestIntelBusiestScoped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		a := f.do(t, "GET", "/api/v1/intel/accounts", "admin", "")
		if a.status != 200 || !strings.Contains(a.body, auth.MaskCard(walkMuleB)) || strings.Contains(a.body, walkHolderB) ||
			!strings.Contains(a.body, "燕**") {
			t.Fatalf("centre: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/intel/accounts?unmask=1", "admin", ""); !strings.Contains(a.body, walkMuleB) || !strings.Contains(a.body, walkHolderB) {
			t.Fatalf("centre unmasked: %s", a.body)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		if pg := c.get("/intel"); !strings.Contains(pg.body, auth.MaskCard(walkMuleB)) || strings.Contains(pg.body, walkHolderB) {
			t.Fatalf("centre page: %.500s", pg.body)
		}
		if a := f.do(t, "GET", "/api/v1/intel/accounts?unmask=1", "walkAn", ""); a.status != 200 || strings.Contains(a.body, "9183") {
			t.Fatalf("station A: %d %s", a.status, a.body)
		}
	})
}
