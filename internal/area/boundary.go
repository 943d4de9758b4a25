package area

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Boundaries: a GeoJSON FeatureCollection of station and town polygons,
// keyed by the nodes' codes, replaces the schematic shapes the dashboard
// map draws. The shapes are stored in the tree's coordinate box: x from 0
// to ShapeBox to the east, y growing to the south (as the schematic ones),
// projected equirectangularly around the county's mean latitude, so that
// the county keeps its proportions.

// ShapeBox is the width (or height, whichever is larger) of the box the
// county is drawn in.
const ShapeBox = 1000

// maxShapePoints bounds a stored polygon: real boundaries have thousands of
// vertices; the dashboard needs a few hundred at most.
const maxShapePoints = 400

// BoundaryError is one feature that could not be used.
type BoundaryError struct {
	Feature int    `json:"feature"` // 1-based position in the collection
	Code    string `json:"code,omitempty"`
	Reason  string `json:"reason"`
}

// BoundaryReport is the answer to a boundaries upload.
type BoundaryReport struct {
	Features int             `json:"features"`
	Stations int             `json:"stations"`
	Towns    int             `json:"towns"`
	Errors   []BoundaryError `json:"errors,omitempty"`
	Stored   bool            `json:"stored"`
}

// ErrBadBoundaries is returned with a report listing the unusable features;
// nothing was stored.
var ErrBadBoundaries = domain.Invalid("GeoJSON 中有无法使用的要素，全部未导入")

type geoFeature struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   *geoGeometry   `json:"geometry"`
}

type geoGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// featureCode reads the code of a feature: properties.code (also 代码 or
// adcode), a string or a number.
func featureCode(p map[string]any) string {
	for _, k := range []string{"code", "代码", "adcode", "CODE"} {
		switch v := p[k].(type) {
		case string:
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

// outerRing returns the outer ring of a Polygon, or of the largest polygon
// of a MultiPolygon, as [lon, lat] pairs.
func outerRing(g *geoGeometry) ([][2]float64, error) {
	if g == nil {
		return nil, domain.Invalid("没有 geometry")
	}
	switch g.Type {
	case "Polygon":
		var rings [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil || len(rings) == 0 {
			return nil, domain.Invalid("Polygon 坐标格式不对")
		}
		return rings[0], nil
	case "MultiPolygon":
		var polys [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil || len(polys) == 0 {
			return nil, domain.Invalid("MultiPolygon 坐标格式不对")
		}
		var best [][2]float64
		bestArea := -1.0
		for _, p := range polys {
			if len(p) == 0 {
				continue
			}
			if a := math.Abs(ringArea(p[0])); a > bestArea {
				best, bestArea = p[0], a
			}
		}
		return best, nil
	}
	return nil, domain.Invalid("geometry 类型 %q 不是 Polygon 或 MultiPolygon", g.Type)
}

func ringArea(r [][2]float64) float64 {
	a := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return a / 2
}

// simplify reduces a ring with Douglas–Peucker until it has at most max
// points (the tolerance doubles until it fits).
func simplify(pts [][2]float64, max int) [][2]float64 {
	if len(pts) <= max {
		return pts
	}
	tol := 0.5
	for {
		keep := make([]bool, len(pts))
		keep[0], keep[len(pts)-1] = true, true
		dp(pts, 0, len(pts)-1, tol, keep)
		var out [][2]float64
		for i, k := range keep {
			if k {
				out = append(out, pts[i])
			}
		}
		if len(out) <= max || tol > ShapeBox {
			return out
		}
		tol *= 2
	}
}

func dp(pts [][2]float64, a, b int, tol float64, keep []bool) {
	if b <= a+1 {
		return
	}
	ax, ay, bx, by := pts[a][0], pts[a][1], pts[b][0], pts[b][1]
	dx, dy := bx-ax, by-ay
	l := math.Hypot(dx, dy)
	far, at := -1.0, -1
	for i := a + 1; i < b; i++ {
		var d float64
		if l == 0 {
			d = math.Hypot(pts[i][0]-ax, pts[i][1]-ay)
		} else {
			d = math.Abs(dy*pts[i][0]-dx*pts[i][1]+bx*ay-by*ax) / l
		}
		if d > far {
			far, at = d, i
		}
	}
	if far > tol {
		keep[at] = true
		dp(pts, a, at, tol, keep)
		dp(pts, at, b, tol, keep)
	}
}

// ImportBoundaries reads a GeoJSON FeatureCollection whose features carry
// the codes of stations and towns, projects the polygons into the shape
// box and stores them — all of them, or, when any feature is unusable
// (unknown code, another level, no polygon), none, with the report.
func ImportBoundaries(ctx context.Context, d *db.DB, scope Node, audit Auditor, r io.Reader) (BoundaryReport, error) {
	var rep BoundaryReport
	if scope.ParentID != 0 {
		return rep, domain.Forbidden("只有县（中心）的管理员可以导入边界")
	}
	var fc struct {
		Type     string       `json:"type"`
		Features []geoFeature `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return rep, domain.Invalid("不是有效的 GeoJSON：%v", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		return rep, domain.Invalid("应为含有要素的 GeoJSON FeatureCollection")
	}
	rep.Features = len(fc.Features)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, byCode, err := loadAll(ctx, tx)
		if err != nil {
			return err
		}
		type shaped struct {
			node Node
			ring [][2]float64
		}
		var items []shaped
		seen := map[string]int{}
		minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for i, f := range fc.Features {
			code := featureCode(f.Properties)
			bad := func(reason string) {
				rep.Errors = append(rep.Errors, BoundaryError{Feature: i + 1, Code: code, Reason: reason})
			}
			if code == "" {
				bad("properties 中没有 code（节点代码）")
				continue
			}
			if first, dup := seen[code]; dup {
				bad(fmt.Sprintf("代码 %s 重复（第 %d 个要素已有）", code, first))
				continue
			}
			seen[code] = i + 1
			n, ok := byCode[code]
			if !ok {
				bad(fmt.Sprintf("代码 %s 不在辖区树中", code))
				continue
			}
			if n.Level != Station && n.Level != Town {
				bad(fmt.Sprintf("%s 是%s，边界只用于派出所和乡镇街道", n.Name, LevelName(n.Level)))
				continue
			}
			ring, err := outerRing(f.Geometry)
			if err != nil {
				bad(err.Error())
				continue
			}
			if len(ring) < 4 {
				bad("多边形顶点不足")
				continue
			}
			for _, p := range ring {
				if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					bad("坐标不是经纬度（WGS84 / GCJ-02 度数）")
					ring = nil
					break
				}
				minLon, maxLon = math.Min(minLon, p[0]), math.Max(maxLon, p[0])
				minLat, maxLat = math.Min(minLat, p[1]), math.Max(maxLat, p[1])
			}
			if ring != nil {
				items = append(items, shaped{node: n, ring: ring})
			}
		}
		if len(rep.Errors) > 0 {
			return ErrBadBoundaries
		}
		// Equirectangular around the mean latitude; the larger side spans
		// the box.
		k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
		w, h := (maxLon-minLon)*k, maxLat-minLat
		scale := ShapeBox / math.Max(w, h)
		if math.IsInf(scale, 0) || math.IsNaN(scale) {
			return domain.Invalid("所有要素的范围为零")
		}
		for _, it := range items {
			pts := make([][2]float64, 0, len(it.ring))
			for _, p := range it.ring {
				pts = append(pts, [2]float64{(p[0] - minLon) * k * scale, (maxLat - p[1]) * scale})
			}
			if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
				pts = pts[:len(pts)-1] // GeoJSON closes rings; the shapes do not
			}
			pts = simplify(pts, maxShapePoints)
			var b strings.Builder
			b.WriteByte('[')
			for i, p := range pts {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "[%.1f,%.1f]", p[0], p[1])
			}
			b.WriteByte(']')
			if _, err := tx.Exec(ctx, `UPDATE areas SET shape = ? WHERE id = ?`, b.String(), it.node.ID); err != nil {
				return fmt.Errorf("store boundary of %s: %w", it.node.Code, err)
			}
			if it.node.Level == Station {
				rep.Stations++
			} else {
				rep.Towns++
			}
		}
		if err := audit(ctx, tx, auditUpdate, "boundaries", fmt.Sprintf("boundaries: %d features, %d stations, %d towns",
			rep.Features, rep.Stations, rep.Towns)); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenTree)
	})
	if err != nil {
		rep.Stations, rep.Towns = 0, 0
		return rep, err
	}
	rep.Stored = true
	return rep, nil
}
