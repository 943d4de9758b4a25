// Package prevent is 宣传防范: prevention events logged by stations, grid
// workers, schools and banks, with their photos; coverage of the villages,
// communities and grid cells over a period; awareness surveys (知晓率); and
// the targeting to-do list (精准滴灌) that sets local cases against the
// prevention that reached the same people.
package prevent

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
	"github.com/fanzha/fanzha/internal/fraudtype"
)

// Kinds of prevention event, in display order, with their Chinese names.
var Kinds = []Option{
	{"lecture", "讲座"}, {"stall", "摆摊宣传"}, {"door_to_door", "入户走访"}, {"screen", "LED屏"},
	{"group_push", "群聊推送"}, {"video", "短视频"}, {"school_class", "主题班会"}, {"bank_counter", "银行柜面"},
}

// Audiences are the audience groups an event can address. They are also the
// victim groups of targeting (see VictimGroup).
var Audiences = []Option{
	{"elderly", "老年人"}, {"students", "学生"}, {"enterprise", "企业职工"}, {"unemployed", "无业人员"}, {"general", "普通群众"},
}

// OrganiserKinds are who organised an event.
var OrganiserKinds = []Option{
	{"station", "派出所"}, {"grid_worker", "网格员"}, {"school", "学校"}, {"bank", "银行"}, {"operator", "运营商"},
	{"community", "村/社区"}, {"other", "其他"},
}

// Option is a code with its Chinese label.
type Option struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func optionName(opts []Option, code string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Name
		}
	}
	return code
}

func validOption(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}

// KindName is the Chinese name of an event kind.
func KindName(k string) string { return optionName(Kinds, k) }

// AudienceName is the Chinese name of an audience group.
func AudienceName(a string) string { return optionName(Audiences, a) }

// OrganiserKindName is the Chinese name of an organiser kind.
func OrganiserKindName(k string) string { return optionName(OrganiserKinds, k) }

// Event is one prevention event: what was submitted, and where and by whom
// it was recorded.
type Event struct {
	ID       int64  `json:"id"`
	AreaName string `json:"area_name"`
	NewEvent
	CreatedBy int64     `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Photos    []Photo   `json:"photos,omitempty"`
}

// NewEvent is what a person submits. Photos are attached separately
// (NewPhoto) and written in the same transaction.
type NewEvent struct {
	AreaID        int64     `json:"area_id"`
	Kind          string    `json:"kind"`
	At            time.Time `json:"at"`
	Title         string    `json:"title"`
	Place         string    `json:"place"`
	OrganiserKind string    `json:"organiser_kind"`
	Organiser     string    `json:"organiser"`
	Audience      []string  `json:"audience"`
	Reached       int64     `json:"reached"`
	Posters       int64     `json:"posters"`
	Leaflets      int64     `json:"leaflets"`
	Folders       int64     `json:"folders"`
	FraudTypes    []string  `json:"fraud_types"`
	Note          string    `json:"note"`
}

// Limits on an event's numbers: a single event reaching more than a million
// people or handing out more than a hundred thousand of one material is a
// typing error.
const (
	MaxReached   = 1_000_000
	MaxMaterials = 100_000
)

func invalid(format string, args ...any) error {
	return domain.Invalid("%s", fmt.Sprintf(format, args...))
}

// Validate checks an event against its rules at now; it trims and
// de-duplicates the lists in place.
func (e *NewEvent) Validate(now time.Time) error {
	if e.AreaID <= 0 {
		return invalid("请选择活动地点（辖区节点）")
	}
	if !validOption(Kinds, e.Kind) {
		return invalid("活动形式 %q 无效", e.Kind)
	}
	if e.At.IsZero() {
		return invalid("请填写活动时间")
	}
	if e.At.After(now.Add(time.Hour)) {
		return invalid("活动时间不能晚于现在")
	}
	if e.At.Before(now.AddDate(-2, 0, 0)) {
		return invalid("活动时间早于两年前，请检查")
	}
	e.Title = strings.TrimSpace(e.Title)
	if e.Title == "" {
		return invalid("请填写活动名称")
	}
	if utf8.RuneCountInString(e.Title) > 100 || utf8.RuneCountInString(e.Place) > 200 || utf8.RuneCountInString(e.Organiser) > 100 {
		return invalid("名称最多 100 字，地点最多 200 字，组织者最多 100 字")
	}
	if utf8.RuneCountInString(e.Note) > 2000 {
		return invalid("备注最多 2000 字")
	}
	if e.OrganiserKind == "" {
		e.OrganiserKind = "other"
	}
	if !validOption(OrganiserKinds, e.OrganiserKind) {
		return invalid("组织者类别 %q 无效", e.OrganiserKind)
	}
	e.Audience = dedupe(e.Audience)
	if len(e.Audience) == 0 {
		return invalid("请至少选择一个宣传对象")
	}
	for _, a := range e.Audience {
		if !validOption(Audiences, a) {
			return invalid("宣传对象 %q 无效", a)
		}
	}
	e.FraudTypes = dedupe(e.FraudTypes)
	for _, t := range e.FraudTypes {
		if !fraudtype.Valid(fraudtype.Code(t)) {
			return invalid("诈骗类型 %q 无效", t)
		}
	}
	if e.Reached <= 0 || e.Reached > MaxReached {
		return invalid("覆盖人数应在 1 到 %d 之间", MaxReached)
	}
	for _, m := range []int64{e.Posters, e.Leaflets, e.Folders} {
		if m < 0 || m > MaxMaterials {
			return invalid("宣传材料数量应在 0 到 %d 之间", MaxMaterials)
		}
	}
	return nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		for _, x := range strings.Split(s, ",") {
			x = strings.TrimSpace(x)
			if x != "" && !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out
}

// Create writes an event with its photos in one transaction and audits it.
// The place must lie in scope (the caller's jurisdiction).
func Create(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, e NewEvent, photos []NewPhoto, now time.Time) (int64, error) {
	if err := e.Validate(now); err != nil {
		return 0, err
	}
	if len(photos) > MaxPhotos {
		return 0, invalid("每次活动最多上传 %d 张照片", MaxPhotos)
	}
	checked := make([]checkedPhoto, 0, len(photos))
	for i, p := range photos {
		c, err := checkPhoto(p)
		if err != nil {
			return 0, fmt.Errorf("photo %d: %w", i+1, err)
		}
		checked = append(checked, c)
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		node, err := area.Get(ctx, tx, e.AreaID)
		if errors.Is(err, area.ErrNotFound) || (err == nil && !scope.Contains(node)) {
			return fmt.Errorf("prevention event place %d: %w", e.AreaID, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if node.Level.Centre() || node.Level == area.Station {
			return invalid("活动地点请选到乡镇、村/社区或网格")
		}
		if strings.TrimSpace(e.Place) == "" {
			e.Place = node.FullName
		}
		var creator any
		if who.UserID != 0 {
			creator = who.UserID
		}
		err = tx.QueryRow(ctx, `INSERT INTO prevention_events (area_id, kind, at, title, place, organiser_kind, organiser, audience,
			reached, posters, leaflets, folders, fraud_types, note, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
			e.AreaID, e.Kind, db.Millis(e.At), e.Title, strings.TrimSpace(e.Place), e.OrganiserKind, strings.TrimSpace(e.Organiser),
			strings.Join(e.Audience, ","), e.Reached, e.Posters, e.Leaflets, e.Folders, strings.Join(e.FraudTypes, ","),
			strings.TrimSpace(e.Note), creator, db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert prevention event: %w", err)
		}
		for _, p := range checked {
			if _, err := tx.Exec(ctx, `INSERT INTO prevention_photos (event_id, name, content_type, size, sha256, data, created_at)
				VALUES (?,?,?,?,?,?,?)`, id, p.name, p.contentType, int64(len(p.data)), p.sum, p.data, db.Millis(now)); err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
		}
		a := who.With(auth.AuditCreate, "prevention_event", strconv.FormatInt(id, 10))
		a.At = now
		a.Detail = fmt.Sprintf("%s %s %s 覆盖 %d 人，照片 %d 张", node.FullName, KindName(e.Kind), e.Title, e.Reached, len(checked))
		return auth.Audit(ctx, tx, a)
	})
	return id, err
}

// Filter selects events.
type Filter struct {
	From, To  time.Time // To exclusive; zero means open
	AreaID    int64     // a node under the scope; 0 for the whole scope
	Kind      string
	CreatedBy int64 // only this user's events (grid workers and schools see their own)
	Limit     int   // default 100, at most 1000
}

const eventColumns = `e.id, e.area_id, a.full_name, e.kind, e.at, e.title, e.place, e.organiser_kind, e.organiser, e.audience,
	e.reached, e.posters, e.leaflets, e.folders, e.fraud_types, e.note, COALESCE(e.created_by, 0), e.created_at`

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var at, created int64
	var aud, types string
	err := sc.Scan(&e.ID, &e.AreaID, &e.AreaName, &e.Kind, &at, &e.Title, &e.Place, &e.OrganiserKind, &e.Organiser, &aud,
		&e.Reached, &e.Posters, &e.Leaflets, &e.Folders, &types, &e.Note, &e.CreatedBy, &created)
	e.At, e.CreatedAt = db.Time(at), db.Time(created)
	e.Audience, e.FraudTypes = splitList(aud), splitList(types)
	return e, err
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// List returns the events in scope matching f, newest first, with the number
// of photos of each (not their bytes).
func List(ctx context.Context, q db.Querier, scope area.Node, f Filter) ([]Event, error) {
	var where db.Where
	where.And(area.UnderClause("e.area_id", scope))
	if f.AreaID != 0 {
		n, err := area.Get(ctx, q, f.AreaID)
		if err != nil || !scope.Contains(n) {
			return nil, fmt.Errorf("area %d: %w", f.AreaID, domain.ErrNotFound)
		}
		where.And(area.UnderClause("e.area_id", n))
	}
	where.Between("e.at", f.From, f.To).
		AndIf(f.Kind != "", "e.kind = ?", f.Kind).
		AndIf(f.CreatedBy != 0, "e.created_by = ?", f.CreatedBy)
	page := db.Page{Limit: f.Limit}.Clamp(100, 1000)
	rows, err := q.Query(ctx, `SELECT `+eventColumns+` FROM prevention_events e JOIN areas a ON a.id = e.area_id
		WHERE `+where.String()+` ORDER BY e.at DESC, e.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("prevention events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Get returns one event in scope with its photos' descriptions. When
// createdBy is not 0, only that user's event is found.
func Get(ctx context.Context, q db.Querier, scope area.Node, id, createdBy int64) (Event, error) {
	cond, arg := area.UnderClause("e.area_id", scope)
	e, err := scanEvent(q.QueryRow(ctx, `SELECT `+eventColumns+` FROM prevention_events e JOIN areas a ON a.id = e.area_id
		WHERE e.id = ? AND `+cond+` AND (? = 0 OR e.created_by = ?)`, id, arg, createdBy, createdBy))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("prevention event %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return Event{}, fmt.Errorf("prevention event %d: %w", id, err)
	}
	rows, err := q.Query(ctx, `SELECT id, name, content_type, size, sha256, created_at FROM prevention_photos WHERE event_id = ? ORDER BY id`, id)
	if err != nil {
		return e, fmt.Errorf("photos of event %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Photo
		var at int64
		if err := rows.Scan(&p.ID, &p.Name, &p.ContentType, &p.Size, &p.SHA256, &at); err != nil {
			return e, err
		}
		p.EventID, p.CreatedAt = id, db.Time(at)
		e.Photos = append(e.Photos, p)
	}
	return e, rows.Err()
}
