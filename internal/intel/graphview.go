package intel

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// Nodes are addressed from the console by an opaque reference, so a masked
// page never carries a full card or phone number in a link: a hash of the
// entity under a salt kept in the database (settings key RefSaltSetting),
// drawn once. Every process and every rebuild of the graph (a rescore, a
// restart, another replica) gives an entity the same reference, so a link
// to a node or to a group (named by one of its members) keeps working; a
// group link opens the group that holds the member now.
const RefSaltSetting = "intel.ref_salt"

// LoadRefSalt returns the reference salt of the database, drawing and
// storing it on first use (concurrent first uses agree: the first insert
// wins and everyone reads it back).
func LoadRefSalt(ctx context.Context, q db.Querier) ([]byte, error) {
	var v string
	if err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, RefSaltSetting).Scan(&v); err == nil {
		if salt, err := hex.DecodeString(v); err == nil && len(salt) > 0 {
			return salt, nil
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("graph reference salt: %w", err)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := q.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		RefSaltSetting, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("graph reference salt: %w", err)
	}
	if err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, RefSaltSetting).Scan(&v); err != nil {
		return nil, fmt.Errorf("graph reference salt: %w", err)
	}
	salt, err := hex.DecodeString(v)
	if err != nil || len(salt) == 0 {
		return nil, fmt.Errorf("graph reference salt: bad stored value")
	}
	return salt, nil
}

// RefWith is the reference of an entity under a salt.
func RefWith(salt []byte, e Entity) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte{byte(e.Type)})
	h.Write([]byte(e.Key))
	return hex.EncodeToString(h.Sum(nil)[:9])
}

// EntityRef is the reference of an entity in the database q.
func EntityRef(ctx context.Context, q db.Querier, e Entity) (string, error) {
	salt, err := LoadRefSalt(ctx, q)
	if err != nil {
		return "", err
	}
	return RefWith(salt, e), nil
}

// Ref is the reference of an entity in this graph.
func (g *Graph) Ref(e Entity) string { return RefWith(g.salt, e) }

// ByRef finds a node by its reference.
func (g *Graph) ByRef(ref string) (int32, bool) {
	g.refOnce.Do(func() {
		g.refs = make(map[string]int32, len(g.ents))
		for i, e := range g.ents {
			g.refs[g.Ref(e)] = int32(i)
		}
	})
	id, ok := g.refs[ref]
	return id, ok
}

// NodeView is a node as the console shows it.
type NodeView struct {
	Ref       string  `json:"ref"`
	Type      string  `json:"type"`
	TypeLabel string  `json:"type_label"`
	Label     string  `json:"label"`
	Hop       int     `json:"hop"`
	Score     float64 `json:"score,omitempty"` // cards: the mule score
	Watch     bool    `json:"watch,omitempty"`
	AccountID int64   `json:"account_id,omitempty"` // cards: accounts.id
	CaseID    int64   `json:"case_id,omitempty"`    // cases
}

// LinkView is a link as the console shows it, with its evidence.
type LinkView struct {
	Source    string `json:"source"`
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	KindLabel string `json:"kind_label"`
	Strong    bool   `json:"strong"`
	Evidence  string `json:"evidence"`
}

// EntityLabel is how an entity is written for a reader under m: card,
// phone and ID numbers masked, addresses cut to their start.
func EntityLabel(e Entity, m auth.Masker) string {
	switch e.Type {
	case TCard:
		return m.Card(e.Key)
	case TPhone:
		return m.Phone(e.Key)
	case TCase:
		return "案件 #" + e.Key
	case TAddress:
		if m.Unmasked {
			return e.Key
		}
		r := []rune(e.Key)
		if len(r) > 6 {
			return string(r[:6]) + "…"
		}
		return e.Key
	case TPerson:
		k, v, _ := strings.Cut(e.Key, ":")
		switch k {
		case "id":
			return "身份证 " + m.ID(v)
		case "tel":
			return "手机 " + m.Phone(v)
		default:
			if m.Unmasked {
				return v
			}
			r := []rune(v)
			if len(r) == 0 {
				return ""
			}
			return string(r[:1]) + strings.Repeat("*", len(r)-1)
		}
	}
	return e.Key
}

// View renders nodes and links for the console, with the scores and
// account ids of card nodes.
func (g *Graph) View(ctx context.Context, q db.Querier, nodes []int32, hops []int8, edges []Edge, m auth.Masker) ([]NodeView, []LinkView, error) {
	out := make([]NodeView, len(nodes))
	var cards []string
	for i, v := range nodes {
		e := g.ents[v]
		out[i] = NodeView{Ref: g.Ref(e), Type: e.Type.String(), TypeLabel: TypeLabels[e.Type], Label: EntityLabel(e, m)}
		if hops != nil {
			out[i].Hop = int(hops[i])
		}
		switch e.Type {
		case TCard:
			cards = append(cards, e.Key)
		case TCase:
			out[i].CaseID, _ = strconv.ParseInt(e.Key, 10, 64)
		}
	}
	type info struct {
		id    int64
		centi int64
		watch bool
	}
	infos := map[string]info{}
	for i := 0; i < len(cards); i += 500 {
		part := cards[i:min(i+500, len(cards))]
		args := make([]any, len(part))
		for j, c := range part {
			args[j] = c
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		rows, err := q.Query(ctx, `SELECT a.number, a.id, COALESCE(s.score_centi, 0), COALESCE(s.watch, 0) FROM accounts a
			LEFT JOIN intel_scores s ON s.kind = 'account' AND s.subject = a.number WHERE a.number IN (`+ph+`)`, args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var num string
			var in info
			var w int64
			if err := rows.Scan(&num, &in.id, &in.centi, &w); err != nil {
				rows.Close()
				return nil, nil, err
			}
			in.watch = w == 1
			infos[num] = in
		}
		rows.Close()
	}
	for i, v := range nodes {
		if e := g.ents[v]; e.Type == TCard {
			if in, ok := infos[e.Key]; ok {
				out[i].AccountID, out[i].Score, out[i].Watch = in.id, float64(in.centi)/100, in.watch
			}
		}
	}
	links := make([]LinkView, len(edges))
	for i, e := range edges {
		links[i] = LinkView{Source: g.Ref(g.ents[e.A]), Target: g.Ref(g.ents[e.B]), Kind: linkCodes[e.Kind],
			KindLabel: e.Kind.Label(), Strong: e.Kind.Strong(), Evidence: e.Evidence}
	}
	return out, links, nil
}

var linkCodes = [numLinkKinds]string{"holder", "same_warning", "case_paid", "case_contact", "transfer", "used_from", "victim"}

// GroupOf returns the group (community) of a node, with the links among its
// members (at most MaxExpand members are returned, those with most strong
// links first).
func (g *Graph) GroupOf(v int32) (Group, []Edge) {
	comm := g.groupLabels()
	label := comm[v]
	gr := Group{ID: label, ByType: map[string]int{}}
	in := map[int32]bool{}
	for u := int32(0); u < int32(len(g.ents)); u++ {
		if comm[u] != label {
			continue
		}
		gr.Size++
		gr.ByType[g.ents[u].Type.String()]++
		if g.ents[u].Type == TCase {
			gr.Cases = append(gr.Cases, g.ents[u].Key)
		}
		if len(gr.Members) < MaxExpand {
			gr.Members = append(gr.Members, u)
			in[u] = true
		}
	}
	slices.SortStableFunc(gr.Members, func(a, b int32) int { return g.StrongDegree(b) - g.StrongDegree(a) })
	var edges []Edge
	for _, u := range gr.Members {
		for _, e := range g.adj[g.start[u]:g.start[u+1]] {
			if e.to > u && in[e.to] {
				ev := ""
				if e.ev >= 0 {
					ev = g.evidence[e.ev]
				}
				edges = append(edges, Edge{u, e.to, e.kind, ev})
			}
		}
	}
	return gr, edges
}
