package server

import (
	"regexp"
	"strings"
	"testing"
)

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
	"GET /api/v1/cases/{id}/parties":            {"/api/v1/cases/{case}/parties"},
	"GET /api/v1/cases/{id}/lifecycle":          {"/api/v1/cases/{case}/lifecycle"},
	"GET /api/v1/cases/{id}/suspects":           {"/api/v1/cases/{case}/suspects"},
	"GET /api/v1/suspects/{id}":                 {"/api/v1/suspects/{suspect}"},
	"GET /api/v1/approvals":                     {"/api/v1/approvals"},
	"GET /api/v1/cases/{id}/tasks":              {"/api/v1/cases/{case}/tasks"},
	"GET /api/v1/tasks/overdue":                 {"/api/v1/tasks/overdue"},
	"GET /api/v1/cases/{id}/notes":              {"/api/v1/cases/{case}/notes"},
	"GET /api/v1/cases/{id}/attachments":        {"/api/v1/cases/{case}/attachments"},
	"GET /api/v1/cases/{id}/attachments/{aid}":  {"/api/v1/cases/{case}/attachments/{attachment}"},
	"GET /api/v1/cases/{id}/links":              {"/api/v1/cases/{case}/links"},
	"GET /api/v1/cases/{id}/series":             {"/api/v1/cases/{case}/series"},
	"GET /api/v1/campaigns":                     {"/api/v1/campaigns"},
	"GET /api/v1/campaigns/{id}":                {"/api/v1/campaigns/{campaign}"},
	"GET /api/v1/cases/{id}/file.xlsx":          {"/api/v1/cases/{case}/file.xlsx"},
	"GET /api/v1/figures/strike":                {"/api/v1/figures/strike", "/api/v1/figures/strike?node={area}"},
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
	"GET /cases/{id}/summary":                   {"/cases/{case}/summary"},
	"GET /campaigns":                            {"/campaigns"},
	"GET /campaigns/{id}":                       {"/campaigns/{campaign}"},
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
	// 指令闭环, 回访, 96110 and the league table (issue 24).
	"GET /api/v1/instructions/pending":       {"/api/v1/instructions/pending", "/api/v1/instructions/pending?overdue=1"},
	"GET /api/v1/instructions/feedback.xlsx": {"/api/v1/instructions/feedback.xlsx"},
	"GET /api/v1/warnings/feedback.xlsx":     {"/api/v1/warnings/feedback.xlsx"},
	"GET /api/v1/warnings/{id}/instruction":  {"/api/v1/warnings/{warning}/instruction"},
	"GET /api/v1/warnings/{id}/history":      {"/api/v1/warnings/{warning}/history"},
	"GET /api/v1/followups":                  {"/api/v1/followups", "/api/v1/followups?days=30"},
	"GET /api/v1/figures/dissuasion":         {"/api/v1/figures/dissuasion", "/api/v1/figures/dissuasion?area={area}"},
	"GET /api/v1/figures/league":             {"/api/v1/figures/league", "/api/v1/figures/league?area={area}"},
	"GET /api/v1/consultations":              {"/api/v1/consultations"},
	"GET /instructions":                      {"/instructions"},
	"GET /followups":                         {"/followups"},
	"GET /league":                            {"/league", "/league?area={area}"},
	"GET /consultations":                     {"/consultations"},
	"GET /api/v1/supervision/tasks":          {"/api/v1/supervision/tasks", "/api/v1/supervision/tasks?status=open"},
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
	"POST /api/v1/instructions/import": true, "POST /instructions/import": true, "POST /api/v1/registrations/import": true,
	"POST /instructions/feedback.xlsx": true, "POST /api/v1/consultations": true, "POST /consultations": true,
	"POST /api/v1/followups": true, "POST /followups": true,
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
	"POST /api/v1/campaigns":          `{"kind":"cluster","name":"x","area_id":{area}}`,
	"POST /api/v1/consultations":      `{"channel":"hotline","kind":"consult","summary":"x","area_id":{area}}`,
	"POST /consultations":             "channel=hotline&kind=consult&summary=x&area_id={area}",
	"POST /api/v1/followups":          `{"id":{followup},"result":"safe","note":"x"}`,
	"POST /followups":                 "id={followup}&result=safe&note=x",
	"POST /campaigns":                 "kind=cluster&name=x&area_id={area}",
}

// walkWriteIDs says which of station B's records each path value of a
// write names, by the two path segments before it ("league/tasks") or
// else the one before it.
var walkWriteIDs = map[string]string{
	"warnings": "warning", "cases": "case", "requests": "request", "freezes": "request", "return-plans": "plan",
	"return-objections": "objection", "returns": "plan", "inbox": "request", "tasks": "task", "units": "unit",
	"contacts": "contact", "areas": "area", "users": "user", "tokens": "token", "shifts": "shift", "patterns": "pattern",
	"leave": "leave", "settings": "group", "accounts": "account", "suspects": "suspect", "series": "case",
	"campaigns": "campaign", "consultations": "consultation", "victims": "victim", "transfers": "transfer",
	// Two segments where one is ambiguous: a 督办 task is a station's
	// record, unlike the county-wide joint tasks.
	"supervision/tasks": "supervision", "league/tasks": "supervision",
}

// walkBody gives the writes a valid body (JSON for the API, a form for
// pages; {name} filled as in walkGet), so that only the jurisdiction can
// refuse them. Writes not listed send {} or an empty form.
var walkBody = map[string]string{
	"POST /api/v1/warnings/{id}/contacts":                 `{"method":"call","result":"reached","note":"x"}`,
	"POST /api/v1/warnings/{id}/outcome":                  `{"outcome":"dissuaded","note":"x"}`,
	"POST /api/v1/warnings/{id}/handover":                 `{"reason":"不在本辖区"}`,
	"POST /api/v1/warnings/{id}/emergency":                `{"kind":"suspend_card","unit_id":{unit},"account":"{mule}","reason":"x"}`,
	"POST /api/v1/warnings/{id}/fraud-type":               `{"fraud_type":"police"}`,
	"POST /api/v1/cases/{id}/fraud-type":                  `{"fraud_type":"police"}`,
	"POST /api/v1/cases/{id}/steps":                       `{"action":"accept"}`,
	"POST /api/v1/cases/{id}/steps/decision":              `{"approve":true}`,
	"POST /api/v1/cases/{id}/suspects":                    `{"name":"x","role":"mule"}`,
	"POST /api/v1/cases/{id}/victims":                     `{"name":"x","loss":"1"}`,
	"PATCH /api/v1/cases/{id}/victims/{vid}":              `{"name":"x"}`,
	"POST /api/v1/cases/{id}/transfers":                   `{"at":"2026-10-01 10:00","to_account":"6222000011112222","amount":"1"}`,
	"PATCH /api/v1/cases/{id}/transfers/{tid}":            `{"amount":"1","reason":"x"}`,
	"POST /api/v1/cases/{id}/accounts":                    `{"account":"6222000033334444","kind":"mule"}`,
	"POST /api/v1/cases/{id}/tasks":                       `{"title":"x","assignee_id":{own},"due_at":"2026-12-31"}`,
	"POST /api/v1/cases/{id}/tasks/{tid}":                 `{"done":true}`,
	"POST /api/v1/cases/{id}/notes":                       `{"body":"x"}`,
	"POST /api/v1/cases/{id}/attachments":                 "%PDF-1.4\nx\n%%EOF\n",
	"POST /api/v1/cases/{id}/links":                       `{"kind":"warning","warning_id":{warning}}`,
	"POST /api/v1/cases/{id}/series":                      `{"case_ids":[{case}],"reason":"x"}`,
	"POST /api/v1/campaigns/{id}/cases":                   `{"case_id":{case}}`,
	"POST /api/v1/cases/{id}/suspects/{sid}/dispositions": `{"kind":"caught","unit":"x","place":"x"}`,
	"POST /api/v1/cases/{id}/requests":                    `{"kind":"query","unit_id":{unit},"account":"{mule}","reason":"x"}`,
	"POST /api/v1/cases/{id}/trace/requests":              `{"kind":"freeze","unit_id":{unit},"account_id":{account}}`,
	"POST /api/v1/freezes/{id}/reject":                    `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/release":                   `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/renew":                     `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/convert":                   `{"reason":"x"}`,
	"POST /api/v1/freezes/{id}/confirm":                   `{"frozen_fen":1,"reference":"x"}`,
	"POST /api/v1/return-plans/{id}/objections":           `{"objector":"x","text":"x"}`,
	"POST /api/v1/return-objections/{id}/resolve":         `{"resolution":"x"}`,
	"POST /api/v1/return-plans/{id}/payments":             `{"victim_id":{victim},"amount_fen":1,"paid_at":"2026-10-02T00:00:00Z","reference":"x"}`,
	"POST /api/v1/joint/tasks/{id}/progress":              `{"note":"x"}`,
	"POST /api/v1/partner/tasks/{id}/progress":            `{"note":"x"}`,
	"PUT /api/v1/units/{id}/webhook":                      `{"url":"https://hook.example/x","format":"json","secret":"0123456789abcdef"}`,
	"POST /warnings/{id}/contact":                         "method=call&result=reached&note=x",
	"POST /warnings/{id}/outcome":                         "outcome=dissuaded&note=x",
	"POST /warnings/{id}/handover":                        "reason=x",
	"POST /warnings/{id}/emergency":                       "kind=suspend_card&unit_id={unit}&account={mule}&reason=x",
	"POST /warnings/{id}/fraud-type":                      "fraud_type=police",
	"POST /cases/{id}/requests":                           "kind=query&unit_id={unit}&account={mule}&amount=1&reason=x",
	"POST /cases/{id}/investigator":                       "investigator_id=0",
	"POST /cases/{id}/steps":                              "action=accept",
	"POST /cases/{id}/steps/decision":                     "approve=1",
	"POST /cases/{id}/suspects":                           "name=x&role=mule",
	"POST /cases/{id}/victims":                            "name=x&loss=1",
	"POST /cases/{id}/victims/{vid}":                      "name=x",
	"POST /cases/{id}/transfers":                          "at=2026-10-01T10:00&to_account=6222000011112222&amount=1",
	"POST /cases/{id}/transfers/{tid}":                    "amount=1",
	"POST /cases/{id}/transfers/{tid}/remove":             "reason=x",
	"POST /cases/{id}/accounts":                           "account=6222000033334444&kind=mule",
	"POST /cases/{id}/suspects/{sid}/dispositions":        "kind=caught&unit=x&place=x",
	"POST /cases/{id}/tasks":                              "title=x&assignee_id={own}&due=2026-12-31",
	"POST /cases/{id}/tasks/{tid}":                        "done=1",
	"POST /cases/{id}/notes":                              "body=x",
	"POST /cases/{id}/links":                              "kind=warning&ref={warning}",
	"POST /cases/{id}/series":                             "case_nos={caseno}&reason=x",
	"POST /cases/{id}/series/{child}/unmerge":             "note=x",
	"POST /cases/{id}/campaigns":                          "campaign_id={campaign}",
	"POST /freezes/{id}/reject":                           "reason=x",
	"POST /freezes/{id}/convert":                          "reason=x",
	"POST /freezes/{id}/release":                          "reason=x",
	"POST /freezes/{id}/renew":                            "reason=x",
	"POST /freezes/{id}/confirm":                          "amount=1&reference=x",
	"POST /joint/tasks/{id}":                              "note=x",
	"POST /admin/roster/shifts/{id}/swap":                 "user_id={own}",
	"POST /admin/roster/shifts/{id}/edit":                 "starts_at=2026-12-10+08:00&ends_at=2026-12-10+16:00",
	"POST /api/v1/consultations/{id}/convert":             `{"name":"x","phone":"13900000001","grade":"high"}`,
	"POST /consultations/{id}/convert":                    "name=x&phone=13900000001&grade=high",
	"POST /api/v1/supervision/tasks/{id}/close":           `{"note":"x"}`,
	"POST /league/tasks/{id}/close":                       "note=x",
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
		kind, ok := "", false
		if i >= 2 {
			kind, ok = walkWriteIDs[segs[i-2]+"/"+segs[i-1]]
		}
		if !ok {
			kind, ok = walkWriteIDs[segs[i-1]]
		}
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
