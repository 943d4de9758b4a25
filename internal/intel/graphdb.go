package intel

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
)

// BuildGraph builds the entity graph of a jurisdiction from its warnings,
// its cases (victims, the accounts they paid) and the statements of the
// accounts it may see (money between accounts, the IPs and devices used),
// with the holders of known accounts.
func BuildGraph(ctx context.Context, q db.Querier, scope area.Node) (*Graph, error) {
	b := NewGraphBuilder()
	wc, wa := area.UnderClause("area_id", scope)
	rows, err := q.Query(ctx, `SELECT id, person_name, person_phone, person_id_number, person_address, scam_phone, scam_account,
		scam_url, scam_app, COALESCE(case_id, 0) FROM warnings WHERE merged_into IS NULL AND `+wc, wa)
	if err != nil {
		return nil, fmt.Errorf("graph: warnings: %w", err)
	}
	for rows.Next() {
		var id, caseID int64
		var name, phone, idn, addr, sp, sa, su, sapp string
		if err := rows.Scan(&id, &name, &phone, &idn, &addr, &sp, &sa, &su, &sapp, &caseID); err != nil {
			rows.Close()
			return nil, err
		}
		ev := "预警 #" + strconv.FormatInt(id, 10)
		person := personKey(name, phone, idn)
		if person != "" {
			b.LinkByKey(TPerson, person, TPhone, phone, LHolder, ev)
			b.LinkByKey(TPerson, person, TAddress, strings.TrimSpace(addr), LHolder, ev)
		}
		scam := []Entity{{TPhone, sp}, {TCard, sa}, {TURL, su}, {TApp, sapp}}
		for i, e := range scam {
			if e.Key == "" {
				continue
			}
			if person != "" {
				b.LinkByKey(TPerson, person, e.Type, e.Key, LVictim, ev)
			}
			for _, f := range scam[i+1:] {
				b.LinkByKey(e.Type, e.Key, f.Type, f.Key, LSameWarning, ev)
			}
			if caseID != 0 {
				b.LinkByKey(TCase, strconv.FormatInt(caseID, 10), e.Type, e.Key, LCaseContact, ev)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cc, ca := area.UnderClause("c.area_id", scope)
	rows, err = q.Query(ctx, `SELECT c.id, v.name, v.phone, v.id_number, v.address FROM victims v JOIN cases c ON c.id = v.case_id WHERE `+cc, ca)
	if err != nil {
		return nil, fmt.Errorf("graph: victims: %w", err)
	}
	for rows.Next() {
		var cid int64
		var name, phone, idn, addr string
		if err := rows.Scan(&cid, &name, &phone, &idn, &addr); err != nil {
			rows.Close()
			return nil, err
		}
		ev := "案件 #" + strconv.FormatInt(cid, 10) + " 受害人"
		if person := personKey(name, phone, idn); person != "" {
			b.LinkByKey(TCase, strconv.FormatInt(cid, 10), TPerson, person, LVictim, ev)
			b.LinkByKey(TPerson, person, TPhone, phone, LHolder, ev)
			b.LinkByKey(TPerson, person, TAddress, strings.TrimSpace(addr), LHolder, ev)
		}
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT c.id, ct.to_account, SUM(ct.amount_fen), COUNT(*) FROM case_transfers ct JOIN cases c ON c.id = ct.case_id
		WHERE `+cc+` GROUP BY c.id, ct.to_account`, ca)
	if err != nil {
		return nil, fmt.Errorf("graph: case transfers: %w", err)
	}
	for rows.Next() {
		var cid, sum, n int64
		var to string
		if err := rows.Scan(&cid, &to, &sum, &n); err != nil {
			rows.Close()
			return nil, err
		}
		b.LinkByKey(TCase, strconv.FormatInt(cid, 10), TCard, to, LCasePaid,
			fmt.Sprintf("案件 #%d 受害人转入 %d 笔 %s 元", cid, n, money.FormatYuan(sum)))
	}
	rows.Close()
	// The accounts victims paid from are the victims' own: the victim
	// holds them, and money from them to a mule says the mule reached a
	// victim (a weak link), not that the two accounts work together.
	victimCard := map[string]bool{}
	rows, err = q.Query(ctx, `SELECT ct.from_account, v.name, v.phone, v.id_number FROM case_transfers ct
		JOIN cases c ON c.id = ct.case_id JOIN victims v ON v.id = ct.victim_id WHERE ct.from_account <> '' AND `+cc, ca)
	if err != nil {
		return nil, fmt.Errorf("graph: victims' accounts: %w", err)
	}
	for rows.Next() {
		var from, name, phone, idn string
		if err := rows.Scan(&from, &name, &phone, &idn); err != nil {
			rows.Close()
			return nil, err
		}
		victimCard[from] = true
		if person := personKey(name, phone, idn); person != "" {
			b.LinkByKey(TPerson, person, TCard, from, LHolder, "受害人转出账户")
		}
	}
	rows.Close()
	vc, va := visibleAccounts("account", scope)
	rows, err = q.Query(ctx, `SELECT account, counter_account, COUNT(*), SUM(CASE WHEN amount_fen < 0 THEN -amount_fen ELSE amount_fen END)
		FROM statement_rows WHERE counter_account <> '' AND `+vc+` GROUP BY account, counter_account`, va...)
	if err != nil {
		return nil, fmt.Errorf("graph: statements: %w", err)
	}
	for rows.Next() {
		var a, c string
		var n, sum int64
		if err := rows.Scan(&a, &c, &n, &sum); err != nil {
			rows.Close()
			return nil, err
		}
		kind, ev := LTransfer, fmt.Sprintf("流水 %d 笔 %s 元", n, money.FormatYuan(sum))
		if victimCard[a] || victimCard[c] {
			kind, ev = LVictim, ev+"（受害人账户）"
		}
		b.LinkByKey(TCard, a, TCard, c, kind, ev)
	}
	rows.Close()
	for _, col := range []struct {
		name string
		t    EntityType
	}{{"ip", TIP}, {"mac", TDevice}} {
		rows, err = q.Query(ctx, `SELECT account, `+col.name+`, COUNT(*) FROM statement_rows WHERE `+col.name+` <> '' AND `+vc+
			` GROUP BY account, `+col.name, va...)
		if err != nil {
			return nil, fmt.Errorf("graph: %s: %w", col.name, err)
		}
		for rows.Next() {
			var a, v string
			var n int64
			if err := rows.Scan(&a, &v, &n); err != nil {
				rows.Close()
				return nil, err
			}
			b.LinkByKey(TCard, a, col.t, v, LUsedFrom, fmt.Sprintf("流水 %d 笔经此%s", n, strings.ToUpper(col.name)))
		}
		rows.Close()
	}
	ac, aa := visibleAccounts("number", scope)
	rows, err = q.Query(ctx, `SELECT number, holder_name, holder_id_number, holder_phone FROM accounts
		WHERE (holder_id_number <> '' OR holder_phone <> '') AND `+ac, aa...)
	if err != nil {
		return nil, fmt.Errorf("graph: accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var num, name, idn, phone string
		if err := rows.Scan(&num, &name, &idn, &phone); err != nil {
			return nil, err
		}
		ev := "开户资料"
		if person := personKey(name, phone, idn); person != "" {
			b.LinkByKey(TPerson, person, TCard, num, LHolder, ev)
			b.LinkByKey(TPerson, person, TPhone, phone, LHolder, ev)
		} else {
			b.LinkByKey(TCard, num, TPhone, phone, LHolder, ev)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	salt, err := LoadRefSalt(ctx, q)
	if err != nil {
		return nil, err
	}
	g := b.Build()
	g.salt = salt
	return g, nil
}

// personKey identifies a person: the ID number, else the phone, else the
// name (names alone are too weak to join people, so a person known only by
// name stays apart).
func personKey(name, phone, idn string) string {
	switch {
	case strings.TrimSpace(idn) != "":
		return "id:" + strings.TrimSpace(idn)
	case strings.TrimSpace(phone) != "":
		return "tel:" + strings.TrimSpace(phone)
	case strings.TrimSpace(name) != "":
		return "name:" + strings.TrimSpace(name)
	}
	return ""
}

// GraphGeneration is a fingerprint of the data the graph is built from
// (warnings, cases, victims and their transfers, statements, accounts):
// the highest id of each table, the latest update of the records edited in
// place (warnings, cases) and the counter the delete triggers bump
// (db.GenGraphDeletes, migration 00031). It changes whenever a record is
// added, removed or edited, on whichever replica, so a graph built at one
// generation stays right while the generation holds. Each part is one step
// down an index: no table is counted (the counts took seconds for a
// province).
func GraphGeneration(ctx context.Context, q db.Querier) (string, error) {
	var v [9]int64
	err := q.QueryRow(ctx, `SELECT
		(SELECT COALESCE(MAX(id), 0) FROM warnings), (SELECT COALESCE(MAX(updated_at), 0) FROM warnings),
		(SELECT COALESCE(MAX(id), 0) FROM cases), (SELECT COALESCE(MAX(updated_at), 0) FROM cases),
		(SELECT COALESCE(MAX(id), 0) FROM victims), (SELECT COALESCE(MAX(id), 0) FROM case_transfers),
		(SELECT COALESCE(MAX(id), 0) FROM statement_rows), (SELECT COALESCE(MAX(id), 0) FROM accounts),
		COALESCE((SELECT n FROM generations WHERE name = '`+db.GenGraphDeletes+`'), 0)`).
		Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8])
	if err != nil {
		return "", fmt.Errorf("graph generation: %w", err)
	}
	return fmt.Sprint(v), nil
}

// ErrGraphAboveCounty refuses the entity graph of a province or a city: it
// is built per county. A province's every account, case and statement row
// (6.9 million rows for ten counties over three years) did not build within
// a minute, and gangs are worked county by county; a province or city
// analyst opens a county's graph (GraphScope).
var ErrGraphAboveCounty = domain.Refuse("graph_per_county", "关系图与团伙研判按县进行：省、市级账号请选择一个县查看")

// GraphScope is the jurisdiction whose graph a caller of scope works on:
// scope itself for a county and below; for a province or a city, the
// county countyID within it (ErrGraphAboveCounty when none is chosen,
// not found when it is not a county of scope).
func GraphScope(ctx context.Context, q db.Querier, scope area.Node, countyID int64) (area.Node, error) {
	if !scope.Level.AboveCounty() {
		return scope, nil
	}
	if countyID == 0 {
		return area.Node{}, ErrGraphAboveCounty
	}
	n, err := area.Get(ctx, q, countyID)
	if err != nil {
		return area.Node{}, err
	}
	if n.Level != area.County || !scope.Contains(n) {
		return area.Node{}, domain.NotFound("辖区内没有这个县")
	}
	return n, nil
}

// GraphCache keeps each jurisdiction's graph while its data is unchanged,
// so the group list, a group page and an analyst expanding node after node
// do not rebuild it every click. Every read checks the data's generation
// (GraphGeneration) in the database: when another request or another
// replica changed the data, or the graph is older than MaxAge, the graph
// in hand is served once more while a new one is built in the background
// (one build per jurisdiction at a time); the first read of a
// jurisdiction waits for its build.
type GraphCache struct {
	MaxAge time.Duration // rebuild (in the background) at least this often; 0: 10 minutes
	mu     sync.Mutex
	m      map[string]*cachedGraph
}

type cachedGraph struct {
	g        *Graph
	gen      string
	at       time.Time
	err      error
	ready    chan struct{} // closed when the first build is done
	building bool          // a background rebuild runs
}

// Get returns the scope's graph. key names the database, so one process
// serving several keeps them apart.
func (c *GraphCache) Get(ctx context.Context, q db.Querier, key string, scope area.Node, now time.Time) (*Graph, error) {
	if scope.Level.AboveCounty() {
		return nil, ErrGraphAboveCounty
	}
	key += "|" + scope.Path
	gen, err := GraphGeneration(ctx, q)
	if err != nil {
		return nil, err
	}
	maxAge := c.MaxAge
	if maxAge == 0 {
		maxAge = 10 * time.Minute
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*cachedGraph{}
	}
	cg := c.m[key]
	if cg == nil {
		cg = &cachedGraph{ready: make(chan struct{})}
		c.m[key] = cg
		c.mu.Unlock()
		cg.g, cg.err = buildPrepared(ctx, q, scope)
		cg.gen, cg.at = gen, now
		close(cg.ready)
		if cg.err != nil {
			c.mu.Lock()
			if c.m[key] == cg {
				delete(c.m, key)
			}
			c.mu.Unlock()
		}
		return cg.g, cg.err
	}
	c.mu.Unlock()
	select {
	case <-cg.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if cg.err != nil {
		return nil, cg.err
	}
	c.mu.Lock()
	g := cg.g
	if (cg.gen != gen || now.Sub(cg.at) >= maxAge) && !cg.building {
		cg.building = true
		go c.rebuild(q, key, scope, cg, gen, now)
	}
	c.mu.Unlock()
	return g, nil
}

// buildPrepared builds a scope's graph with what every page reads from it
// (groups, references) worked out, so a build in the background leaves
// nothing to do on a request.
func buildPrepared(ctx context.Context, q db.Querier, scope area.Node) (*Graph, error) {
	g, err := BuildGraph(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	g.groupLabels()
	g.ByRef("")
	return g, nil
}

// Held reports whether the cache holds (or is building) the scope's graph.
func (c *GraphCache) Held(key string, scope area.Node) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key+"|"+scope.Path] != nil
}

// Prefetch starts building a scope's graph in the background when none is
// cached or being built, so the page that needs it next (the group list
// after the 两卡研判 page) finds it ready or under way.
func (c *GraphCache) Prefetch(q db.Querier, key string, scope area.Node, now time.Time) {
	if scope.Level.AboveCounty() {
		return
	}
	key += "|" + scope.Path
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*cachedGraph{}
	}
	if c.m[key] != nil {
		c.mu.Unlock()
		return
	}
	cg := &cachedGraph{ready: make(chan struct{})}
	c.m[key] = cg
	c.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		gen, err := GraphGeneration(ctx, q)
		if err == nil {
			cg.g, err = buildPrepared(ctx, q, scope)
		}
		cg.gen, cg.at, cg.err = gen, now, err
		close(cg.ready)
		if err != nil {
			c.mu.Lock()
			if c.m[key] == cg {
				delete(c.m, key)
			}
			c.mu.Unlock()
		}
	}()
}

// rebuild builds a scope's graph again in the background and puts it in
// place of the one in cg, unless the cache was emptied meanwhile.
func (c *GraphCache) rebuild(q db.Querier, key string, scope area.Node, cg *cachedGraph, gen string, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, err := buildPrepared(ctx, q, scope)
	c.mu.Lock()
	defer c.mu.Unlock()
	cg.building = false
	if err != nil || c.m[key] != cg {
		return
	}
	cg.g, cg.gen, cg.at = g, gen, now
}

// Invalidate drops every cached graph (after an import or a label in this
// process): the next read builds afresh.
func (c *GraphCache) Invalidate() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
